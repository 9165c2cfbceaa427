from django.apps import AppConfig

from learnloop.web.navigation import NavItem


class InsightsConfig(AppConfig):
    name = "learnloop.insights"
    label = "insights"
    verbose_name = "Insights"

    nav_items = (
        NavItem("Dashboards", "insights:dashboards", order=60, section="/insights/"),
        NavItem("Themes", "insights:themes", order=61, section="/insights/themes/"),
    )

    def ready(self):
        from learnloop.insights import themes_signals

        themes_signals.connect()
