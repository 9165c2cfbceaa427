from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "learnloop.activity"
    label = "activity"
    verbose_name = "Activity events"
