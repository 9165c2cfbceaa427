from django.apps import AppConfig

from learnloop.web.navigation import NavItem


class SystemsConfig(AppConfig):
    name = "learnloop.systems"
    label = "systems"
    verbose_name = "Systems thinking"

    nav_items = (NavItem("Systems", "systems:stockflow_list", order=64, section="/systems/"),)
