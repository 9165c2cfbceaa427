from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "learnloop.network"
    label = "network"
    verbose_name = "Knowledge network"

    nav_items = ()
