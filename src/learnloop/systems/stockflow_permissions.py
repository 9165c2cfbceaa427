"""Who may see, upload, change and run stock-and-flow models.

Models are organization-wide learning like experiments: everyone signed in may open one, run it
with other constants and save a named scenario (scenarios carry their author's name). Uploading a
team's model is for the team's members and facilitators, learning leads and admins; an
organization's model for learning leads and admins. Changing or deleting a model, and queueing
sensitivity runs (they take the worker's time), is for its owner, its team's members and
facilitators, learning leads and admins. A scenario is deleted by its author or by those who may
change the model.
"""

from django.core.exceptions import PermissionDenied

from learnloop.org.membership import belongs_to, is_active_person, member_team_ids, team_access
from learnloop.org.permissions import is_admin


def _steers(person) -> bool:
    return person.is_learning_lead or is_admin(person)


def can_view(person, model=None) -> bool:
    return is_active_person(person)


def can_upload(person, team) -> bool:
    if not is_active_person(person):
        return False
    if _steers(person):
        return True
    return team is not None and (belongs_to(person, team) or team_access(person).leads(team.pk))


def can_upload_anywhere(person) -> bool:
    return is_active_person(person) and (_steers(person) or bool(member_team_ids(person))
                                         or bool(team_access(person).led))


def can_change(person, model) -> bool:
    if not is_active_person(person):
        return False
    if _steers(person) or person.pk == model.owner_id:
        return True
    return model.team_id is not None and (model.team_id in member_team_ids(person)
                                          or team_access(person).leads(model.team_id))


def can_delete_scenario(person, scenario, model) -> bool:
    return is_active_person(person) and (person.pk == scenario.author_id or can_change(person, model))


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
