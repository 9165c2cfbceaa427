"""Who may open which dashboard. Learning leads (and admins) see every scope; a department's
dashboard is for its facilitators; a team's for its members and whoever leads it (a facilitator
of the team or of a department above it). Membership comes from org.membership."""

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
