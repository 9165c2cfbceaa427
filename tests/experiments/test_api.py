from datetime import timedelta

from django.utils import timezone

from learnloop.actions.models import Action
from learnloop.experiments.models import Deviation
from learnloop.knowledge.models import Provenance

JSON = "application/json"
BASE = "/api/v1/experiments"


def _payload(team, **fields):
    payload = {
        "title": "Free shipping banner", "team_id": team.pk, "change": "a free-shipping banner",
        "effect": "more orders", "population": "first-time visitors", "success_metric": "order conversion",
        "expected_delta": "+1.5%", "variants": [{"name": "Control"}, {"name": "Banner"}],
        "primary_metric": {"name": "order conversion", "metric_type": "binomial"},
        "guardrails": [{"name": "return rate", "metric_type": "binomial", "lower_is_better": True,
                        "threshold": 0.05}],
    }
    payload.update(fields)
    return payload


def test_from_registration_to_decision_through_the_api(api_as, team, owner, facilitator):
    client = api_as(owner)
    created = client.post(BASE, _payload(team), content_type=JSON)
    assert created.status_code == 201, created.json()
    experiment = created.json()
    assert experiment["status"] == "draft"
    assert [v["name"] for v in experiment["variants"]] == ["Control", "Banner"]
    url = f"{BASE}/{experiment['id']}"
    assert client.post(f"{url}/start").json()["status"] == "running"

    silent = client.patch(f"{url}/protocol", {"alpha": 0.1}, content_type=JSON)
    assert silent.status_code == 400
    assert "reason" in silent.json()["errors"]
    deviated = client.patch(f"{url}/protocol", {"alpha": 0.1, "reason": "Low traffic"}, content_type=JSON)
    assert deviated.json()["deviations"][0] | {"changed_at": None, "changed_by_id": None} == {
        "field": "alpha", "old_value": "0.05", "new_value": "0.1", "reason": "Low traffic",
        "changed_at": None, "changed_by_id": None}

    primary = next(m for m in experiment["metrics"] if m["role"] == "primary")
    results = client.post(f"{url}/snapshots", {
        "metric_id": primary["id"], "taken_on": str(timezone.localdate()),
        "rows": [{"variation": "Control", "users": 8000, "sum": 640}, {"variation": "Banner", "users": 8000,
                                                                       "sum": 760}],
    }, content_type=JSON)
    assert results.status_code == 201, results.json()
    body = results.json()
    assert body["recommendation"]["decision"] == "ship"
    banner = body["snapshots"][0]["metrics"][0]["results"][0]
    assert banner["verdict"] == "better" and banner["effect"] > 0 and banner["ci_low"] > 0

    decided = api_as(facilitator).post(f"{url}/decision", {
        "decision": "ship", "rationale": "Clear, guardrail fine.",
        "takeaways": [{"title": "Shipping cost is the first-visit blocker"}],
        "follow_ups": [{"title": "Test the banner on mobile", "owner_id": owner.pk}],
    }, content_type=JSON)
    assert decided.status_code == 200, decided.json()
    assert (decided.json()["status"], decided.json()["outcome"]) == ("concluded", "won")
    assert Provenance.objects.filter(source_type="experiments.experiment", source_id=str(experiment["id"])).exists()
    assert Action.objects.get(source_id=str(experiment["id"])).owner == owner


def test_a_csv_snapshot_uses_the_cli_rules(api_as, team, owner):
    client = api_as(owner)
    experiment = client.post(BASE, _payload(team), content_type=JSON).json()
    url = f"{BASE}/{experiment['id']}"
    client.post(f"{url}/start")
    primary = experiment["metrics"][0]["id"]
    bad = client.post(f"{url}/snapshots/csv", {
        "metric_id": primary, "taken_on": str(timezone.localdate()),
        "csv": "variation,users,sum\nControl,100,5\nBanner,100,abc\n",
    }, content_type=JSON)
    assert bad.status_code == 400
    assert "line 3, column sum" in bad.json()["detail"]
    good = client.post(f"{url}/snapshots/csv", {
        "metric_id": primary, "taken_on": str(timezone.localdate()),
        "csv": "variation,users,sum\nControl,100,5\nBanner,100,7\n",
    }, content_type=JSON)
    assert good.status_code == 201
    assert good.json()["snapshots"][0]["metrics"][0]["results"][0]["verdict"] == "inconclusive"


