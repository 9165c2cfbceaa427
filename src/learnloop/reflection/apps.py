from django.apps import AppConfig

from learnloop.web.navigation import NavItem


class ReflectionConfig(AppConfig):
    name = "learnloop.reflection"
    label = "reflection"
    verbose_name = "Reflection"

    nav_items = (NavItem("Sessions", "reflection:list", order=20, section="/sessions/"),)

    def ready(self):
        from learnloop.reflection.references import register_types

        register_types()
