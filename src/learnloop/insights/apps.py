from django.apps import AppConfig

from learnloop.web.navigation import HomePanel, NavItem


class InsightsConfig(AppConfig):
    name = "learnloop.insights"
    label = "insights"
    verbose_name = "Insights"

    nav_items = (
        NavItem("Dashboards", "insights:dashboards", order=60, section="/insights/"),
        NavItem("Themes", "insights:themes", order=61, section="/insights/themes/"),
    )
    # The home page per role (panels.py): the organization for learning leads, each led team for
    # team leads, recurring themes for everyone else.
    home_panels = (
        HomePanel("The organization's loop", "insights/_panel_organization.html",
                  "learnloop.insights.panels.organization_loop", order=5),
        HomePanel("Your teams' loop", "insights/_panel_teams.html", "learnloop.insights.panels.team_loops", order=8),
        HomePanel("Coming up again and again", "insights/_panel_recurring.html",
                  "learnloop.insights.panels.recurring_themes", order=30),
    )

    def ready(self):
        from learnloop.insights import themes_signals

        themes_signals.connect()
