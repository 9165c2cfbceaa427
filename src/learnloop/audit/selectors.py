"""Reading the audit log: admins only."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from learnloop.audit.models import AuditEvent


def audit_events(
    *,
    viewer,
    kind: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    if not getattr(viewer, "is_admin", False):
        raise PermissionDenied(gettext("Only admins can read the audit log."))
    events = AuditEvent.objects.all()
    if kind:
        events = events.filter(kind=kind)
    if actor:
        events = events.filter(Q(actor_label__icontains=actor) | Q(target__icontains=actor))
    if since:
        events = events.filter(created_at__gte=since)
    if until:
        events = events.filter(created_at__lt=until)
    return events
