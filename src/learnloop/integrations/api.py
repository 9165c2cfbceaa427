"""API for outgoing webhooks (admins): subscriptions, the delivery log, replay."""

from ninja import Router, Status
from ninja.pagination import paginate

from learnloop.api_base import Pagination, Shown, errors
from learnloop.integrations import selectors, services
from learnloop.integrations.api_schemas import (
    WebhookDeliveryDetailOut,
    WebhookDeliveryOut,
    WebhookEventTypeOut,
    WebhookSubscriptionIn,
    WebhookSubscriptionOut,
    WebhookSubscriptionPatch,
    WebhookSubscriptionSecretOut,
)
from learnloop.integrations.events import EVENT_TYPES
from learnloop.integrations.permissions import require_webhook_admin

router = Router(tags=["webhooks"])


def _subscription(subscription, *, secret: bool = False) -> dict:
    shown = {
        "id": subscription.pk, "url": subscription.url, "description": subscription.description,
        "event_types": subscription.event_types, "is_active": subscription.is_active,
        "consecutive_failures": subscription.consecutive_failures,
        "disabled_reason": subscription.disabled_reason, "disabled_at": subscription.disabled_at,
        "created_at": subscription.created_at,
    }
    if secret:
        shown["secret"] = subscription.secret
    return shown


def _delivery(delivery) -> dict:
    return {
        "id": delivery.pk, "subscription_id": delivery.subscription_id, "message_id": delivery.message_id,
        "event_type": delivery.event.type, "status": delivery.status, "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at, "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error, "replay_of": delivery.replay_of_id, "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
    }


@router.get("/event-types", response={200: list[WebhookEventTypeOut], **errors(403)},
            summary="The event types a subscription can choose (admins)")
def event_types(request):
    require_webhook_admin(request.user)
    return [{"name": item.name, "description": item.description} for item in EVENT_TYPES.values()]


@router.get("/deliveries/{delivery_id}", response={200: WebhookDeliveryDetailOut, **errors(403, 404)},
            summary="One delivery with its payload and attempts (admins)")
def get_delivery(request, delivery_id: int):
    delivery = selectors.delivery(viewer=request.user, delivery_id=delivery_id)
    attempts = selectors.attempts(viewer=request.user, delivery_id=delivery.pk)
    return {**_delivery(delivery), "payload": delivery.event.payload, "attempt_log": list(attempts)}


@router.post("/deliveries/{delivery_id}/replay", response={201: WebhookDeliveryOut, **errors(403, 404)},
             summary="Send a finished delivery again, same webhook-id (admins)")
def replay_delivery(request, delivery_id: int):
    copy = services.replay(by=request.user, delivery_id=delivery_id)
    return Status(201, _delivery(selectors.delivery(viewer=request.user, delivery_id=copy.pk)))


@router.get("", response={200: list[WebhookSubscriptionOut], **errors(403)}, summary="Webhook subscriptions (admins)")
@paginate(Pagination)
def list_subscriptions(request):
    return Shown(selectors.subscriptions(viewer=request.user), _subscription)


@router.post("", response={201: WebhookSubscriptionSecretOut, **errors(403)},
             summary="Subscribe a receiver to event types (admins); answers with the signing secret")
def create_subscription(request, payload: WebhookSubscriptionIn):
    subscription = services.create_subscription(by=request.user, url=payload.url, event_types=payload.event_types,
                                                description=payload.description)
    return Status(201, _subscription(subscription, secret=True))


@router.get("/{subscription_id}", response={200: WebhookSubscriptionSecretOut, **errors(403, 404)},
            summary="One subscription with its signing secret (admins)")
def get_subscription(request, subscription_id: int):
    return _subscription(selectors.subscription(viewer=request.user, subscription_id=subscription_id), secret=True)


@router.patch("/{subscription_id}", response={200: WebhookSubscriptionOut, **errors(403, 404)},
              summary="Change, disable or enable a subscription (admins)")
def update_subscription(request, subscription_id: int, payload: WebhookSubscriptionPatch):
    selectors.subscription(viewer=request.user, subscription_id=subscription_id)
    subscription = services.update_subscription(by=request.user, subscription_id=subscription_id, url=payload.url,
                                                event_types=payload.event_types, description=payload.description,
                                                active=payload.active)
    return _subscription(subscription)


@router.delete("/{subscription_id}", response={204: None, **errors(403, 404)},
               summary="Delete a subscription and its delivery log (admins)")
def delete_subscription(request, subscription_id: int):
    services.delete_subscription(by=request.user, subscription_id=subscription_id)
    return Status(204, None)


@router.post("/{subscription_id}/rotate-secret", response={200: WebhookSubscriptionSecretOut, **errors(403, 404)},
             summary="Replace the signing secret (admins)")
def rotate_secret(request, subscription_id: int):
    return _subscription(services.rotate_secret(by=request.user, subscription_id=subscription_id), secret=True)


@router.post("/{subscription_id}/test", response={201: WebhookDeliveryOut, **errors(403, 404)},
             summary="Queue a ping event to the receiver (admins)")
def send_test(request, subscription_id: int):
    delivery = services.send_test(by=request.user, subscription_id=subscription_id)
    return Status(201, _delivery(selectors.delivery(viewer=request.user, delivery_id=delivery.pk)))


@router.get("/{subscription_id}/deliveries", response={200: list[WebhookDeliveryOut], **errors(403, 404)},
            summary="A subscription's delivery log, newest first (admins)")
@paginate(Pagination)
def list_deliveries(request, subscription_id: int):
    subscription = selectors.subscription(viewer=request.user, subscription_id=subscription_id)
    return Shown(selectors.deliveries(viewer=request.user, subscription_id=subscription.pk), _delivery)
