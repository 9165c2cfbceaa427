from django.apps import AppConfig

from learnloop.web.navigation import HomePanel, NavItem


class ExperimentsConfig(AppConfig):
    name = "learnloop.experiments"
    label = "experiments"
    verbose_name = "Experiments"

    nav_items = (NavItem("Experiments", "experiments:portfolio", order=25, section="/experiments/"),)
    home_panels = (
        HomePanel("Running experiments", "experiments/_panel_running.html", "learnloop.experiments.panels.running",
                  order=40),
    )

    def ready(self):
        from learnloop.experiments.references import register_types

        register_types()
        from learnloop.experiments.handover import register_kinds

        register_kinds()  # what its people own, for handing over when they leave (org.ownership)
