from django.apps import AppConfig
from django.utils.translation import gettext_noop

from learnloop.web.navigation import NavItem, admins_only, signed_in


def leads_a_team(user) -> bool:
    """Chat channels are connected by a team's leads (and admins)."""
    if not signed_in(user):
        return False
    if user.is_admin:
        return True
    from learnloop.org.models import Membership

    return Membership.objects.filter(person=user, role="facilitator").exists()


class IntegrationsConfig(AppConfig):
    name = "learnloop.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    nav_items = (
        NavItem("Webhooks", "integrations:webhooks", order=93, visible=admins_only, section="/integrations/webhooks/"),
        NavItem("Calendar", "integrations:calendars", order=70, section="/integrations/calendars/"),
        NavItem("Notifications", "integrations:notifications", order=71, section="/integrations/notifications/"),
        NavItem(gettext_noop("Chat channels"), "integrations:chat", order=72, visible=leads_a_team,
                section="/integrations/chat/"),
        NavItem(gettext_noop("Provisioning"), "integrations:scim-tokens", order=94, visible=admins_only,
                section="/integrations/provisioning/"),
    )

    def ready(self):
        from learnloop.integrations.receivers import connect

        connect()  # activity events and overdue reminders become webhook events
        from learnloop.integrations.notifications import mail_policy
        from learnloop.ops.mail import set_mail_policy

        set_mail_policy(mail_policy)  # people's email preferences and one-click unsubscribe
