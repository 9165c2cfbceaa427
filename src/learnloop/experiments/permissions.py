"""Who may see, register, run and decide experiments.

Experiments are organization-wide learning: everyone signed in may read them, failures included.
Registering one is for members of its team, the team's facilitators, learning leads and admins.
Editing, entering results and deciding are for the experiment's owner, facilitators of its team
(or of a department above it), learning leads and admins.
"""

from django.core.exceptions import PermissionDenied

from learnloop.org.membership import belongs_to, is_active_person, leads_team, member_team_ids, team_access
from learnloop.org.permissions import is_admin


def can_view(person, experiment=None) -> bool:
    return is_active_person(person)


def can_register(person, team) -> bool:
    if not is_active_person(person):
        return False
    return (
        person.is_learning_lead
        or belongs_to(person, team)
        or leads_team(person, team)
    )


def can_register_anywhere(person) -> bool:
    """Whether to offer registering at all: learning leads, and anyone in a team."""
    return is_active_person(person) and (person.is_learning_lead or bool(member_team_ids(person)))


def can_manage(person, experiment) -> bool:
    if not is_active_person(person):
        return False
    return (
        person.pk == experiment.owner_id
        or person.is_learning_lead
        or is_admin(person)
        or team_access(person).leads(experiment.team_id)
    )


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