def test_bad_requests_get_clear_4xx_answers(api_as, team, owner, outsider):
    client = api_as(owner)
    unknown_field = client.post(BASE, _payload(team, colour="blue"), content_type=JSON)
    assert unknown_field.status_code == 400
    assert "colour" in unknown_field.json()["detail"]
    no_team = client.post(BASE, _payload(team, team_id=99999), content_type=JSON)
    assert no_team.status_code == 400 and "team_id" in no_team.json()["errors"]
    one_variant = client.post(BASE, _payload(team, variants=[{"name": "Control"}]), content_type=JSON)
    assert one_variant.status_code == 400 and "variants" in one_variant.json()["errors"]
    assert api_as(outsider).post(BASE, _payload(team), content_type=JSON).status_code == 403
    assert client.get(f"{BASE}/99999").status_code == 404

    experiment = client.post(BASE, _payload(team), content_type=JSON).json()
    url = f"{BASE}/{experiment['id']}"
    early = client.post(f"{url}/snapshots", {"metric_id": experiment["metrics"][0]["id"],
                                             "taken_on": str(timezone.localdate()), "rows": []}, content_type=JSON)
    assert early.status_code == 400
    assert api_as(outsider).post(f"{url}/start").status_code == 403
    client.post(f"{url}/start")
    assert client.post(f"{url}/decision", {"decision": "ship", "rationale": "x"},
                       content_type=JSON).status_code == 400  # no results yet
    future = client.post(f"{url}/snapshots", {
        "metric_id": experiment["metrics"][0]["id"], "taken_on": str(timezone.localdate() + timedelta(days=2)),
        "rows": [{"variation": "Control", "users": 10, "sum": 1}, {"variation": "Banner", "users": 10, "sum": 2}],
    }, content_type=JSON)
    assert future.status_code == 400 and "taken_on" in future.json()["errors"]
    assert not Deviation.objects.exists()


def test_the_portfolio_filters_through_the_api(api_as, team, owner):
    client = api_as(owner)
    client.post(BASE, _payload(team), content_type=JSON)
    client.post(BASE, _payload(team, title="Other", primary_metric={"name": "signups"}), content_type=JSON)
    assert [e["title"] for e in client.get(f"{BASE}?metric=signups").json()["items"]] == ["Other"]
    assert client.get(f"{BASE}?status=running").json() == {"items": [], "count": 0, "next": None}


def test_metric_changes_after_the_start_are_deviations_through_the_api(api_as, team, owner):
    client = api_as(owner)
    experiment = client.post(BASE, _payload(team), content_type=JSON).json()
    url = f"{BASE}/{experiment['id']}"
    client.post(f"{url}/start")
    guardrail = next(m for m in experiment["metrics"] if m["role"] == "guardrail")
    assert client.patch(f"{url}/metrics/{guardrail['id']}", {"threshold": 0.2}, content_type=JSON).status_code == 400
    changed = client.patch(f"{url}/metrics/{guardrail['id']}", {"threshold": 0.2, "reason": "Agreed with finance"},
                           content_type=JSON)
    assert changed.status_code == 200 and changed.json()["threshold"] == 0.2
    added = client.post(f"{url}/metrics", {"name": "page weight", "metric_type": "mean", "lower_is_better": True,
                                           "reason": "Ops asked"}, content_type=JSON)
    assert added.status_code == 201
    deviations = client.get(url).json()["deviations"]
    assert [(d["field"], d["new_value"]) for d in deviations] == [
        ("return rate: threshold", "0.2"), ("guardrail metric added", "page weight")]
