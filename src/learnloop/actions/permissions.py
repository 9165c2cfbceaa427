"""Who may see and change actions.

Seeing: an action belongs to the team that agreed on it, so it is visible to that team's members,
to facilitators of the team or of a department above it, to its owner and to whoever created it.
Learning leads and admins see every action: following actions through across teams is their job,
and an action names no anonymous author (it is owned by a named person by design). Everyone else
in the organization doesn't see it: a postmortem's follow-ups can be sensitive, and the team
board is the team's.

Changing (editing, starting, closing, declining, reopening, answering the effectiveness check):
the owner, facilitators of the action's team (or a department above it), learning leads and
admins. Anyone who can see an action can comment on it.

Creating: anyone may create an action they own themselves; for a team, they must belong to it or
lead it, and only its leads (and learning leads, admins) may give the action to someone else.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext

from learnloop.actions.models import Action
from learnloop.org.membership import is_active_person, leads_team, led_team_ids, member_team_ids
from learnloop.org.models import Team


def visible_q(person) -> Q:
    """The actions `person` may see, as a filter on Action."""
    if not is_active_person(person):
        return Q(pk__in=[])
    if person.is_learning_lead:
        return Q()
    teams = member_team_ids(person) | led_team_ids(person)
    return Q(owner=person) | Q(created_by=person) | Q(team_id__in=teams)


def can_view(person, action: Action) -> bool:
    if not is_active_person(person):
        return False
    if person.is_learning_lead or person.pk in {action.owner_id, action.created_by_id}:
        return True
    return action.team_id is not None and action.team_id in (member_team_ids(person) | led_team_ids(person))


def can_see_team(person, team: Team) -> bool:
    """The team's board and metrics: its members, its leads, learning leads and admins."""
    if not is_active_person(person):
        return False
    return person.is_learning_lead or team.pk in member_team_ids(person) or team.pk in led_team_ids(person)


def can_manage_team_actions(person, team: Team | None) -> bool:
    if not is_active_person(person):
        return False
    return person.is_learning_lead or (team is not None and leads_team(person, team))


def can_change(person, action: Action) -> bool:
    if not is_active_person(person):
        return False
    return person.pk == action.owner_id or can_manage_team_actions(person, action.team)


def can_create(person, *, team: Team | None, owner) -> bool:
    if not is_active_person(person):
        return False
    if can_manage_team_actions(person, team):
        return True
    for_self = owner is None or owner.pk == person.pk
    if team is None:
        return for_self
    return for_self and team.pk in member_team_ids(person)


def require_view(person, action: Action) -> None:
    if not can_view(person, action):
        raise PermissionDenied(gettext("You can't see this action."))


def require_change(person, action: Action) -> None:
    if not can_change(person, action):
        raise PermissionDenied(
            "Only the action's owner, its team's facilitators, learning leads and admins can change it."
        )


def require_create(person, *, team: Team | None, owner) -> None:
    if can_create(person, team=team, owner=owner):
        return
    if team is None:
        raise PermissionDenied(
            gettext("An action without a team can only be created by its owner, learning leads and admins.")
        )
    if team.pk in member_team_ids(person):
        raise PermissionDenied(f"Only facilitators of {team.name} can give its actions to someone else.")
    raise PermissionDenied(f"Only members and facilitators of {team.name} can create its actions.")


def require_manage_team(person, team: Team) -> None:
    if not can_manage_team_actions(person, team):
        raise PermissionDenied(f"Only facilitators of {team.name}, learning leads and admins can change its rules.")
