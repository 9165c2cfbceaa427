from django.apps import AppConfig

from learnloop.web.navigation import NavItem


class SurveysConfig(AppConfig):
    name = "learnloop.surveys"
    label = "surveys"
    verbose_name = "Surveys"

    nav_items = (NavItem("Surveys", "surveys:campaigns", order=45, section="/surveys/"),)

    def ready(self):
        from learnloop.surveys.references import register_types

        register_types()
