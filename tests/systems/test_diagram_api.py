"""The diagram API: the same rules as the pages (versions, stale saves, permissions, strict input)."""

from learnloop.experiments.models import Experiment

MODEL = {
    "variables": [{"name": "Rotation size"}, {"name": "Pages per person"}, {"name": "Burnout"},
                  {"name": "People leaving"}],
    "links": [
        {"source": "Rotation size", "target": "Pages per person", "polarity": "-"},
        {"source": "Pages per person", "target": "Burnout", "polarity": "+", "delay": True},
        {"source": "Burnout", "target": "People leaving", "polarity": "+"},
        {"source": "People leaving", "target": "Rotation size", "polarity": "-"},
    ],
}


def test_create_save_and_read_versions(api_as, member, crew, outsider):
    client = api_as(member)
    made = client.post("/api/v1/systems/diagrams", {"title": "On-call", "team_id": crew.pk, "content": MODEL},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["version"] == 1 and body["loops"] == 1 and body["reinforcing"] == 1
    url = f"/api/v1/systems/diagrams/{body['id']}"
    changed = dict(MODEL, links=[*MODEL["links"][:3], {"source": "People leaving", "target": "Rotation size",
                                                        "polarity": "+"}])
    saved = client.put(url, {"content": changed, "base_version": 1, "note": "sign"}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["version"] == 2 and saved.json()["balancing"] == 1
    stale = client.put(url, {"content": MODEL, "base_version": 1}, content_type="application/json")
    assert stale.status_code == 400 and "Someone saved version 2" in stale.json()["detail"]
    assert [row["number"] for row in client.get(f"{url}/versions").json()["items"]] == [2, 1]
    assert client.get(f"{url}/versions/1").json()["content"]["links"][3]["polarity"] == "-"
    assert api_as(outsider).get(url).status_code == 404
    assert client.get("/api/v1/systems/diagrams").json()["count"] == 1


def test_bad_models_and_unknown_fields_are_refused(api_as, member, crew):
    client = api_as(member)
    bad = client.post("/api/v1/systems/diagrams", {"title": "X", "team_id": crew.pk, "content": {
        "variables": [{"name": "A"}], "links": [{"source": "A", "target": "B"}]}}, content_type="application/json")
    assert bad.status_code == 400 and "B" in str(bad.json())
    extra = client.post("/api/v1/systems/diagrams", {"title": "X", "colour": "red"}, content_type="application/json")
    assert extra.status_code == 400
    org = client.post("/api/v1/systems/diagrams", {"title": "Org"}, content_type="application/json")
    assert org.status_code == 403


def test_binding_data_comments_and_interventions(api_as, member, crew):
    client = api_as(member)
    content = {"variables": [dict(MODEL["variables"][0], binding={"metric": "completion_rate"}),
                             *MODEL["variables"][1:]], "links": MODEL["links"]}
    body = client.post("/api/v1/systems/diagrams", {"title": "On-call", "team_id": crew.pk, "content": content},
                       content_type="application/json").json()
    url = f"/api/v1/systems/diagrams/{body['id']}"
    data = client.get(f"{url}/data").json()
    assert data["series"][0]["variable"] == "Rotation size" and len(data["months"]) == 12
    assert "not causation" in data["warning"]
    assert client.post(f"{url}/comments", {"text": "Delay?"}, content_type="application/json").status_code == 201
    made = client.post(f"{url}/interventions", {"kind": "experiment", "variable": "Rotation size",
                                                 "link_target": "Pages per person"}, content_type="application/json")
    assert made.status_code == 201, made.content
    experiment = Experiment.objects.get()
    assert made.json()["target"]["id"] == str(experiment.pk)
    assert "Rotation size" in experiment.change
    assert client.get(url).json()["attachments"][0]["type"] == "experiments.experiment"


def test_survey_and_recurrence_bindings_through_the_api(api_as, member, crew):
    from learnloop.surveys.services import install_built_in_instruments

    install_built_in_instruments()
    client = api_as(member)
    content = {"variables": [dict(MODEL["variables"][0], binding={"metric": "survey_scale_scores",
                                                                  "scale": "pulse/safety"}),
                             dict(MODEL["variables"][1], binding={"metric": "theme_recurrence_rate"}),
                             *MODEL["variables"][2:]], "links": MODEL["links"]}
    answer = client.post("/api/v1/systems/diagrams", {"title": "On-call", "team_id": crew.pk, "content": content},
                         content_type="application/json")
    assert answer.status_code == 201, answer.content
    url = f"/api/v1/systems/diagrams/{answer.json()['id']}"
    bindings = [item.get("binding") for item in client.get(url).json()["content"]["variables"]][:2]
    assert bindings == [{"metric": "survey_scale_scores", "scale": "pulse/safety"},
                        {"metric": "theme_recurrence_rate"}]
    series = client.get(f"{url}/data").json()["series"]
    assert [item["visible"] for item in series] == [True, True]
    assert series[0]["values"] == [None] * 12  # no campaign released
    wrong = dict(content, variables=[dict(MODEL["variables"][0], binding={"metric": "survey_scale_scores",
                                                                          "scale": "pulse/nothing"}),
                                     *MODEL["variables"][1:]])
    assert client.put(url, {"content": wrong}, content_type="application/json").status_code == 400
