"""Who may change people, teams and memberships.

Everyone signed in can read the directory (people and teams are not secret inside an
organization); changes are for admins, and team leads for their own team's members.
"""

from django.core.exceptions import PermissionDenied

from learnloop.org.models import Membership, Team, TeamRole


def is_admin(person) -> bool:
    return bool(person and person.is_authenticated and person.is_admin)


def leads_team(person, team: Team) -> bool:
    """A facilitator of the team, or of a department above it."""
    if not (person and person.is_authenticated and person.is_active):
        return False
    led_team_ids = set(
        Membership.objects.filter(person=person, role=TeamRole.FACILITATOR).values_list(
            "team_id", flat=True
        )
    )
    current = team
    seen = set()
    while current is not None and current.id not in seen:
        if current.id in led_team_ids:
            return True
        seen.add(current.id)
        current = current.parent
    return False


def can_manage_people(person) -> bool:
    return is_admin(person)


def can_manage_team_members(person, team: Team) -> bool:
    return is_admin(person) or leads_team(person, team)


def require_admin(person, action: str) -> None:
    if not is_admin(person):
        raise PermissionDenied(f"Only admins can {action}.")


def require_team_manager(person, team: Team, action: str) -> None:
    if not can_manage_team_members(person, team):
        raise PermissionDenied(f"Only admins and leads of {team.name} can {action}.")
