"""Who may change people, teams and memberships.

Everyone signed in can read the directory (people and teams are not secret inside an
organization); changes are for admins, and team leads for their own team's members.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from learnloop.org.membership import leads_team
from learnloop.org.models import Team


def is_admin(person) -> bool:
    return bool(person and person.is_authenticated and person.is_admin)


def can_manage_team_members(person, team: Team) -> bool:
    return is_admin(person) or leads_team(person, team)


def require_admin(person, action: str) -> None:
    if not is_admin(person):
        raise PermissionDenied(gettext("Only admins can %(action)s.") % {"action": action})


def require_team_manager(person, team: Team, action: str) -> None:
    if not can_manage_team_members(person, team):
        raise PermissionDenied(gettext("Only admins and leads of %(name)s can %(action)s.") % {
            "name": team.name, "action": action})
