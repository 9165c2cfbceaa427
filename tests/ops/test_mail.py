"""Each logical email goes out at most once, always with the same Message-ID."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from learnloop.ops.mail import message_id, send_once
from learnloop.ops.models import SentEmail
from learnloop.surveys import mailing, services
from learnloop.surveys.models import Instrument, Invitation
from tests import factories

pytestmark = pytest.mark.django_db


def test_message_ids_are_stable_per_event_and_differ_between_events():
    assert message_id("reminder:1") == message_id("reminder:1")
    assert message_id("reminder:1") != message_id("reminder:2")
    assert message_id("digest:1").startswith("<learnloop.digest.")


def test_an_email_is_sent_once_however_often_it_is_asked_for():
    assert send_once("survey-invitation:7", "Pulse", "Hello", ["a@example.org"])
    assert not send_once("survey-invitation:7", "Pulse", "Hello", ["a@example.org"])
    assert [message.extra_headers["Message-ID"] for message in mail.outbox] == [message_id("survey-invitation:7")]
    assert SentEmail.objects.get(key="survey-invitation:7").sent_at is not None


def test_an_email_the_mail_server_refused_is_sent_by_the_next_attempt(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.ops.test_mail.RefusingBackend"}}
    with pytest.raises(ConnectionRefusedError):
        send_once("reminder:9", "Due", "Body", ["a@example.org"])
    assert not SentEmail.objects.filter(key="reminder:9", sent_at__isnull=False).exists()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert send_once("reminder:9", "Due", "Body", ["a@example.org"])
    assert len(mail.outbox) == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_survey_invitation_and_each_reminder_go_out_once():
    admin = factories.person(email="ada.admin@example.org", role="admin")
    factories.person(email="pat@example.org")
    services.install_built_in_instruments()
    today = timezone.localdate()
    campaign = services.create_campaign(
        by=admin, name="Pulse", instrument=Instrument.objects.get(slug="pulse"), opens_on=today,
        closes_on=today + timedelta(days=14),
    )
    services.launch_campaign(by=admin, campaign=campaign, notify=False)
    invitation = Invitation.objects.get(person__email="pat@example.org")

    assert mailing.deliver_invitation(invitation.pk)
    assert not mailing.deliver_invitation(invitation.pk)  # a retry of the same task
    assert mailing.deliver_invitation(invitation.pk, reminder=True, number=1)
    assert not mailing.deliver_invitation(invitation.pk, reminder=True, number=1)
    assert mailing.deliver_invitation(invitation.pk, reminder=True, number=2)
    assert [message.subject for message in mail.outbox] == ["Pulse", "Reminder: Pulse", "Reminder: Pulse"]
    assert len({message.extra_headers["Message-ID"] for message in mail.outbox}) == 3
