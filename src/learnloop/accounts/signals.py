"""Sign-ins, sign-outs and failed sign-ins go to the audit log.

These writes happen while signing in and out, which must keep working when the database can't be
written (docs/operations.md, "Degraded, not down"): then the audit event goes to the server log
instead, and last_login is left as it was (it is informational; nothing depends on it).
"""

import logging

from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import DatabaseError, transaction
from django.dispatch import receiver

from learnloop.audit.models import AuditKind
from learnloop.audit.request import client_ip
from learnloop.audit.services import record_audit_event_if_possible as record_audit_event
from learnloop.ops import storage

logger = logging.getLogger("learnloop.storage")

# Django's own receiver (connected by django.contrib.auth) would fail the sign-in on a read-only
# database; update_last_login_if_possible below takes its place.
user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")


@receiver(user_logged_in, dispatch_uid="learnloop_update_last_login")
def update_last_login_if_possible(sender, request, user, **kwargs):
    try:
        with transaction.atomic():
            update_last_login(sender, user, **kwargs)
    except DatabaseError as error:
        if storage.note_failure(error) is None:
            raise


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    # A sign-in other than the password form (an identity provider) says which it was.
    detail = getattr(request, "learnloop_sign_in", None)
    record_audit_event(kind=AuditKind.LOGIN, actor=user, ip_address=client_ip(request), detail=detail)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_audit_event(kind=AuditKind.LOGOUT, actor=user, ip_address=client_ip(request))


@receiver(user_login_failed)
def audit_login_failure(sender, credentials, request=None, **kwargs):
    # The attempted address is the target, not the actor: nobody has proved who they are.
    attempted = str(credentials.get("username") or credentials.get("email") or "").strip().lower()
    record_audit_event(
        kind=AuditKind.LOGIN_FAILED,
        actor_label="",
        ip_address=client_ip(request),
        target=attempted[:254],
    )
