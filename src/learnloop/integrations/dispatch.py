"""Turning what happened into webhook events and queued deliveries, in the transaction of the
write that caused them (both happen, or neither)."""

from django.db import IntegrityError, transaction

from learnloop.activity.batch import batch_memo
from learnloop.integrations import signing
from learnloop.integrations.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from learnloop.integrations.tasks import deliver_webhook


def _active_subscriptions() -> list[WebhookSubscription]:
    memo = batch_memo()
    if memo is None:
        return list(WebhookSubscription.objects.filter(is_active=True))
    if "webhook_subscriptions" not in memo:  # a batch of writes reads them once (activity.batch)
        memo["webhook_subscriptions"] = list(WebhookSubscription.objects.filter(is_active=True))
    return memo["webhook_subscriptions"]


def subscribers(event_type: str) -> list[WebhookSubscription]:
    return [sub for sub in _active_subscriptions() if event_type in sub.event_types]


def emit(event_type: str, *, key: str, build) -> WebhookEvent | None:
    """Record the event and queue one delivery per active subscription to its type. `build()`
    returns the payload; it only runs when someone subscribed. Sent once per key."""
    targets = subscribers(event_type)
    if not targets:
        return None
    payload = build()
    if payload is None:
        return None
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(type=event_type, key=key, payload=payload)
    except IntegrityError:
        return None  # already sent
    for subscription in targets:
        queue(WebhookDelivery.objects.create(subscription=subscription, event=event,
                                             message_id=signing.new_message_id()))
    return event


def queue(delivery: WebhookDelivery) -> None:
    deliver_webhook.enqueue(delivery.pk)
