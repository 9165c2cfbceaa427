from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "learnloop.experiments"
    label = "experiments"
    verbose_name = "Experiments"
