from django.apps import AppConfig

from learnloop.web.navigation import NavItem, admins_only


class AuditConfig(AppConfig):
    name = "learnloop.audit"
    label = "audit"
    verbose_name = "Audit log"

    nav_items = (NavItem("Audit log", "audit:log", order=95, visible=admins_only, section="/audit/"),)
