"""Who may see and steer the learning strategy.

Strategy is organization-wide and open: everyone signed in may read the vision, goals, roadmap,
champions and each team's seven steps. Goals and initiatives of the organization are set by
learning leads and admins; those of a department or team also by its facilitators (or those of a
department above it). A vision is steered (rounds, decisions, versions) by its owner, learning
leads and admins, and for a team's vision also the team's facilitators; everyone may comment,
propose, support and mark what it means for their work. Champions are named by learning leads,
admins and the team's facilitators.
"""

from django.core.exceptions import PermissionDenied

from learnloop.org.membership import is_active_person, team_access
from learnloop.org.permissions import is_admin


def can_view(person) -> bool:
    return is_active_person(person)


def _steers(person) -> bool:
    return person.is_learning_lead or is_admin(person)


def can_plan(person, team) -> bool:
    """Objectives, key results and initiatives of this team (None: the organization)."""
    if not is_active_person(person):
        return False
    if _steers(person):
        return True
    return team is not None and team_access(person).leads(team.pk if hasattr(team, "pk") else team)


def can_plan_anywhere(person) -> bool:
    return is_active_person(person) and (_steers(person) or bool(team_access(person).led))


def can_steer_vision(person, vision) -> bool:
    if not is_active_person(person):
        return False
    return person.pk == vision.owner_id or _steers(person) or (
        vision.team_id is not None and team_access(person).leads(vision.team_id))


def can_contribute(person, vision=None) -> bool:
    return is_active_person(person)


def can_name_champion(person, team) -> bool:
    return can_plan(person, team)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
