"""API for the audit log (admins only)."""

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from learnloop.api_base import Pagination, errors
from learnloop.audit.models import AuditKind
from learnloop.audit.selectors import audit_events

router = Router(tags=["audit log"])


class AuditEventOut(Schema):
    id: int
    kind: str
    actor_id: int | None
    actor_label: str
    ip_address: str | None
    target: str
    detail: dict
    created_at: datetime


@router.get("", response={200: list[AuditEventOut], **errors(403)}, summary="Security events, newest first (admins)")
@paginate(Pagination)
def list_audit_events(
    request,
    kind: AuditKind | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
):
    """Filters: `kind` of event; `actor`, part of the acting or affected person's email; `since`
    (inclusive) and `until` (exclusive), ISO 8601 times."""
    return audit_events(viewer=request.user, kind=kind, actor=actor, since=since, until=until)
