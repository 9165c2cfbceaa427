"""Each domain's events reach webhooks: sessions, experiments, survey releases, overdue actions."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from learnloop.actions import services as actions
from learnloop.actions.models import ActionReminder
from learnloop.integrations import services
from tests.insights.conftest import crews  # noqa: F401  (the two teams writing about the same problems)

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


def test_a_theme_that_came_back_after_an_effective_action(receiver, crews):  # noqa: F811
    from datetime import date

    from learnloop.insights import themes_services
    from learnloop.insights.themes_models import ThemeItem
    from tests import factories
    from tests.insights.conftest import DEPLOY, ONCALL, retro

    admin = factories.person(email="ada.admin@example.org", full_name="Ada Admin", role="admin")
    subscription = services.create_subscription(by=admin, url=receiver.url, event_types=["theme.recurred"])
    retro(crews["Platform"], [DEPLOY[0], ONCALL[0]], held_on=date(2026, 3, 2))
    retro(crews["Payments"], [DEPLOY[1], ONCALL[1]], held_on=date(2026, 4, 6))
    themes_services.rebuild()
    lead = crews["Platform"]["lead"]
    action = actions.create_action(by=lead, title="Stop Friday deploys to production", team=crews["Platform"]["team"])
    actions.complete_action(by=lead, action=action, effect="worked", evidence="No Friday incidents",
                            at=timezone.make_aware(timezone.datetime(2026, 5, 20, 12)))
    themes_services.place_action(action.pk)
    assert received(subscription, receiver) == []  # effective, and nothing came after it yet

    elsewhere = retro(crews["Payments"], ["Friday deploy broke production once more"], held_on=date(2026, 6, 8))
    themes_services.place_session(elsewhere.pk)
    once = retro(crews["Platform"], ["Friday deploy broke production once more"], held_on=date(2026, 6, 10))
    themes_services.place_session(once.pk)
    assert received(subscription, receiver) == []  # another team's card, then one session of its own
    session = retro(crews["Platform"], ["Deploys on Friday broke production yet again"], held_on=date(2026, 6, 15))
    themes_services.place_session(session.pk)
    (payload,) = received(subscription, receiver)
    theme = ThemeItem.objects.get(action=action).theme
    assert payload["type"] == "theme.recurred"
    data = payload["data"]
    assert data["theme"]["id"] == theme.pk and data["theme"]["url"].endswith(f"/insights/themes/{theme.pk}/")
    assert data["action"]["id"] == action.pk and data["effective_on"] == "2026-05-20"
    assert (data["items_since"], data["latest"], data["actor"]) == (2, "2026-06-15", None)
    assert "once more" not in str(payload) and "yet again" not in str(payload)  # no card text leaves with it

    # Placed again, regrouped, or coming back once more: the same theme and action are sent once.
    themes_services.place_session(session.pk)
    themes_services.rebuild()
    later = retro(crews["Platform"], ["Friday deploys broke production yet again"], held_on=date(2026, 6, 29))
    themes_services.place_session(later.pk)
    assert len(received(subscription, receiver)) == 1
