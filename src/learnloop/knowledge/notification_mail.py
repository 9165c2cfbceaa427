"""Emailing one notification, on the worker (tasks.py) or inline.

The email goes through ops.mail's ledger (`send_once`), keyed by the notification, so a retried
job never sends it twice; whether the person gets this kind of email at all is their preference,
asked by ops.mail of the integrations app (which also adds the one-click unsubscribe headers).
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from learnloop.knowledge.models import Notification
from learnloop.knowledge.permissions import can_view
from learnloop.ops.mail import send_once


def recipient_language(person) -> str:
    """The recipient's own language when they chose one (the core i18n work's Person.language;
    org.language.for_person once merged), else the site's."""
    code = getattr(person, "language", "") or ""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def entry_link(entry_id: int) -> str:
    return settings.BASE_URL + reverse("knowledge:entry", args=[entry_id])


def deliver_notification(notification_id: int) -> bool:
    """Email one notification. False when there is nothing to send: already emailed, the person
    left, they may no longer see the entry, or they turned this kind of email off."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "entry")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not can_view(notification.recipient, notification.entry):
            return False
        person = notification.recipient
        with translation.override(recipient_language(person)):
            subject = f"{notification.entry.title[:150]} · {notification.get_kind_display()}"
            body = render_to_string("knowledge/email/notification.txt", {
                "notification": notification, "person": person, "link": entry_link(notification.entry_id),
                "inbox": settings.BASE_URL + reverse("knowledge:notifications"),
                "preferences": settings.BASE_URL + reverse("integrations:notifications"),
            })
        sent = send_once(f"{notification.kind}:{notification.pk}", subject[:200], body, [person.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return sent
