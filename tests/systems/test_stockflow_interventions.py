"""A scenario becomes a proposed experiment (its hypothesis written from the simulated figures) or
an action; the model lists what each became and the action names the model (issue 18, item 5)."""

import pytest

from learnloop.actions.models import Action
from learnloop.experiments.models import Experiment
from learnloop.systems import stockflow_interventions as interventions
from learnloop.systems import stockflow_services as services
from learnloop.systems.stockflow_models import ScenarioIntervention
from tests import factories
from tests.conftest import signed_in_client

REVIEW = "share of stale lessons reviewed per month"
WRITTEN = "lessons written per month"


@pytest.fixture
def scenario(decay_model, people):
    # The test database has no knowledge base: the bound starting values are 0, so write some lessons too.
    return services.save_scenario(people.lead, decay_model, name="Monthly review hour",
                                  params={REVIEW: 0.25, WRITTEN: 10})


def _end(values):
    return [value for value in values if value is not None][-1]


def test_the_hypothesis_carries_the_simulated_figures(decay_model, scenario):
    found = interventions.hypothesis(scenario, "Stale lessons")
    comparison = services.compare(decay_model, [scenario], "Stale lessons")
    baseline, changed = (_end(serie["values"]) for serie in comparison.series)
    start = services.default_params(decay_model)[REVIEW]
    assert (found["baseline"], found["scenario"]) == (baseline, changed) and changed > baseline
    changes = [f"{REVIEW} from {interventions._figure(start)} to 0.25", f"{WRITTEN} from 0 to 10"]
    order = [constant["name"] for constant in decay_model.outline["constants"]]
    changes.sort(key=lambda words: order.index(REVIEW if words.startswith(REVIEW) else WRITTEN))
    assert found["effect"].startswith(
        f"If we change {changes[0]}, and {changes[1]}, we expect Stale lessons to move from "
        f"{interventions._figure(baseline)} to {interventions._figure(changed)} by month "
        f"{decay_model.outline['final_time']:g}")
    assert "“Knowledge decay”" in found["effect"] and "“Monthly review hour”" in found["effect"]


def test_turn_a_scenario_into_an_experiment_on_the_page(decay_model, scenario, people):
    client = signed_in_client(people.member)
    page = client.get(f"/systems/models/{decay_model.pk}/").content.decode()
    assert "Turn Monthly review hour into an experiment" in page and "Turn Monthly review hour into an action" in page
    response = client.post(f"/systems/models/{decay_model.pk}/scenarios/{scenario.pk}/intervene/", {
        "kind": "experiment", "variable": "Stale lessons", "team": people.team.pk})
    experiment = Experiment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/experiments/{experiment.pk}/"
    row = ScenarioIntervention.objects.get()
    assert experiment.effect == row.hypothesis and experiment.effect.startswith("If we change ")
    assert f"{REVIEW} from " in experiment.effect and " to 0.25" in experiment.effect
    assert experiment.team == people.team and experiment.kind == "process" and experiment.status == "draft"
    assert experiment.success_metric == "Stale lessons" and "→" in experiment.expected_delta
    page = client.get(f"/systems/models/{decay_model.pk}/").content.decode()
    assert "Proposed experiment from Monthly review hour" in page and f'href="/experiments/{experiment.pk}/"' in page


def test_turn_a_scenario_into_an_action_that_links_back(decay_model, scenario, people):
    client = signed_in_client(people.lead)
    response = client.post(f"/systems/models/{decay_model.pk}/scenarios/{scenario.pk}/intervene/",
                           {"kind": "action", "variable": "Fresh lessons"})
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/actions/{action.pk}/"
    assert action.source_type == "systems.stockflowmodel" and action.source_id == str(decay_model.pk)
    assert action.source_url == f"/systems/models/{decay_model.pk}/" and "Fresh lessons" in action.description
    assert f'href="/systems/models/{decay_model.pk}/"' in client.get(f"/actions/{action.pk}/").content.decode()
    assert f'href="/actions/{action.pk}/"' in client.get(f"/systems/models/{decay_model.pk}/").content.decode()


def test_an_experiment_needs_a_team_the_person_may_register_for(decay_model, scenario, people):
    url = f"/systems/models/{decay_model.pk}/scenarios/{scenario.pk}/intervene/"
    client = signed_in_client(people.member)
    no_team = client.post(url, {"kind": "experiment", "variable": "Stale lessons"}, follow=True)
    assert "Choose the team that runs the experiment" in no_team.content.decode()
    other = signed_in_client(people.outsider).post(url, {"kind": "experiment", "team": people.team.pk})
    assert other.status_code == 403
    assert not Experiment.objects.exists() and not ScenarioIntervention.objects.exists()


def test_scenarios_become_experiments_through_the_api(decay_model, scenario, people):
    api = factories.token_client(people.member)
    url = f"/api/v1/systems/models/{decay_model.pk}/scenarios/{scenario.pk}/interventions"
    made = api.post(url, {"kind": "experiment", "variable": "Stale lessons", "team_id": people.team.pk},
                    content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    experiment = Experiment.objects.get()
    assert body["target_type"] == "experiments.experiment" and body["target_id"] == str(experiment.pk)
    assert body["target_url"] == f"/experiments/{experiment.pk}/" and body["hypothesis"] == experiment.effect
    assert body["params"] == {REVIEW: 0.25, WRITTEN: 10} and body["scenario_name"] == "Monthly review hour"
    listed = api.get(f"/api/v1/systems/models/{decay_model.pk}/interventions").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    unknown = api.post(url, {"kind": "experiment", "speed": 1}, content_type="application/json")
    assert unknown.status_code == 400
    unchanged = services.save_scenario(people.lead, decay_model, name="As today", params={})
    refused = api.post(f"/api/v1/systems/models/{decay_model.pk}/scenarios/{unchanged.pk}/interventions",
                       {"kind": "action"}, content_type="application/json")
    assert refused.status_code == 400 and "no change to test" in refused.json()["detail"]
