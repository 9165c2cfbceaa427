"""Webhook subscriptions: create, change, rotate the secret, delete, enable again, replay."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.activity.services import record_activity
from learnloop.integrations import addresses, dispatch, events, signing
from learnloop.integrations.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from learnloop.integrations.permissions import require_webhook_admin


def _clean_types(event_types) -> list[str]:
    chosen = list(dict.fromkeys(event_types or []))
    unknown = [name for name in chosen if name not in events.EVENT_TYPES]
    if unknown:
        raise ValidationError({"event_types": f"Unknown event type {', '.join(unknown)}; "
                                              f"known: {', '.join(events.EVENT_TYPES)}."})
    if not chosen:
        raise ValidationError({"event_types": gettext("Choose at least one event type.")})
    return chosen


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError({"url": gettext("The URL is longer than 500 characters.")})
    try:
        addresses.resolve(url)
    except addresses.TargetRefused as refused:
        raise ValidationError({"url": str(refused)}) from None
    return url


def create_subscription(*, by, url: str, event_types, description: str = "") -> WebhookSubscription:
    require_webhook_admin(by)
    url, event_types = _clean_url(url), _clean_types(event_types)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            url=url, event_types=event_types, description=description.strip()[:200],
            secret=signing.new_secret(), created_by=by,
        )
        record_activity(verb="webhook_created", subject=subscription, actor=by, data={"types": event_types})
    return subscription


def update_subscription(*, by, subscription_id: int, url: str | None = None, event_types=None,
                        description: str | None = None, active: bool | None = None) -> WebhookSubscription:
    require_webhook_admin(by)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
        if url is not None:
            subscription.url = _clean_url(url)
        if event_types is not None:
            subscription.event_types = _clean_types(event_types)
        if description is not None:
            subscription.description = description.strip()[:200]
        if active is True and not subscription.is_active:
            subscription.is_active, subscription.consecutive_failures = True, 0
            subscription.disabled_at, subscription.disabled_reason = None, ""
        elif active is False and subscription.is_active:
            subscription.is_active, subscription.disabled_at = False, timezone.now()
            subscription.disabled_reason = f"Disabled by {by.full_name}."
        subscription.save()
        record_activity(verb="webhook_changed", subject=subscription, actor=by)
    return subscription


def rotate_secret(*, by, subscription_id: int) -> WebhookSubscription:
    require_webhook_admin(by)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
        subscription.secret = signing.new_secret()
        subscription.save(update_fields=["secret"])
        record_activity(verb="webhook_secret_rotated", subject=subscription, actor=by)
    return subscription


def delete_subscription(*, by, subscription_id: int) -> None:
    require_webhook_admin(by)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.get(pk=subscription_id)
        record_activity(verb="webhook_deleted", subject=subscription, actor=by, data={"url": subscription.url})
        subscription.delete()


def replay(*, by, delivery_id: int) -> WebhookDelivery:
    """Send a delivered or failed message again: a new delivery with the same webhook-id and
    payload (a receiver that de-duplicates sees it is the same message), fresh attempts."""
    require_webhook_admin(by)
    with transaction.atomic():
        original = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
        if original.status == DeliveryStatus.PENDING:
            raise ValidationError(gettext("This delivery is still being tried; replay it once it succeeded or failed."))
        if not original.subscription.is_active:
            raise ValidationError(gettext("The subscription is disabled: enable it first."))
        copy = WebhookDelivery.objects.create(subscription=original.subscription, event_id=original.event_id,
                                              message_id=original.message_id, replay_of=original)
        dispatch.queue(copy)
    return copy


def send_test(*, by, subscription_id: int) -> WebhookDelivery:
    """A `ping` to check the receiver and its signature check."""
    require_webhook_admin(by)
    from learnloop.integrations.models import WebhookEvent

    with transaction.atomic():
        subscription = WebhookSubscription.objects.get(pk=subscription_id)
        now = timezone.now()
        message_id = signing.new_message_id()
        event = WebhookEvent.objects.create(type="ping", key=f"ping:{message_id}", payload={
            "type": "ping", "timestamp": now.isoformat(), "data": {"subscription": subscription.pk},
        })
        delivery = WebhookDelivery.objects.create(subscription=subscription, event=event, message_id=message_id)
        dispatch.queue(delivery)
    return delivery
