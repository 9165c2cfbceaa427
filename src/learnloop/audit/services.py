"""Writing to the audit log. Every security-relevant service calls record_audit_event."""

from learnloop.audit.models import AuditEvent, AuditKind


def record_audit_event(
    *,
    kind: AuditKind,
    actor=None,
    actor_label: str = "",
    ip_address: str | None = None,
    target: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    if actor is not None and not actor_label:
        actor_label = actor.email
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_label=actor_label[:254],
        ip_address=ip_address,
        target=target[:254],
        detail=detail or {},
    )
