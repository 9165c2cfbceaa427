from django.apps import AppConfig

from learnloop.web.navigation import NavItem


class InsightsConfig(AppConfig):
    name = "learnloop.insights"
    label = "insights"
    verbose_name = "Insights"

    nav_items = (NavItem("Dashboards", "insights:dashboards", order=60, section="/insights/"),)
