"""Who may see and change what in growth.

Profiles (ratings, evidence, plans): a person sees their own; a lead of a team they belong to
(org.membership.leads_team: a facilitator of the team or of a department above it) sees theirs;
admins and learning leads see everyone's; any other signed-in person sees a profile only when its
owner shares it (GrowthProfile.shared), and then only ratings and evidence, never plans.
Ratings: self by the person, manager by one of their leads, peer by anyone who may see the profile.
The framework (skills, categories, team needs at org level) is edited by learning leads and admins;
a team lead edits their team's needs and team-scoped skills. Mentoring notes: the pair only.
"""

from django.core.exceptions import PermissionDenied

from learnloop.org.membership import is_active_person, member_team_ids, team_access
from learnloop.org.permissions import is_admin


def sees_everyone(viewer) -> bool:
    return is_active_person(viewer) and (viewer.is_learning_lead or is_admin(viewer))


def leads_person(viewer, person, person_team_ids=None) -> bool:
    """The viewer leads a team the person belongs to."""
    if not is_active_person(viewer) or viewer.pk == person.pk:
        return False
    teams = member_team_ids(person) if person_team_ids is None else person_team_ids
    return bool(team_access(viewer).led & set(teams))


def can_see_profile(viewer, person, *, shared: bool, person_team_ids=None) -> bool:
    if not is_active_person(viewer):
        return False
    return (viewer.pk == person.pk or sees_everyone(viewer) or shared
            or leads_person(viewer, person, person_team_ids))


def can_see_plans(viewer, person, person_team_ids=None) -> bool:
    """Plans are private to the person, their leads, learning leads and admins (sharing a
    profile does not share plans)."""
    if not is_active_person(viewer):
        return False
    return viewer.pk == person.pk or sees_everyone(viewer) or leads_person(viewer, person, person_team_ids)


def can_manage_framework(viewer) -> bool:
    return sees_everyone(viewer)


def can_edit_skill(viewer, skill) -> bool:
    """Learning leads and admins edit any skill; a team lead edits their team's own skills."""
    return can_manage_framework(viewer) or (skill.team is not None and can_manage_team(viewer, skill.team))


def can_manage_team(viewer, team) -> bool:
    return sees_everyone(viewer) or (team is not None and team_access(viewer).leads(team.pk))


def can_see_team(viewer, team) -> bool:
    access = team_access(viewer)
    return sees_everyone(viewer) or access.leads(team.pk) or access.belongs_to(team.pk)


def can_see_pair(viewer, pair) -> bool:
    return is_active_person(viewer) and viewer.pk in (pair.mentor_id, pair.mentee_id)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
