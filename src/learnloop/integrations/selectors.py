"""Reads for the webhook pages and API (admins)."""

from learnloop.integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from learnloop.integrations.permissions import require_webhook_admin


def subscriptions(*, viewer):
    require_webhook_admin(viewer)
    return WebhookSubscription.objects.order_by("url", "id")


def subscription(*, viewer, subscription_id: int) -> WebhookSubscription:
    require_webhook_admin(viewer)
    return WebhookSubscription.objects.get(pk=subscription_id)


def deliveries(*, viewer, subscription_id: int):
    require_webhook_admin(viewer)
    return (WebhookDelivery.objects.filter(subscription_id=subscription_id)
            .select_related("event").order_by("-created_at", "-id"))


def delivery(*, viewer, delivery_id: int) -> WebhookDelivery:
    require_webhook_admin(viewer)
    return WebhookDelivery.objects.select_related("event", "subscription").get(pk=delivery_id)


def attempts(*, viewer, delivery_id: int):
    require_webhook_admin(viewer)
    return WebhookAttempt.objects.filter(delivery_id=delivery_id).order_by("attempted_at", "id")
