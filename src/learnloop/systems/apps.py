from django.apps import AppConfig


class SystemsConfig(AppConfig):
    name = "learnloop.systems"
    label = "systems"
    verbose_name = "Systems thinking"
