"""The integration pages in German: calendars, email notifications, webhooks (admins), and the
admin pages of the audit log and background tasks."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import learnloop
from learnloop.integrations import calendars, services
from learnloop.knowledge.models import NotificationKind
from tests import factories
from tests.i18n_check import assert_no_english

DE = {"HTTP_ACCEPT_LANGUAGE": "de"}


def _translated(app_label: str) -> bool:
    return (Path(learnloop.__file__).parent / app_label / "locale" / "de" / "LC_MESSAGES" / "django.po").exists()


@pytest.fixture
def hafen(db):
    factories.organization(name="Hafen Nord AG")
    team = factories.team(name="Hafenbetrieb")
    jana = factories.person(email="jana.mueller@example.org", full_name="Jana Müller")
    admin = factories.person(email="jonas.weber@example.org", full_name="Jonas Weber", role="admin")
    factories.membership(jana, team, role="facilitator")
    return {"team": team, "jana": jana, "admin": admin}


def _as(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_the_calendar_page_is_german(hafen):
    calendars.issue_feed(by=hafen["jana"], team=hafen["team"])
    calendars.issue_feed(by=hafen["jana"])
    response = _as(hafen["jana"]).get(reverse("integrations:calendars"), **DE)
    assert "Meine Termine" in response.content.decode()
    assert_no_english(response)


def test_the_email_notifications_page_is_german(hafen):
    response = _as(hafen["jana"]).get(reverse("integrations:notifications"), **DE)
    assert "Erinnerungen zu Ihren Maßnahmen" in response.content.decode()
    html = response.content.decode()
    if not _translated("knowledge"):
        # The knowledge base's own kinds of notification are named by that app's catalogue.
        for kind in NotificationKind:
            html = html.replace(str(kind.label), "")
    assert_no_english(html)


def test_the_webhook_pages_are_german(hafen, receiver):
    admin = hafen["admin"]
    subscription = services.create_subscription(by=admin, url=receiver.url,
                                                event_types=["action.created"], description="Leitstand")
    client = _as(admin)
    for url in [reverse("integrations:webhooks"), reverse("integrations:webhook", args=[subscription.pk])]:
        html = client.get(url, **DE).content.decode()
        # Event type names (action.created) are identifiers, not prose.
        assert_no_english(re.sub(r"\b[a-z_]+\.[a-z_]+\b", "", html))


def test_the_audit_log_and_background_tasks_are_german(hafen):
    client = _as(hafen["admin"])
    # "Person" is German too ("Person angelegt").
    assert_no_english(client.get(reverse("audit:log"), **DE), allowed=frozenset({"person"}))
    assert_no_english(client.get(reverse("ops:tasks"), **DE))
