"""The strategy API: goals with a bound key result recomputed from the API's raw data, the
roadmap, cycles refused with a 400, the vision's anonymous round, steps and champions."""

from datetime import timedelta

import pytest

API = "/api/v1/strategy"


def test_goal_to_bound_key_result_recomputed_from_raw_data(org, api_as):
    lead = api_as(org.lead)
    objective = lead.post(f"{API}/objectives", {
        "title": "Close the loop", "team_id": org.crew.pk, "starts_on": str(org.today),
        "ends_on": str(org.today + timedelta(days=90))}, content_type="application/json")
    assert objective.status_code == 201, objective.json()
    kr = lead.post(f"{API}/objectives/{objective.json()['id']}/key-results",
                   {"title": "Finish what we agree", "target": 0.9, "metric_key": "completion_rate"},
                   content_type="application/json")
    assert kr.status_code == 201, kr.json()
    latest = kr.json()["latest"]
    # Recompute from the actions API's raw rows: done / (done + not doing + overdue) in the window.
    actions = lead.get("/api/v1/actions", {"team": org.crew.pk, "limit": 500}).json()["items"]
    since = org.today - timedelta(days=89)
    counted = [row for row in actions if row["created_at"][:10] >= str(since)]
    done = sum(1 for row in counted if row["status"] == "done")
    not_doing = sum(1 for row in counted if row["status"] == "not_doing")
    assert (latest["numerator"], latest["denominator"]) == (done, done + not_doing)
    assert latest["value"] == pytest.approx(done / (done + not_doing))
    detail = lead.get(f"{API}/key-results/{kr.json()['id']}").json()
    assert detail["outlook"]["confidence"] in {"on track", "at risk", "off track"}
    assert len(detail["history"]) == 1
    listed = lead.get(f"{API}/key-results").json()
    assert listed["count"] == 1
    bad = lead.post(f"{API}/key-results/{kr.json()['id']}/bind", {"metric_key": "made_up"},
                    content_type="application/json")
    assert bad.status_code == 400


def test_roadmap_and_cycles(org, api_as):
    lead = api_as(org.lead)

    def plan(title, depends=()):
        answer = lead.post(f"{API}/initiatives", {"title": title, "team_id": org.crew.pk, "starts_on": str(org.today),
                                                  "ends_on": str(org.today + timedelta(days=10)),
                                                  "budget_person_days": 5, "depends_on_ids": list(depends)},
                           content_type="application/json")
        assert answer.status_code == 201, answer.json()
        return answer.json()["id"]

    first = plan("First")
    second = plan("Second", [first])
    cycle = lead.patch(f"{API}/initiatives/{first}", {"depends_on_ids": [second]}, content_type="application/json")
    assert cycle.status_code == 400 and "cycle" in str(cycle.json())
    spend = lead.post(f"{API}/initiatives/{first}/spend", {"kind": "actual", "on": str(org.today), "person_days": 2},
                      content_type="application/json")
    assert spend.json()["spend"]["actual_person_days"] == 2.0
    assert lead.get(f"{API}/initiatives/{first}/spend").json()["count"] == 1
    rows = lead.get(f"{API}/roadmap", {"team_id": org.crew.pk}).json()["rows"]
    assert [row["title"] for row in rows] == ["First", "Second"] or {row["title"] for row in rows} == {"First",
                                                                                                       "Second"}
    assert api_as(org.members[0]).post(f"{API}/initiatives", {"title": "x", "team_id": org.crew.pk,
                                                               "starts_on": str(org.today),
                                                               "ends_on": str(org.today)},
                                       content_type="application/json").status_code == 403


def test_anonymous_round_over_the_api(org, api_as):
    lead = api_as(org.lead)
    created = lead.post(f"{API}/visions", {"title": "Vision", "draft": "We learn."}, content_type="application/json")
    vision_id = created.json()["id"]
    lead.post(f"{API}/visions/{vision_id}/rounds", {"anonymous": True}, content_type="application/json")
    key = "k" * 40
    writer = api_as(org.members[0])
    answer = writer.post(f"{API}/visions/{vision_id}/proposals",
                         {"kind": "change", "text": "Say how", "with_text": "We learn by doing."},
                         content_type="application/json", headers={"X-Writer-Key": key})
    assert answer.status_code == 201 and answer.json()["author_id"] is None
    seen = lead.get(f"{API}/visions/{vision_id}").json()["rounds"][0]["proposals"][0]
    assert seen["author_id"] is None and not seen["mine"]
    assert writer.get(f"{API}/visions/{vision_id}", headers={"X-Writer-Key": key}).json()[
        "rounds"][0]["proposals"][0]["mine"]
    decided = lead.post(f"{API}/proposals/{seen['id']}/decision", {"accept": True, "reason": "Clearer"},
                        content_type="application/json")
    assert decided.json()["draft"] == "We learn.\n\nWe learn by doing."
    lead.post(f"{API}/visions/{vision_id}/publish", {}, content_type="application/json")
    diff = lead.get(f"{API}/visions/{vision_id}/versions/1/diff").json()
    assert diff["previous"] is None and diff["lines"][0]["change"] == "added"
    assert lead.get(f"{API}/proposals/not-a-uuid/support").status_code in (404, 405)


def test_steps_champions_and_metrics(org, api_as):
    lead = api_as(org.lead)
    steps = lead.get(f"{API}/teams/{org.crew.pk}/steps").json()
    assert len(steps["steps"]) == 7 and steps["next_step"] == "vision"
    named = lead.post(f"{API}/champions", {"person_id": org.members[0].pk, "team_id": org.crew.pk},
                      content_type="application/json")
    assert named.status_code == 201
    assert lead.get(f"{API}/champions").json()["count"] == 1
    assert lead.get(f"{API}/champions").json()["items"][0]["mentees"] == 0
    from learnloop.growth.models import MentoringPair

    for mentee in org.members[1:3]:  # two people mentored by the champion: counted, notes never read
        MentoringPair.objects.create(mentor=org.members[0], mentee=mentee, created_by=org.lead)
    assert lead.get(f"{API}/champions").json()["items"][0]["mentees"] == 2
    keys = {row["key"] for row in lead.get(f"{API}/metrics").json()}
    assert {"completion_rate", "lesson_reuse_count", "participation_rate", "survey_scale_scores"} <= keys
