"""Who may see and run reflection sessions, and who may write templates.

A session is visible to its team's members (and leads of departments above it), its facilitator,
learning leads and admins. Members of the team take part: they write cards, group and vote.
Facilitating (moving phases, revealing, setting the budget, creating actions, promoting lessons)
is for the session's facilitator, leads of its team and admins. None of this ever shows an
anonymous card's author: nobody, admins included, can see what the rows don't hold.
"""

from django.core.exceptions import PermissionDenied

from learnloop.org.models import Membership
from learnloop.org.permissions import is_admin, leads_team
from learnloop.reflection.models import Session, Template, TemplateScope


def _active(person) -> bool:
    return bool(person and person.is_authenticated and person.is_active)


def teams_where_can_start_session(person, teams) -> list:
    """`can_start_session` for many teams in two queries (the sessions list offers them all)."""
    teams = list(teams)
    if not _active(person):
        return []
    if is_admin(person):
        return teams
    member_of, leads = _membership_view(person)
    return [team for team in teams if team.pk in member_of or leads(team.pk)]


def teams_where_can_write_template(person, teams) -> list:
    """`can_write_template(scope=TEAM)` for many teams in two queries."""
    teams = list(teams)
    if not _active(person):
        return []
    if is_admin(person):
        return teams
    _, leads = _membership_view(person)
    return [team for team in teams if leads(team.pk)]


def _membership_view(person):
    """(ids of the person's teams, a test "leads this team id" as `leads_team`: a facilitator of
    the team or of a department above it), from two queries."""
    from learnloop.org.models import Team, TeamRole

    memberships = list(Membership.objects.filter(person=person).values_list("team_id", "role"))
    member_of = {team_id for team_id, _ in memberships}
    led = {team_id for team_id, role in memberships if role == TeamRole.FACILITATOR}
    parents = dict(Team.objects.values_list("pk", "parent_id")) if led else {}

    def leads(team_id) -> bool:
        seen = set()
        while team_id is not None and team_id not in seen:
            if team_id in led:
                return True
            seen.add(team_id)
            team_id = parents.get(team_id)
        return False

    return member_of, leads


def is_member(person, team) -> bool:
    return _active(person) and Membership.objects.filter(person=person, team=team).exists()


def can_view_session(person, session: Session) -> bool:
    if not _active(person):
        return False
    return (
        person.pk == session.facilitator_id
        or person.is_learning_lead
        or is_member(person, session.team)
        or leads_team(person, session.team)
    )


def can_take_part(person, session: Session) -> bool:
    return _active(person) and (
        person.pk in {session.facilitator_id, session.work_owner_id}
        or is_member(person, session.team)
        or leads_team(person, session.team)
    )


def can_facilitate(person, session: Session) -> bool:
    return _active(person) and (person.pk == session.facilitator_id or leads_team(person, session.team)
                                or is_admin(person))


def can_start_session(person, team) -> bool:
    return is_member(person, team) or leads_team(person, team) or is_admin(person)


def can_write_template(person, *, scope: str, team=None) -> bool:
    if not _active(person):
        return False
    if scope == TemplateScope.ORGANIZATION:
        return person.is_learning_lead
    if scope == TemplateScope.TEAM:
        return team is not None and (leads_team(person, team) or is_admin(person))
    return False  # built-in templates are ours, not editable


def can_use_template(person, template: Template) -> bool:
    if template.scope != TemplateScope.TEAM:
        return True
    return is_member(person, template.team) or leads_team(person, template.team) or is_admin(person)


def templates_usable_by(person, templates) -> list:
    """`can_use_template` for many templates in at most two queries (one team template per team)."""
    templates = list(templates)
    if is_admin(person) or all(template.scope != TemplateScope.TEAM for template in templates):
        return templates
    if not _active(person):
        return [template for template in templates if template.scope != TemplateScope.TEAM]
    member_of, leads = _membership_view(person)
    return [template for template in templates if template.scope != TemplateScope.TEAM
            or template.team_id in member_of or leads(template.team_id)]


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
