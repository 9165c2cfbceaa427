"""The stock-and-flow API: the same services and rules as the pages."""

import pytest

from learnloop.analytics.systems import CausalModel
from learnloop.analytics.systems.skeleton import stock_and_flow_skeleton
from learnloop.systems.demo_models import MODEL_FILE
from learnloop.systems.stockflow_models import Scenario, SensitivityRun, StockFlowModel
from learnloop.systems.stockflow_translation import translate_model
from tests import factories
from tests.systems.conftest import EVIL_MDL


def test_upload_run_scenarios_and_compare(people):
    api = factories.token_client(people.member)
    created = api.post("/api/v1/systems/models", {
        "name": "Decay", "team_id": people.team.pk, "file_name": "decay.mdl", "content": MODEL_FILE.read_text()},
        content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "translating" and created.json()["stocks"] == []
    refused = api.post(f"/api/v1/systems/models/{created.json()['id']}/run", {"params": {}},
                       content_type="application/json")
    assert refused.status_code == 400 and "still being translated" in refused.json()["detail"]
    translate_model(created.json()["id"])  # what the worker does
    model = api.get(f"/api/v1/systems/models/{created.json()['id']}").json()
    assert model["state"] == "ready" and model["state_error"] == ""
    assert model["stocks"] == ["Fresh lessons", "Stale lessons"] and model["team_id"] == people.team.pk
    constants = {constant["name"]: constant for constant in model["constants"]}
    assert constants["months until a lesson goes stale"] == {
        "name": "months until a lesson goes stale", "value": 7.0, "model_value": 7.0, "low": 1.0, "high": 24.0,
        "units": "Month", "bound_to": ""}
    run = api.post(f"/api/v1/systems/models/{model['id']}/run", {
        "params": {"lessons written per month": 0}, "columns": ["Fresh lessons"]}, content_type="application/json")
    assert run.status_code == 200
    rows = run.json()["rows"]
    assert run.json()["columns"] == ["TIME", "Fresh lessons"] and rows[0] == [0, 40]
    assert rows[1][1] < 40  # nothing written: fresh lessons only go stale
    saved = api.post(f"/api/v1/systems/models/{model['id']}/scenarios", {
        "name": "No writing", "params": {"lessons written per month": 0}}, content_type="application/json")
    assert saved.status_code == 201
    compared = api.get(f"/api/v1/systems/models/{model['id']}/compare?scenario={saved.json()['id']}"
                       "&variable=Fresh+lessons").json()
    assert [serie["name"] for serie in compared["series"]] == ["Baseline", "No writing"]
    assert compared["series"][1]["values"] == [row[1] for row in rows]


@pytest.mark.parametrize("payload, message", [
    ({"file_name": "model.txt", "content": "x"}, "ends in .mdl"),
    ({"file_name": "bomb.xmile", "content": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'},
     "refused"),
])
def test_bad_files_are_400_with_the_reason(people, payload, message):
    response = factories.token_client(people.lead).post(
        "/api/v1/systems/models", {"name": "Bad", **payload}, content_type="application/json")
    assert response.status_code == 400 and message in response.json()["errors"]["file"][0]
    assert not StockFlowModel.objects.exists()


def test_a_model_refused_at_translation_says_why_through_the_api(people):
    api = factories.token_client(people.lead)
    created = api.post("/api/v1/systems/models", {"name": "Evil", "file_name": "evil.mdl", "content": EVIL_MDL},
                       content_type="application/json")
    assert created.status_code == 201 and created.json()["state"] == "translating"
    assert translate_model(created.json()["id"]) == "failed"
    shown = api.get(f"/api/v1/systems/models/{created.json()['id']}").json()
    assert shown["state"] == "failed" and "evil.mdl" in shown["state_error"]
    assert "refused for safety" in shown["state_error"]
    run = api.post(f"/api/v1/systems/models/{shown['id']}/run", {"params": {}}, content_type="application/json")
    assert run.status_code == 400 and "could not be translated" in run.json()["detail"]


def test_unknown_constants_and_fields_are_refused(decay_model, people):
    api = factories.token_client(people.member)
    url = f"/api/v1/systems/models/{decay_model.pk}/run"
    bad = api.post(url, {"params": {"FINAL TIME": 1e9}}, content_type="application/json")
    assert bad.status_code == 400 and "time settings cannot be changed" in bad.json()["detail"]
    unknown = api.post(url, {"params": {}, "speed": 2}, content_type="application/json")
    assert unknown.status_code == 400 and "speed" in unknown.json()["errors"]


def test_a_model_from_a_diagram_is_the_skeleton_and_runs(people):
    api = factories.token_client(people.member)
    variables = ["Lessons written", "Knowledge in use", "Lessons going stale"]
    links = [{"source": "Lessons written", "target": "Knowledge in use", "polarity": "+", "delay": True},
             {"source": "Knowledge in use", "target": "Lessons going stale", "polarity": "+"},
             {"source": "Lessons going stale", "target": "Knowledge in use", "polarity": "-"}]
    response = api.post("/api/v1/systems/models/from-diagram", {
        "name": "Decay loop", "team_id": people.team.pk, "variables": variables, "links": links, "stop": 24},
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert translate_model(response.json()["model"]["id"]) == "ready"  # what the worker does
    body = {**response.json(), "model": api.get(f"/api/v1/systems/models/{response.json()['model']['id']}").json()}
    expected = stock_and_flow_skeleton(CausalModel.build(variables, links), title="Decay loop", stop=24)
    assert body["skeleton"] == expected.as_dict()
    assert body["model"]["stocks"] == ["Knowledge in use"] and body["model"]["final_time"] == 24
    model = StockFlowModel.objects.get(pk=body["model"]["id"])
    assert model.content == expected.xmile and model.format == "xmile"
    run = api.post(f"/api/v1/systems/models/{model.pk}/run", {"params": {}}, content_type="application/json")
    assert run.status_code == 200 and len(run.json()["rows"]) == 25
    loop = api.post("/api/v1/systems/models/from-diagram", {
        "name": "Bad", "variables": ["A"], "links": [{"source": "A", "target": "B", "polarity": "+"}]},
        content_type="application/json")
    assert loop.status_code in (400, 403)


def test_sensitivity_through_the_api_is_queued_with_202(decay_model, people):
    api = factories.token_client(people.lead)
    response = api.post(f"/api/v1/systems/models/{decay_model.pk}/sensitivity", {
        "ranges": {"lessons written per month": [1, 10]}, "runs": 10}, content_type="application/json")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    job = SensitivityRun.objects.get()
    state = api.get(f"/api/v1/systems/models/{decay_model.pk}/sensitivity/{job.pk}").json()
    assert state["done"] == 0 and state["result"] is None and state["sampling"] == "latin_hypercube"
    assert api.get(f"/api/v1/systems/models/{decay_model.pk}/sensitivity/not-a-uuid").status_code == 404
    member = factories.token_client(people.member)
    refused = member.post(f"/api/v1/systems/models/{decay_model.pk}/sensitivity", {
        "ranges": {"lessons written per month": [1, 10]}, "runs": 10}, content_type="application/json")
    assert refused.status_code == 403


def test_scenarios_are_deleted_by_their_author_only_among_members(decay_model, people):
    scenario = Scenario.objects.create(model=decay_model, name="Mine", params={}, author=people.member)
    url = f"/api/v1/systems/models/{decay_model.pk}/scenarios/{scenario.pk}"
    assert factories.token_client(people.outsider).delete(url).status_code == 403
    assert factories.token_client(people.member).delete(url).status_code == 204
    assert factories.token_client(people.member).delete(
        f"/api/v1/systems/models/{decay_model.pk}").status_code == 403
    assert factories.token_client(people.lead).delete(f"/api/v1/systems/models/{decay_model.pk}").status_code == 204


def test_nothing_is_shown_or_run_without_signing_in(decay_model, client):
    assert client.get("/api/v1/systems/models").status_code == 401
    assert client.post(f"/api/v1/systems/models/{decay_model.pk}/run", {"params": {}},
                       content_type="application/json").status_code == 401
    assert client.get(f"/systems/models/{decay_model.pk}/").status_code == 302
    assert client.get(f"/systems/models/{decay_model.pk}/run.csv").status_code == 302
