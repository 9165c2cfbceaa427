"""Who may see and run reflection sessions, and who may write templates.

A session is visible to its team's members (and leads of departments above it), its facilitator,
learning leads and admins. Members of the team take part: they write cards, group and vote.
Facilitating (moving phases, revealing, setting the budget, creating actions, promoting lessons)
is for the session's facilitator, leads of its team and admins. None of this ever shows an
anonymous card's author: nobody, admins included, can see what the rows don't hold.
"""

from django.core.exceptions import PermissionDenied

from learnloop.org.membership import belongs_to, is_active_person, leads_team, team_access
from learnloop.org.permissions import is_admin
from learnloop.reflection.models import Session, Template, TemplateScope


def teams_where_can_start_session(person, teams) -> list:
    """`can_start_session` for many teams in two queries (the sessions list offers them all)."""
    teams = list(teams)
    if not is_active_person(person):
        return []
    if is_admin(person):
        return teams
    access = team_access(person)
    return [team for team in teams if access.belongs_to(team.pk) or access.leads(team.pk)]


def teams_where_can_write_template(person, teams) -> list:
    """`can_write_template(scope=TEAM)` for many teams in two queries."""
    teams = list(teams)
    if not is_active_person(person):
        return []
    if is_admin(person):
        return teams
    access = team_access(person)
    return [team for team in teams if access.leads(team.pk)]


def can_view_session(person, session: Session) -> bool:
    if not is_active_person(person):
        return False
    return (
        person.pk == session.facilitator_id
        or person.is_learning_lead
        or belongs_to(person, session.team)
        or leads_team(person, session.team)
    )


def can_take_part(person, session: Session) -> bool:
    return is_active_person(person) and (
        person.pk in {session.facilitator_id, session.work_owner_id}
        or belongs_to(person, session.team)
        or leads_team(person, session.team)
    )


def can_facilitate(person, session: Session) -> bool:
    return is_active_person(person) and (
        person.pk == session.facilitator_id or leads_team(person, session.team) or is_admin(person)
    )


def can_start_session(person, team) -> bool:
    return belongs_to(person, team) or leads_team(person, team) or is_admin(person)


def can_write_template(person, *, scope: str, team=None) -> bool:
    if not is_active_person(person):
        return False
    if scope == TemplateScope.ORGANIZATION:
        return person.is_learning_lead
    if scope == TemplateScope.TEAM:
        return team is not None and (leads_team(person, team) or is_admin(person))
    return False  # built-in templates are ours, not editable


def can_use_template(person, template: Template) -> bool:
    if template.scope != TemplateScope.TEAM:
        return True
    return belongs_to(person, template.team) or leads_team(person, template.team) or is_admin(person)


def templates_usable_by(person, templates) -> list:
    """`can_use_template` for many templates in at most two queries (one team template per team)."""
    templates = list(templates)
    if is_admin(person) or all(template.scope != TemplateScope.TEAM for template in templates):
        return templates
    if not is_active_person(person):
        return [template for template in templates if template.scope != TemplateScope.TEAM]
    access = team_access(person)
    return [template for template in templates if template.scope != TemplateScope.TEAM
            or access.belongs_to(template.team_id) or access.leads(template.team_id)]


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
