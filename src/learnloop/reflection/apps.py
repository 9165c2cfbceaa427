from django.apps import AppConfig


class ReflectionConfig(AppConfig):
    name = "learnloop.reflection"
    label = "reflection"
    verbose_name = "Reflection"
