from django.apps import AppConfig

from learnloop.web.navigation import NavItem


class StrategyConfig(AppConfig):
    name = "learnloop.strategy"
    label = "strategy"
    verbose_name = "Strategy"

    nav_items = (NavItem("Strategy", "strategy:home", order=65, section="/strategy/"),)

    def ready(self):
        from learnloop.strategy.references import register_types
        from learnloop.strategy.refresh_signals import connect

        register_types()
        connect()
