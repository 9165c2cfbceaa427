"""The weekly digest gains the week's recurring themes, and the alert when one came back after an
action on it was marked effective."""

from datetime import date, datetime

import pytest
from django.core import mail
from django.utils import timezone

from learnloop.actions import sending
from learnloop.actions import services as actions
from learnloop.insights import themes_services as services
from tests.insights.conftest import DEPLOY, ONCALL, retro

pytestmark = pytest.mark.django_db


def test_the_digest_lists_the_weeks_recurring_themes_and_the_alert(crews, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    retro(crews["Platform"], [DEPLOY[0], ONCALL[0]], held_on=date(2026, 3, 2))
    retro(crews["Payments"], [DEPLOY[1], ONCALL[1]], held_on=date(2026, 4, 6))
    lead = crews["Platform"]["lead"]
    fixed = actions.create_action(by=lead, title="Stop Friday deploys to production", team=crews["Platform"]["team"],
                                  owner=lead)
    actions.complete_action(by=lead, action=fixed, effect="worked", evidence="Quiet Fridays",
                            at=timezone.make_aware(datetime(2026, 4, 20, 12)))
    services.rebuild()
    # Platform, whose fix it was, raised it again in two sessions: it came back.
    for held_on in (date(2026, 6, 1), date(2026, 6, 8)):
        services.place([f"session:{retro(crews['Platform'], [DEPLOY[1]], held_on=held_on).pk}"])
    june = retro(crews["Payments"], [DEPLOY[2]], held_on=date(2026, 6, 15))
    services.place([f"session:{june.pk}"])
    sending.run_digests(today=date(2026, 6, 16))
    to_learning_lead = next(message for message in mail.outbox if message.to == [crews["learning"].email])
    assert "Recurring themes this week:" in to_learning_lead.body
    assert "1 new this week, first seen 2 Mar 2026" in to_learning_lead.body
    assert "Came back after “Stop Friday deploys to production” was marked effective on 20 Apr 2026" in (
        to_learning_lead.body)
    # The June retro moved Payments' session cadence too (metrics_digest).
    assert to_learning_lead.subject == "This week: recurring themes this week, metric changes by team"
    # A Platform member's digest would count only Platform's items: the June card is Payments'.
    assert not any(message.to == [crews["Platform"]["members"][0].email] for message in mail.outbox)
