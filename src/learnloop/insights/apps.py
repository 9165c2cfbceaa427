from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "learnloop.insights"
    label = "insights"
    verbose_name = "Insights"
