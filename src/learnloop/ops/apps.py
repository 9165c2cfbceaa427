from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "learnloop.ops"
    label = "ops"
    verbose_name = "Operations"
