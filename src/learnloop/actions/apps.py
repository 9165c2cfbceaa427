from django.apps import AppConfig

from learnloop.web.navigation import HomePanel, NavItem


class ActionsConfig(AppConfig):
    name = "learnloop.actions"
    label = "actions"
    verbose_name = "Actions"

    nav_items = (NavItem("Actions", "actions:mine", order=30, section="/actions/"),)
    home_panels = (
        HomePanel("My open actions", "actions/_panel_mine.html", "learnloop.actions.panels.mine", order=15),
    )

    def ready(self):
        from learnloop.actions.references import register_types

        register_types()
        from learnloop.actions.handover import register_kinds

        register_kinds()  # what its people own, for handing over when they leave (org.ownership)
