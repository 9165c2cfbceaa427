"""Who may change people, teams and memberships.

Everyone signed in can read the directory (people and teams are not secret inside an
organization); changes are for admins, and team leads for their own team's members.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, gettext_noop

from learnloop.org.membership import leads_team
from learnloop.org.models import Team


def is_admin(person) -> bool:
    return bool(person and person.is_authenticated and person.is_admin)


def can_manage_team_members(person, team: Team) -> bool:
    return is_admin(person) or leads_team(person, team)


def require_admin(person, action: str) -> None:
    if not is_admin(person):
        raise PermissionDenied(gettext("Only admins can %(action)s.") % {"action": gettext(action)})


def require_team_manager(person, team: Team, action: str) -> None:
    if not can_manage_team_members(person, team):
        raise PermissionDenied(gettext("Only admins and leads of %(name)s can %(action)s.") % {
            "name": team.name, "action": gettext(action)})


# What callers say may not be done ("Only admins can invite people."), put into the page's
# language when refused; listed so makemessages puts them in this app's catalogue.
REFUSED_ACTIONS = (
    gettext_noop("record people's attributes"), gettext_noop("invite people"), gettext_noop("hand over people's work"),
    gettext_noop("edit teams"), gettext_noop("define person attributes"), gettext_noop("deactivate people"),
    gettext_noop("create teams"), gettext_noop("change person attributes"), gettext_noop("add people"),
    gettext_noop("revoke invitations"), gettext_noop("restore teams"), gettext_noop("remove people"),
    gettext_noop("remove members"), gettext_noop("reactivate people"), gettext_noop("import teams"),
    gettext_noop("import people and teams"), gettext_noop("import people"), gettext_noop("export people"),
    gettext_noop("edit people"), gettext_noop("edit other people's profiles"), gettext_noop("delete person attributes"),
    gettext_noop("change who someone reports to"), gettext_noop("change team roles"),
    gettext_noop("change organization roles"), gettext_noop("archive teams"), gettext_noop("add members"),
)
