"""Writing to the audit log. Every security-relevant service calls record_audit_event."""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.ops import storage

logger = logging.getLogger("learnloop.audit")

# The purge is one indexed UPDATE; running it now and then from ordinary requests keeps the
# retention promise even where nobody schedules `learnloop audit purge-addresses`.
PURGE_EVERY_SECONDS = 60 * 60
_last_purge = 0.0


def record_audit_event(
    *,
    kind: AuditKind,
    actor=None,
    actor_label: str = "",
    ip_address: str | None = None,
    target: str = "",
    detail: dict | None = None,
    at=None,
) -> AuditEvent:
    """`at` backdates the event (the demo replaying its history); real events take the time now."""
    if actor is not None and not actor_label:
        actor_label = actor.email
    if settings.AUDIT_ADDRESS_RETENTION_DAYS <= 0:
        ip_address = None
    _purge_now_and_then()
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_label=actor_label[:254],
        ip_address=ip_address,
        target=target[:254],
        detail=detail or {},
        **({"created_at": at} if at is not None else {}),
    )


def record_audit_event_if_possible(**event) -> AuditEvent | None:
    """record_audit_event for sign-in and sign-out, which must go on while storage is failing.

    If the database can't be written (learnloop.ops.storage), the event goes to the server log
    instead — kind, who and what, never the client address — and None is returned; any other
    failure still raises.
    """
    try:
        with transaction.atomic():
            return record_audit_event(**event)
    except DatabaseError as error:
        if storage.note_failure(error) is None:
            raise
    actor = event.get("actor")
    logger.warning(
        "Audit event not stored (storage unavailable): kind=%s actor=%s target=%s",
        event["kind"], event.get("actor_label") or getattr(actor, "email", ""), event.get("target", ""),
    )
    return None


def purge_old_addresses(*, now: datetime | None = None, days: int | None = None) -> int:
    """Blank the client address of events older than the retention period; returns how many.

    Sign-in addresses next to an access log that has client addresses would tie requests to
    people, so they are kept only as long as investigating an incident needs them.
    """
    days = settings.AUDIT_ADDRESS_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=max(days, 0))
    return AuditEvent.objects.filter(created_at__lt=cutoff, ip_address__isnull=False).update(ip_address=None)


def _purge_now_and_then() -> None:
    global _last_purge
    if time.monotonic() - _last_purge < PURGE_EVERY_SECONDS and _last_purge:
        return
    _last_purge = time.monotonic()
    purge_old_addresses()
