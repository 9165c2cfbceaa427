"""The "agreed before" warning on the new-action form, linking from it, and the repeats pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learnloop.actions import services
from learnloop.actions.models import Action
from tests import factories

TITLE = "Write a runbook for database failover"


@pytest.fixture
def earlier(facilitator, team):
    at = timezone.now() - timedelta(days=90)
    first = services.create_action(by=facilitator, title="Write a runbook for DB failover", team=team, at=at)
    services.complete_action(by=facilitator, action=first, effect="worked", evidence="Drill passed.",
                             at=at + timedelta(days=3))
    second = services.create_action(by=facilitator, title="Write the database failover runbook", team=team,
                                    at=at + timedelta(days=40))
    return first, second


def test_the_warning_shows_earlier_actions_with_their_outcomes(client, facilitator, team, earlier):
    client.force_login(facilitator)
    response = client.post(reverse("actions:similar"), {"title": TITLE, "team": team.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Agreed before" in page and "agreed 2 times since" in page and "1 marked worked" in page
    assert "1 still open" in page and "add to it instead" in page
    for action in earlier:
        assert f'value="{action.pk}"' in page
    assert client.post(reverse("actions:similar"), {"title": "Buy a plant"}).content.decode().strip() == ""
    # Bad input is no 500: the form refuses it and the warning stays empty.
    assert client.post(reverse("actions:similar"), {"title": TITLE, "team": "x"}).status_code == 200


def test_the_new_action_form_asks_for_the_warning_and_links(client, facilitator, team, earlier):
    client.force_login(facilitator)
    page = client.get(reverse("actions:create")).content.decode()
    assert 'hx-post="/actions/similar/"' in page
    response = client.post(reverse("actions:create"), {
        "title": TITLE, "team": team.pk, "owner": facilitator.pk, "priority": "normal",
        "repeat_of": earlier[0].pk,
    })
    assert response.status_code == 302
    created = Action.objects.latest("id")
    assert created.repeat_of == earlier[0]
    detail = client.get(reverse("actions:detail", args=[created.pk])).content.decode()
    assert f"#{earlier[0].pk} Write a runbook for DB failover" in detail and "it worked" in detail
    back = client.get(reverse("actions:detail", args=[earlier[0].pk])).content.decode()
    assert "Agreed again later" in back and f"#{created.pk}" in back


def test_linking_to_an_action_you_cannot_see_is_a_form_error(client, teammate, team, department):
    other = factories.team(name="Finance", parent=department)
    stranger = factories.person(email="sam.stranger@example.org", full_name="Sam Stranger")
    factories.membership(stranger, other)
    hidden = services.create_action(by=stranger, title=TITLE, team=other)
    client.force_login(teammate)
    response = client.post(reverse("actions:create"), {
        "title": TITLE, "team": team.pk, "owner": teammate.pk, "priority": "normal", "repeat_of": hidden.pk,
    })
    assert response.status_code == 200
    assert "No earlier action with this id that you can see." in response.content.decode()
    assert not Action.objects.filter(team=team).exists()
    # Nor does the warning show it.
    warning = client.post(reverse("actions:similar"), {"title": TITLE, "team": team.pk}).content.decode()
    assert "Agreed before" not in warning and f'value="{hidden.pk}"' not in warning


def test_team_and_organization_repeat_pages(client, facilitator, outsider, learning_lead, team, earlier):
    client.force_login(facilitator)
    page = client.get(reverse("actions:team-repeats", args=[team.pk])).content.decode()
    assert "Agreed 2 times since" in page and "Write the database failover runbook" in page
    assert "Worked, yet agreed again" in page
    assert client.get(reverse("actions:repeats")).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("actions:team-repeats", args=[team.pk])).status_code == 403
    client.force_login(learning_lead)
    assert "Write the database failover runbook" in client.get(reverse("actions:repeats")).content.decode()


def _history(team, lead, copies: int):
    at = timezone.now() - timedelta(days=300)
    for number in range(copies):
        for title in ("Write a runbook for database failover", "Quarantine flaky tests automatically",
                      f"One-off idea number {number} about {'abcdefghij'[number % 10]} things"):
            action = services.create_action(by=lead, title=title, team=team, at=at + timedelta(days=number))
            if number % 2:
                services.complete_action(by=lead, action=action, effect="worked", at=at + timedelta(days=number + 1))


@pytest.mark.parametrize("url_name", ["actions:team-repeats", "actions:repeats"])
def test_repeat_pages_run_the_same_queries_at_ten_times_the_data(client, learning_lead, facilitator, team, url_name):
    client.force_login(learning_lead)
    args = [team.pk] if url_name == "actions:team-repeats" else []
    counts = []
    for copies in (2, 20):
        Action.objects.all().delete()
        _history(team, facilitator, copies)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(url_name, args=args))
        assert response.status_code == 200 and "Quarantine flaky tests automatically" in response.content.decode()
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
