"""Email through a real SMTP server started here (aiosmtpd): text and HTML bodies, RFC 8058
one-click unsubscribe, preferences that stop a kind of email."""

import email
import email.policy
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from learnloop.actions import services as actions
from learnloop.actions.models import ActionReminder
from learnloop.actions.reminders import deliver_reminder
from learnloop.integrations import notifications
from learnloop.ops.mail import send_keyed

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks readiness by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5}}}
    yield inbox
    controller.stop()


def _parts(message):
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def test_a_reminder_goes_out_with_text_html_and_one_click_unsubscribe(smtp, member, team, client):
    action = actions.create_action(by=member, title="Rotate the keys & certs", owner=member,
                                   due_on=timezone.localdate() - timedelta(days=2))
    reminder = ActionReminder.objects.create(action=action, kind="overdue", for_date=action.due_on, recipient=member)
    assert deliver_reminder(reminder.pk)

    (_sender, recipients, message), = smtp.messages
    assert recipients == [member.email]
    assert message.get_content_type() == "multipart/alternative"
    parts = _parts(message)
    assert "Rotate the keys & certs" in parts["text/plain"]
    assert "Rotate the keys &amp; certs" in parts["text/html"] and "<a href=\"http" in parts["text/html"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith("http") and "/integrations/unsubscribe/" in url
    assert message["Auto-Submitted"] == "auto-generated"

    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200  # a GET (a link checker) changes nothing
    assert notifications.preferences_of(member)["reminder"] is True
    # What a mail client sends for RFC 8058: a POST, no cookie, no CSRF token.
    answer = client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    chosen = notifications.preferences_of(member)
    assert chosen["reminder"] is False and all(on for kind, on in chosen.items() if kind != "reminder")

    again = ActionReminder.objects.create(action=action, kind="overdue", for_date=action.due_on - timedelta(days=1),
                                          recipient=member)
    deliver_reminder(again.pk)
    assert len(smtp.messages) == 1  # turned off: not sent
    assert send_keyed("digest:999", "Digest", "Body", [member.email]) is True
    assert len(smtp.messages) == 2


def test_bad_unsubscribe_requests(client, member):
    token = notifications.unsubscribe_token(member.pk, "digest")
    assert client.get("/integrations/unsubscribe/forged/").status_code == 404
    assert client.post(f"/integrations/unsubscribe/{token}/", {"List-Unsubscribe": "Maybe"}).status_code == 400
    assert notifications.preferences_of(member)["digest"] is True


def test_other_emails_have_no_unsubscribe_header(smtp, member):
    send_keyed("invitation:1", "Welcome", "Hello", [member.email])
    (_s, _r, message), = smtp.messages
    assert message["List-Unsubscribe"] is None
    assert set(_parts(message)) == {"text/plain", "text/html"}


def test_preferences_page(member_client, member):
    assert member_client.get("/integrations/notifications/").status_code == 200
    assert member_client.post("/integrations/notifications/", {"reminder": "on"}).status_code == 302
    chosen = notifications.preferences_of(member)
    assert chosen["reminder"] is True and not any(on for kind, on in chosen.items() if kind != "reminder")


def test_the_demo_part_is_deterministic(member, admin):
    import random

    from learnloop.demo import DemoContext
    from learnloop.demo.clock import DemoClock
    from learnloop.integrations import demo
    from learnloop.integrations.models import NotificationPreference

    def run():
        NotificationPreference.objects.all().delete()
        context = DemoContext(seed=7, rng=random.Random(7), clock=DemoClock.starting_today(), password_hash="",
                              announce=lambda text: None, people=[member, admin])
        demo.build(context)
        return sorted(NotificationPreference.objects.values_list("person_id", "kind", "enabled"))

    first = run()
    assert first == run()
    assert {kind for _p, kind, enabled in first if not enabled} == {"digest", "reminder"}
