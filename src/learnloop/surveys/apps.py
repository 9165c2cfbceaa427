from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "learnloop.surveys"
    label = "surveys"
    verbose_name = "Surveys"
