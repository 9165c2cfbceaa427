"""Each domain's events reach webhooks: sessions, experiments, survey releases, overdue actions."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from learnloop.actions import services as actions
from learnloop.actions.models import ActionReminder
from learnloop.integrations import services

pytestmark = pytest.mark.django_db


def received(subscription, receiver) -> list[dict]:
    return [Webhook(subscription.secret).verify(body, headers) for _path, headers, body in receiver.requests]


def test_a_closed_session(admin, team, receiver):
    from learnloop.reflection import services as reflection
    from learnloop.reflection.models import PHASE_ORDER
    from tests import factories

    factories.membership(admin, team, role="facilitator")
    subscription = services.create_subscription(by=admin, url=receiver.url, event_types=["session.closed"])
    template = reflection.builtin_template("start-stop-continue")
    session = reflection.create_session(by=admin, team=team, template=template, title="Incident review")
    for phase in PHASE_ORDER[1:]:
        session = reflection.set_phase(by=admin, session=session, phase=phase)
    (payload,) = received(subscription, receiver)
    assert payload["type"] == "session.closed"
    assert payload["data"]["session"]["title"] == "Incident review"
    assert payload["data"]["session"]["team"]["id"] == team.pk


def test_an_overdue_action_is_sent_once_per_due_date(admin, member, team, receiver):
    subscription = services.create_subscription(by=admin, url=receiver.url, event_types=["action.overdue"])
    action = actions.create_action(by=admin, title="Late", owner=member, team=team,
                                   due_on=timezone.localdate() - timedelta(days=3))
    ActionReminder.objects.create(action=action, kind="overdue", for_date=action.due_on, recipient=member)
    ActionReminder.objects.create(action=action, kind="overdue", for_date=action.due_on, recipient=admin)
    ActionReminder.objects.create(action=action, kind="due_soon", for_date=action.due_on, recipient=member)
    (payload,) = received(subscription, receiver)
    assert payload["type"] == "action.overdue" and payload["data"]["action"]["id"] == action.pk
    assert payload["data"]["actor"] is None


def test_a_released_survey_report(receiver, survey_org):
    from tests.surveys.conftest import run_campaign

    subscription = services.create_subscription(by=survey_org.admin, url=receiver.url,
                                                event_types=["survey.report_released"])
    campaign = run_campaign(survey_org)
    (payload,) = received(subscription, receiver)
    assert payload["type"] == "survey.report_released"
    assert payload["data"]["campaign"] == {"id": campaign.pk, "name": "Spring pulse",
                                           "url": payload["data"]["campaign"]["url"]}
    assert payload["data"]["actor"] is None
