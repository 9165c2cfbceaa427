"""Who may see, register, run and decide experiments.

Experiments are organization-wide learning: everyone signed in may read them, failures included.
Registering one is for members of its team, the team's facilitators, learning leads and admins.
Editing, entering results and deciding are for the experiment's owner, facilitators of its team
(or of a department above it), learning leads and admins.
"""

from django.core.exceptions import PermissionDenied

from learnloop.org.models import Membership
from learnloop.org.permissions import is_admin, leads_team


def _active(person) -> bool:
    return bool(person and person.is_authenticated and person.is_active)


def can_view(person, experiment=None) -> bool:
    return _active(person)


def can_register(person, team) -> bool:
    if not _active(person):
        return False
    return (
        person.is_learning_lead
        or Membership.objects.filter(person=person, team=team).exists()
        or leads_team(person, team)
    )


def can_register_anywhere(person) -> bool:
    """Whether to offer registering at all: learning leads, and anyone in a team."""
    return _active(person) and (person.is_learning_lead or Membership.objects.filter(person=person).exists())


def can_manage(person, experiment) -> bool:
    if not _active(person):
        return False
    return (
        person.pk == experiment.owner_id
        or person.is_learning_lead
        or is_admin(person)
        or leads_team(person, experiment.team)
    )


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
