"""Who may open which dashboard. Learning leads (and admins) see every scope; a department's
dashboard is for its facilitators; a team's for its members and whoever leads it (a facilitator
of the team or of a department above it). Membership comes from org.membership."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from learnloop.insights import metrics
from learnloop.org.membership import belongs_to, leads_team, team_access


def can_see_organization(viewer) -> bool:
    return bool(viewer and viewer.is_authenticated and viewer.is_learning_lead)


def can_see_scope(viewer, team) -> bool:
    if can_see_organization(viewer):
        return True
    if team.kind == "department":
        return leads_team(viewer, team)
    return belongs_to(viewer, team) or leads_team(viewer, team)


def visible_teams(viewer, teams) -> list:
    """The departments and teams whose dashboards the viewer may open, from a list read once."""
    if can_see_organization(viewer):
        return list(teams)
    access = team_access(viewer)
    return [team for team in teams if access.leads(team.pk)
            or (team.kind != "department" and access.belongs_to(team.pk))]


def scope_for_viewer(viewer, slug: str | None):
    """(Scope, every team) for the organization (slug None) or the team with this slug, when the
    viewer may see it: the one check the dashboards, the API and exports share. Raises Http404 for
    an unknown slug and PermissionDenied for a scope the viewer may not open."""
    teams = metrics.all_teams()
    if slug is None:
        if not can_see_organization(viewer):
            raise PermissionDenied("The organization's figures are for learning leads and admins.")
        return metrics.scope_for(None, teams), teams
    team = next((team for team in teams if team.slug == slug), None)
    if team is None:
        raise Http404(f"team: no team has the slug {slug!r}.")
    if not can_see_scope(viewer, team):
        raise PermissionDenied("This team's figures are for its members and leads.")
    return metrics.scope_for(team, teams), teams
