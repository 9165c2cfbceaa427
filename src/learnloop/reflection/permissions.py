"""Who may see and run reflection sessions, and who may write templates.

A session is visible to its team's members (and leads of departments above it), its facilitator,
learning leads and admins. Members of the team take part: they write cards, group and vote.
Facilitating (moving phases, revealing, setting the budget, creating actions, promoting lessons)
is for the session's facilitator, leads of its team and admins. None of this ever shows an
anonymous card's author: nobody, admins included, can see what the rows don't hold.
"""

from django.core.exceptions import PermissionDenied

from learnloop.org.models import Membership
from learnloop.org.permissions import is_admin, leads_team
from learnloop.reflection.models import Session, Template, TemplateScope


def _active(person) -> bool:
    return bool(person and person.is_authenticated and person.is_active)


def is_member(person, team) -> bool:
    return _active(person) and Membership.objects.filter(person=person, team=team).exists()


def can_view_session(person, session: Session) -> bool:
    if not _active(person):
        return False
    return (
        person.pk == session.facilitator_id
        or person.is_learning_lead
        or is_member(person, session.team)
        or leads_team(person, session.team)
    )


def can_take_part(person, session: Session) -> bool:
    return _active(person) and (
        person.pk in {session.facilitator_id, session.work_owner_id}
        or is_member(person, session.team)
        or leads_team(person, session.team)
    )


def can_facilitate(person, session: Session) -> bool:
    return _active(person) and (person.pk == session.facilitator_id or leads_team(person, session.team)
                                or is_admin(person))


def can_start_session(person, team) -> bool:
    return is_member(person, team) or leads_team(person, team) or is_admin(person)


def can_write_template(person, *, scope: str, team=None) -> bool:
    if not _active(person):
        return False
    if scope == TemplateScope.ORGANIZATION:
        return person.is_learning_lead
    if scope == TemplateScope.TEAM:
        return team is not None and (leads_team(person, team) or is_admin(person))
    return False  # built-in templates are ours, not editable


def can_use_template(person, template: Template) -> bool:
    if template.scope != TemplateScope.TEAM:
        return True
    return is_member(person, template.team) or leads_team(person, template.team) or is_admin(person)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
