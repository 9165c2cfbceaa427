"""The action pages in German: a German team's actions (open, overdue, done and waiting for the
effectiveness check) on the list, an action's page, the form and the team board show no English."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.actions import services
from tests import factories
from tests.conftest import signed_in_client
from tests.german_pages import assert_german, german_get


@pytest.fixture
def hafen(db):
    factories.organization()
    team = factories.team(name="Hafenbetrieb")
    jana = factories.person(email="jana.mueller@example.org", full_name="Jana Müller")
    lukas = factories.person(email="lukas.schaefer@example.org", full_name="Lukas Schäfer")
    factories.membership(jana, team, role="facilitator")
    factories.membership(lukas, team)
    today = timezone.localdate()
    overdue = services.create_action(by=jana, title="Kran 3 neu kalibrieren", owner=jana, team=team,
                                     due_on=today - timedelta(days=9), description="Nach dem Ausfall im März.")
    services.create_action(by=jana, title="Schichtübergabe dokumentieren", owner=lukas, team=team,
                           due_on=today + timedelta(days=5), priority="high")
    done = services.create_action(by=jana, title="Ersatzteillager aufräumen", owner=jana, team=team)
    services.complete_action(by=jana, action=done, check_on=today + timedelta(days=14))
    services.add_comment(by=lukas, action=overdue, body="Der Techniker kommt am Donnerstag.")
    return {"team": team, "jana": jana, "lukas": lukas, "overdue": overdue, "done": done}


def test_my_actions_and_the_team_board_are_german(hafen):
    client = signed_in_client(hafen["jana"])
    assert_german(german_get(client, "/actions/"))
    assert_german(german_get(client, f"/actions/team/{hafen['team'].pk}/"))


def test_an_action_page_is_german_open_and_done(hafen):
    client = signed_in_client(hafen["jana"])
    assert_german(german_get(client, f"/actions/{hafen['overdue'].pk}/"))
    assert_german(german_get(client, f"/actions/{hafen['done'].pk}/"))


def test_the_action_form_is_german(hafen):
    client = signed_in_client(hafen["jana"])
    assert_german(german_get(client, "/actions/new/"))
    assert_german(german_get(client, f"/actions/{hafen['overdue'].pk}/edit/"))


def test_the_english_pages_are_unchanged(hafen):
    page = signed_in_client(hafen["jana"]).get("/actions/").content.decode()
    assert "My actions" in page and "Did it work?" in page
