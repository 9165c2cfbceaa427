from django.apps import AppConfig

from learnloop.web.navigation import HomePanel, NavItem, admins_only


class OrgConfig(AppConfig):
    name = "learnloop.org"
    label = "org"
    verbose_name = "People and teams"

    nav_items = (
        NavItem("People", "org:people", order=80, section="/people/"),
        NavItem("Teams", "org:teams", order=81, section="/teams/"),
        NavItem("Invitations", "org:invitations", order=90, visible=admins_only, section="/invitations/"),
        NavItem("Import", "org:import", order=91, visible=admins_only, section="/import/"),
    )
    home_panels = (
        HomePanel("My teams", "org/_panel_my_teams.html", "learnloop.org.panels.my_teams", order=50),
        HomePanel("Organization", "org/_panel_organization.html", "learnloop.org.panels.organization", order=90),
    )
