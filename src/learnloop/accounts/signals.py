"""Sign-ins, sign-outs and failed sign-ins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from learnloop.audit.models import AuditKind
from learnloop.audit.request import client_ip
from learnloop.audit.services import record_audit_event


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    record_audit_event(kind=AuditKind.LOGIN, actor=user, ip_address=client_ip(request))


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
