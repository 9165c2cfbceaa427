"""Who may see and change causal loop diagrams.

An organization's diagram is open to everyone signed in; a team's diagram to the team's members,
whoever leads it (a facilitator of the team or of a department above), learning leads and admins.
Whoever may see a diagram may comment on it. A team's diagram is edited by its members and
leads, learning leads and admins; the organization's by learning leads, admins and whoever
created it. Bound variables show a metric's trend only to those who may open that scope's
dashboard (insights.dashboard_access), so a diagram never widens who sees a team's figures.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from learnloop.org.membership import is_active_person, team_access
from learnloop.org.permissions import is_admin


def _steers(person) -> bool:
    return bool(person.is_learning_lead or is_admin(person))


def visible_q(person) -> Q:
    """The diagrams this person may open, as a filter."""
    if not is_active_person(person):
        return Q(pk__in=[])
    if _steers(person):
        return Q()
    return Q(team__isnull=True) | Q(team_id__in=team_access(person).member_or_lead)


def can_view(person, diagram) -> bool:
    if not is_active_person(person):
        return False
    return diagram.team_id is None or _steers(person) or diagram.team_id in team_access(person).member_or_lead


def can_create(person, team) -> bool:
    """A diagram of this team (None: the organization)."""
    if not is_active_person(person):
        return False
    if team is None:
        return _steers(person)
    return _steers(person) or team.pk in team_access(person).member_or_lead


def can_create_anywhere(person) -> bool:
    return is_active_person(person) and (_steers(person) or bool(team_access(person).member_or_lead))


def can_edit(person, diagram) -> bool:
    if not is_active_person(person):
        return False
    if _steers(person):
        return True
    if diagram.team_id is None:
        return person.pk == diagram.created_by_id
    return diagram.team_id in team_access(person).member_or_lead


def can_comment(person, diagram) -> bool:
    return can_view(person, diagram)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
