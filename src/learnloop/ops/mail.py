"""Emails for logical events: a stable Message-ID per event, and a ledger so each goes out once.

An email for an event (this reminder, this week's digest, this survey invitation) always carries
the same Message-ID, whichever attempt sends it. Retries are then harmless to the ledger and, in
the rare case the mail server accepted a message but the worker died before recording it, the
duplicate is recognisable (same Message-ID) by people and by mail systems that de-duplicate.
"""

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from learnloop.ops.models import SentEmail


def message_id(key: str) -> str:
    """`<learnloop.KIND.HASH@host>`: the same for the same event key on this instance."""
    host = urlsplit(settings.BASE_URL).hostname or "localhost"
    # The hash keeps ids short and ASCII; SECRET_KEY-free on purpose so it survives key rotation.
    digest = hashlib.sha256(f"{host}\0{key}".encode()).hexdigest()[:20]
    kind = key.split(":", 1)[0]
    return f"<learnloop.{kind}.{digest}@{host}>"


def send_keyed(key: str, subject: str, body: str, to: list[str]) -> None:
    """Hand one email to the mail server with the event's Message-ID (raises if it refuses)."""
    EmailMessage(subject, body, None, to, headers={"Message-ID": message_id(key)}).send()


def send_once(key: str, subject: str, body: str, to: list[str]) -> bool:
    """Send the email for event `key` unless it was sent before. True if it was sent now.

    The ledger row is locked while the mail server takes the message and `sent_at` commits with
    it: a concurrent attempt waits for the lock and then sees the email as sent. A failure to send
    rolls the row back, so the next attempt sends it.
    """
    with transaction.atomic():
        record = _locked_record(key)
        if record.sent_at is not None:
            return False
        send_keyed(key, subject, body, to)
        record.sent_at = timezone.now()
        record.save(update_fields=["sent_at"])
    return True


def _locked_record(key: str) -> SentEmail:
    try:
        with transaction.atomic():
            SentEmail.objects.get_or_create(key=key)
    except IntegrityError:
        pass  # another attempt created it a moment ago; the lock below waits for it
    return SentEmail.objects.select_for_update().get(key=key)
