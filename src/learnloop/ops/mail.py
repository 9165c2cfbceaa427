"""Emails for logical events: a stable Message-ID per event, and a ledger so each goes out once.

An email for an event (this reminder, this week's digest, this survey invitation) always carries
the same Message-ID, whichever attempt sends it. Retries are then harmless to the ledger and, in
the rare case the mail server accepted a message but the worker died before recording it, the
duplicate is recognisable (same Message-ID) by people and by mail systems that de-duplicate.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape

from learnloop.ops.models import SentEmail


def message_id(key: str) -> str:
    """`<learnloop.KIND.HASH@host>`: the same for the same event key on this instance."""
    host = urlsplit(settings.BASE_URL).hostname or "localhost"
    # The hash keeps ids short and ASCII; SECRET_KEY-free on purpose so it survives key rotation.
    digest = hashlib.sha256(f"{host}\0{key}".encode()).hexdigest()[:20]
    kind = key.split(":", 1)[0]
    return f"<learnloop.{kind}.{digest}@{host}>"


@dataclass(frozen=True)
class MailDecision:
    send: bool = True
    # RFC 8058 one-click unsubscribe: an https URL that takes a POST of "List-Unsubscribe=One-Click".
    unsubscribe_url: str | None = None


# Set by an app above ops (learnloop.integrations: people's notification preferences); ops can't
# import it. Called with the email's kind (the key's first part: "reminder", "digest", …) and
# the one recipient's address.
_policy: Callable[[str, str], MailDecision] | None = None


def set_mail_policy(policy: Callable[[str, str], MailDecision] | None) -> None:
    global _policy
    _policy = policy


def decide(kind: str, to: list[str]) -> MailDecision:
    if _policy is None or len(to) != 1:
        return MailDecision()
    return _policy(kind, to[0])


_LINK = re.compile(r"(https?://[^\s<>\"]+)")


def html_body(text: str) -> str:
    """The text body as simple HTML: paragraphs, line breaks and clickable links."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    rendered = []
    for paragraph in paragraphs:
        safe = _LINK.sub(r'<a href="\1">\1</a>', escape(paragraph)).replace("\n", "<br>\n")
        rendered.append(f"<p>{safe}</p>")
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>"
            "<body style=\"font-family: sans-serif; line-height: 1.4\">\n" + "\n".join(rendered) + "\n</body></html>\n")


def send_keyed(key: str, subject: str, body: str, to: list[str]) -> bool:
    """Hand one email to the mail server with the event's Message-ID (raises if it refuses).

    Plain text with an HTML alternative. False, and nothing sent, when the recipient turned this
    kind of email off; with a way to turn it off, the RFC 8058 one-click unsubscribe headers.
    """
    decision = decide(key.split(":", 1)[0], to)
    if not decision.send:
        return False
    headers = {
        "Message-ID": message_id(key),
        # RFC 3834: out-of-office and other automatic replies should not answer this.
        "Auto-Submitted": "auto-generated",
    }
    if decision.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{decision.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(subject, body, None, to, headers=headers)
    message.attach_alternative(html_body(body), "text/html")
    message.send()
    return True


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
        sent = send_keyed(key, subject, body, to)
        # A message the recipient turned off counts as handled: it is not tried again.
        record.sent_at = timezone.now()
        record.save(update_fields=["sent_at"])
    return sent


def _locked_record(key: str) -> SentEmail:
    try:
        with transaction.atomic():
            SentEmail.objects.get_or_create(key=key)
    except IntegrityError:
        pass  # another attempt created it a moment ago; the lock below waits for it
    return SentEmail.objects.select_for_update().get(key=key)
