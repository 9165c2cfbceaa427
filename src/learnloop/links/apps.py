from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "learnloop.links"
    label = "links"
    verbose_name = "Links between objects"
