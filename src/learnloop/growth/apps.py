from django.apps import AppConfig

from learnloop.web.navigation import NavItem


class GrowthConfig(AppConfig):
    name = "learnloop.growth"
    label = "growth"
    verbose_name = "Growth"

    nav_items = (NavItem("Growth", "growth:home", order=35, section="/growth/"),)
