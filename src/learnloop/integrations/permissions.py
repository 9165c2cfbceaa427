"""Who may manage integrations: webhooks are admins' (they send the organization's events out);
calendar feeds are each person's own."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext


def can_manage_webhooks(person) -> bool:
    return bool(getattr(person, "is_admin", False))


def require_webhook_admin(person) -> None:
    if not can_manage_webhooks(person):
        raise PermissionDenied(gettext("Only admins can manage webhooks."))
