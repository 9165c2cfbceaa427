from django.apps import AppConfig

from learnloop.web.navigation import NavItem


class SystemsConfig(AppConfig):
    name = "learnloop.systems"
    label = "systems"
    verbose_name = "Systems thinking"

    # One menu item for the module: the diagrams page links to the stock-and-flow models and back.
    nav_items = (NavItem("Systems", "systems:diagrams", order=64, section="/systems/"),)

    def ready(self):
        from learnloop.systems.diagram_references import register_types
        from learnloop.systems.stockflow_references import register_types as register_stockflow_types

        register_types()
        register_stockflow_types()
