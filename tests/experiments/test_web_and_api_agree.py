"""The registry's pages and its API apply the same rules to the same request."""

import pytest

from learnloop.actions.models import Action
from learnloop.experiments.models import Experiment
from tests import factories
from tests.conftest import signed_in_client
from tests.experiments.conftest import binomial_rows, enter
from tests.experiments.test_api import _payload
from tests.experiments.test_views import FORM

pytestmark = pytest.mark.django_db

API = "/api/v1/experiments"
JSON = "application/json"


def _register_on_the_page(person, team) -> bool:
    response = signed_in_client(person).post("/experiments/new/", {**FORM, "team": team.pk})
    return response.status_code == 400 and "archived" in response.content.decode()


def _register_through_the_api(person, team) -> bool:
    response = factories.token_client(person).post(API, _payload(team), content_type=JSON)
    return response.status_code == 400 and "team_id" in response.json()["errors"]


@pytest.mark.parametrize("register", [_register_on_the_page, _register_through_the_api], ids=["web", "api"])
def test_nobody_registers_an_experiment_for_an_archived_team(owner, team, register):
    factories.membership(owner, factories.team(name="Checkout"))  # so the page offers its form
    team.archived_at = team.created_at
    team.save()
    assert register(owner, team)
    assert not Experiment.objects.exists()


def _decide_on_the_page(person, experiment, follow_up_owner) -> bool:
    response = signed_in_client(person).post(f"/experiments/{experiment.pk}/decision/", {
        "decision": "ship", "rationale": "It won.", "follow_up_title": "Roll it out",
        "follow_up_owner": follow_up_owner.pk})
    return response.status_code == 400 and "deactivated" in response.content.decode()


def _decide_through_the_api(person, experiment, follow_up_owner) -> bool:
    response = factories.token_client(person).post(f"{API}/{experiment.pk}/decision", {
        "decision": "ship", "rationale": "It won.",
        "follow_ups": [{"title": "Roll it out", "owner_id": follow_up_owner.pk}]}, content_type=JSON)
    return response.status_code == 400 and "follow_ups.owner_id" in response.json()["errors"]


@pytest.mark.parametrize("decide", [_decide_on_the_page, _decide_through_the_api], ids=["web", "api"])
def test_a_follow_up_for_someone_deactivated_refuses_the_whole_decision(
    running, owner, facilitator, team, decide
):
    enter(owner, running, "checkout conversion", binomial_rows(treatment=(10000, 1200)))
    gone = factories.person(full_name="Gone Person")
    factories.membership(gone, team)
    gone.is_active, gone.deactivated_at = False, gone.date_joined
    gone.save()
    assert decide(facilitator, running, gone)
    running.refresh_from_db()
    assert running.status == "running" and running.decision == ""
    assert not Action.objects.exists()
