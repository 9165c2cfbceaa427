"""Entry templates: who may use and manage them, and the changes to them.

Organization-wide templates (no team) are offered to everyone and managed by learning leads and
admins; a team's templates are offered to its members (and to learning leads and admins) and
managed by the team's facilitators (or of a department above it), learning leads and admins. A
template only pre-fills the editor: the entry written from it is an ordinary entry.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.knowledge.models import EntryKind, EntryTemplate
from learnloop.org.membership import is_active_person, leads_team, member_team_ids

TEXT_FIELDS = ("body", "context", "options", "decision", "consequences")
DECISION_SECTIONS = ("context", "options", "decision", "consequences")
MAX_TEXT = 20_000


def can_manage(person, team) -> bool:
    if not is_active_person(person):
        return False
    if person.is_learning_lead:
        return True
    return team is not None and leads_team(person, team)


def require_manage(person, team) -> None:
    if not can_manage(person, team):
        raise PermissionDenied(
            "Only learning leads and admins manage organization templates; a team's templates are "
            "managed by its facilitators too."
        )


def usable_templates(*, viewer, kind: str | None = None) -> QuerySet[EntryTemplate]:
    """The templates the viewer is offered: the organization's and their teams' (all of them for
    learning leads and admins), by kind and name."""
    if not is_active_person(viewer):
        return EntryTemplate.objects.none()
    found = EntryTemplate.objects.select_related("team")
    if not viewer.is_learning_lead:
        found = found.filter(Q(team__isnull=True) | Q(team__in=member_team_ids(viewer)))
    if kind:
        found = found.filter(kind=kind)
    return found.order_by("kind", "team__name", "name", "id")


def template_for(*, viewer, template_id: int) -> EntryTemplate | None:
    return usable_templates(viewer=viewer).filter(pk=template_id).first()


def _clean(values: dict, kind: str) -> dict:
    cleaned = {}
    name = " ".join(str(values.get("name") or "").split())
    if not name:
        raise ValidationError({"name": gettext("Give the template a name.")})
    if len(name) > 120:
        raise ValidationError({"name": gettext("Keep the name under 120 characters.")})
    cleaned["name"] = name
    description = " ".join(str(values.get("description") or "").split())
    if len(description) > 300:
        raise ValidationError({"description": gettext("Keep the description under 300 characters.")})
    cleaned["description"] = description
    for field in TEXT_FIELDS:
        text = str(values.get(field) or "")
        if len(text) > MAX_TEXT:
            raise ValidationError({field: f"Keep it under {MAX_TEXT:,} characters."})
        if field in DECISION_SECTIONS and text.strip() and kind != EntryKind.DECISION:
            raise ValidationError({field: gettext("Only decision record templates have this section.")})
        cleaned[field] = text
    if not any(cleaned[field].strip() for field in TEXT_FIELDS):
        raise ValidationError({"body": gettext("A template pre-fills something: write its text.")})
    return cleaned


def create_template(*, by, kind: str, team=None, **values) -> EntryTemplate:
    if kind not in EntryKind.values:
        raise ValidationError({"kind": f"Kind must be one of: {', '.join(EntryKind.values)}."})
    if team is not None and team.is_archived:
        raise ValidationError({"team": f"{team} is archived."})
    require_manage(by, team)
    cleaned = _clean(values, kind)
    return EntryTemplate.objects.create(kind=kind, team=team, created_by=by, **cleaned)


def update_template(*, by, template: EntryTemplate, **values) -> EntryTemplate:
    require_manage(by, template.team)
    current = {field: getattr(template, field) for field in ("name", "description", *TEXT_FIELDS)}
    current.update({field: value for field, value in values.items() if value is not None})
    cleaned = _clean(current, template.kind)
    for field, value in cleaned.items():
        setattr(template, field, value)
    template.updated_at = timezone.now()
    template.save()
    return template


def delete_template(*, by, template: EntryTemplate) -> None:
    require_manage(by, template.team)
    template.delete()


def initial_from(template: EntryTemplate) -> dict:
    """What the template pre-fills in the editor of a new entry."""
    return {field: getattr(template, field) for field in TEXT_FIELDS if getattr(template, field)}
