"""Who may do what with surveys. Reports are scoped further by the disclosure gate."""

from django.core.exceptions import PermissionDenied

from learnloop.org.membership import is_active_person, led_team_ids, member_team_ids


def can_manage_surveys(person) -> bool:
    """Import and edit instruments, create, launch, remind and close campaigns."""
    return is_active_person(person) and person.is_learning_lead


def require_manage_surveys(person) -> None:
    if not can_manage_surveys(person):
        raise PermissionDenied("Only learning leads and admins can manage surveys.")


def sees_every_team(person) -> bool:
    return is_active_person(person) and person.is_learning_lead


def viewer_team_ids(person) -> set[int]:
    """Teams whose (released) results a viewer may see besides the whole organization."""
    if not is_active_person(person):
        return set()
    return member_team_ids(person) | led_team_ids(person)


def can_choose_focus(person, team) -> bool:
    if not is_active_person(person):
        return False
    return person.is_learning_lead or team.pk in led_team_ids(person)


def can_own_focus(person, team) -> bool:
    """Who may carry a team's focus area: someone who sees the team's released results (its
    members and leads, learning leads), since re-measures of the team come to them as evidence."""
    if not is_active_person(person):
        return False
    return person.is_learning_lead or team.pk in viewer_team_ids(person)


def require_choose_focus(person, team) -> None:
    if not can_choose_focus(person, team):
        raise PermissionDenied(
            f"Only facilitators of {team.name}, learning leads and admins can choose its focus areas."
        )
