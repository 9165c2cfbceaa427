from django.apps import AppConfig

from learnloop.web.navigation import NavItem


class GrowthConfig(AppConfig):
    name = "learnloop.growth"
    label = "growth"
    verbose_name = "Growth"

    nav_items = (NavItem("Growth", "growth:home", order=35, section="/growth/"),)

    def ready(self):
        from learnloop.growth.references import register_types

        register_types()  # learning paths can be cited (an initiative's paths, docs/strategy.md)
