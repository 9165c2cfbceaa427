"""One attempt at delivering a webhook: sign, send to the checked address, record the outcome.

Retries: a failed attempt (no answer, a timeout, any status outside 2xx, a redirect — redirects
are never followed, so a receiver can't bounce the request to an internal address) is tried again
after WEBHOOK_RETRY_BASE_SECONDS, doubled per attempt (at most a day), up to WEBHOOK_MAX_ATTEMPTS
attempts. WEBHOOK_DISABLE_AFTER failed attempts in a row, across its deliveries, disable a
subscription; an admin enables it again once the receiver works.
"""

import http.client
import json
import socket
import ssl
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from learnloop import __version__
from learnloop.integrations import addresses, signing
from learnloop.integrations.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription

MAX_READ = 65536


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address, whatever DNS says now; Host stays the URL's host."""

    def __init__(self, target: addresses.Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: addresses.Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # SNI and certificate: the name


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST to url after the address checks; the HTTP status (raises OSError, TargetRefused)."""
    target = addresses.resolve(url)
    connection_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_class(target, settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body, headers={
            "Content-Type": "application/json", "User-Agent": f"Learnloop-Webhooks/{__version__}", **headers,
        })
        response = connection.getresponse()
        response.read(MAX_READ)
        return response.status
    finally:
        connection.close()


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 86400))


def attempt(delivery_id: int) -> datetime | None:
    """Try one delivery now. Returns when to try again (None: delivered, failed for good, or not
    pending any more)."""
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update().select_related("event")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        # Not locked while the receiver answers: deliveries to one subscription don't wait for each other.
        subscription = WebhookSubscription.objects.get(pk=delivery.subscription_id)
        now = timezone.now()
        if not subscription.is_active:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            delivery.last_error = "The subscription is disabled."
            delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
            return None
        body = body_of(delivery.event.payload)
        headers = signing.headers(subscription.secret, delivery.message_id, int(time.time()), body)
        status_code, error = None, ""
        started = time.monotonic()
        try:
            status_code = post(subscription.url, body, headers)
        except addresses.TargetRefused as refused:
            error = str(refused)
        except (OSError, http.client.HTTPException) as failure:
            error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
        duration = int((time.monotonic() - started) * 1000)
        if status_code is not None and not 200 <= status_code < 300:
            error = (f"The receiver answered {status_code} (a redirect, which is not followed)"
                     if 300 <= status_code < 400 else f"The receiver answered {status_code}.")
        WebhookAttempt.objects.create(delivery=delivery, attempted_at=now, status_code=status_code,
                                      error=error[:500], duration_ms=duration)
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = status_code, error[:500]
        again = None
        # Locked now, to count this attempt against what other workers counted meanwhile.
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if not error:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, now, None
            subscription.consecutive_failures = 0
        else:
            subscription.consecutive_failures += 1
            if subscription.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER:
                subscription.is_active, subscription.disabled_at = False, now
                subscription.disabled_reason = (
                    f"Disabled after {subscription.consecutive_failures} failed attempts in a row; last: {error}"
                )[:300]
            if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not subscription.is_active:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            else:
                again = now + backoff(delivery.attempts)
                delivery.next_attempt_at = again
        delivery.save()
        subscription.save(update_fields=["consecutive_failures", "is_active", "disabled_at", "disabled_reason"])
    return again
