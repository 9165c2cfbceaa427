from django.apps import AppConfig

from learnloop.web.navigation import NavItem, admins_only


class IntegrationsConfig(AppConfig):
    name = "learnloop.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    nav_items = (
        NavItem("Webhooks", "integrations:webhooks", order=93, visible=admins_only, section="/integrations/webhooks/"),
        NavItem("Calendar", "integrations:calendars", order=70, section="/integrations/calendars/"),
    )

    def ready(self):
        from learnloop.integrations.receivers import connect

        connect()  # activity events and overdue reminders become webhook events
