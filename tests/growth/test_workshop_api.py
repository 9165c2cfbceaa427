"""The workshop API: the same rules as the pages, checked as each role."""

from datetime import timedelta

from django.utils import timezone

from learnloop.growth.models import Workshop, WorkshopFeedback
from learnloop.org.models import Organization
from tests.growth.workshop_helpers import held, people

JSON = "application/json"


def _at(days: float) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def test_plan_join_and_wait_through_the_api(api_as, team, lead, ana, ben, outsider, incident):
    host = api_as(lead)
    made = host.post("/api/v1/growth/workshops", {
        "title": "Chaos day prep", "starts_at": _at(3), "ends_at": _at(3.1), "capacity": 1, "link": "https://meet.example.org/x",
        "team_id": team.pk, "skill_ids": [incident.pk]}, content_type=JSON)
    assert made.status_code == 201, made.json()
    workshop = made.json()
    assert workshop["host_ids"] == [lead.pk] and workshop["skill_ids"] == [incident.pk]
    base = f"/api/v1/growth/workshops/{workshop['id']}"
    assert api_as(ana).post(f"{base}/signup").json()["my_status"] == "confirmed"
    queued = api_as(ben).post(f"{base}/signup").json()
    assert (queued["my_status"], queued["waiting_position"]) == ("waitlisted", 1)
    assert api_as(outsider).get(base).status_code == 404  # a team's workshop
    assert api_as(outsider).post(f"{base}/signup").status_code == 404
    assert [w["id"] for w in api_as(outsider).get("/api/v1/growth/workshops").json()["items"]] == []
    assert api_as(ana).post(f"{base}/leave").json()["my_status"] == "cancelled"
    assert api_as(ben).get(base).json()["my_status"] == "confirmed"  # moved up
    signups = host.get(f"{base}/signups").json()["items"]
    assert [(s["full_name"], s["status"]) for s in signups] == [("Ben Builder", "confirmed"),
                                                               ("Ana Analyst", "cancelled")]
    assert api_as(ana).get(f"{base}/signups").status_code == 404
    changed = host.patch(base, {"capacity": 3, "title": "Chaos day prep (2)"}, content_type=JSON)
    assert changed.status_code == 200 and changed.json()["capacity"] == 3
    assert api_as(ana).patch(base, {"title": "Mine"}, content_type=JSON).status_code == 403
    assert host.patch(base, {"title": None}, content_type=JSON).status_code == 400
    no_hosts = host.patch(base, {"host_ids": []}, content_type=JSON)
    assert no_hosts.status_code == 400 and "host_ids" in no_hosts.json()["errors"]
    assert host.post(f"{base}/cancel").json()["status"] == "cancelled"


def test_bad_bodies_are_refused_with_a_reason(api_as, lead, incident):
    host = api_as(lead)
    plan = {"title": "X", "starts_at": _at(3), "ends_at": _at(2), "capacity": 5, "place": "Room"}
    backwards = host.post("/api/v1/growth/workshops", plan, content_type=JSON)
    assert backwards.status_code == 400 and "ends_at" in backwards.json()["errors"]
    unknown = host.post("/api/v1/growth/workshops", {**plan, "ends_at": _at(4), "skill_ids": [999999]},
                        content_type=JSON)
    assert unknown.status_code == 400 and "skill_ids" in unknown.json()["errors"]
    extra = host.post("/api/v1/growth/workshops", {**plan, "ends_at": _at(4), "author": 1}, content_type=JSON)
    assert extra.status_code == 400
    naive = host.post("/api/v1/growth/workshops", {**plan, "starts_at": "2030-01-01T10:00:00",
                                                    "ends_at": "2030-01-01T12:00:00"}, content_type=JSON)
    assert naive.status_code == 400
    assert not Workshop.objects.exists()


def test_attendance_and_feedback_through_the_api(api_as, team, lead, learning_lead):
    Organization.current()
    Organization.objects.filter(pk=1).update(anonymity_threshold=3)
    crowd = people(team, 4)
    workshop = held(lead, absent=crowd)
    base = f"/api/v1/growth/workshops/{workshop.pk}"
    host = api_as(lead)
    assert host.put(f"{base}/attendance", {"person_ids": [p.pk for p in crowd[:3]]},
                    content_type=JSON).json() == {"attended": 3}
    assert api_as(crowd[0]).put(f"{base}/attendance", {"person_ids": []}, content_type=JSON).status_code == 403
    assert api_as(crowd[3]).post(f"{base}/feedback", {"rating": 5}, content_type=JSON).status_code == 403
    for person, rating in zip(crowd[:3], (3, 4, 5), strict=True):
        answer = api_as(person).post(f"{base}/feedback", {"rating": rating, "comment": f"c{rating}"},
                                     content_type=JSON)
        assert answer.status_code == 201 and answer.json() == {"given": True}  # no id comes back
    again = api_as(crowd[0]).post(f"{base}/feedback", {"rating": 1}, content_type=JSON)
    assert again.status_code == 400 and WorkshopFeedback.objects.count() == 3
    state = host.get(f"{base}/feedback").json()
    assert state["closed"] and state["released"]  # every attendee answered
    assert state["summary"] == {"count": 3, "mean": 4.0, "distribution": [0, 0, 1, 1, 1],
                                "comments": ["c3", "c4", "c5"]}
    lead_view = api_as(learning_lead).get(f"{base}/feedback").json()
    assert lead_view["answers"] == 3 and lead_view["summary"] is None
    assert api_as(crowd[0]).get(f"{base}/feedback").status_code == 404
    assert api_as(crowd[0]).get(base).json()["answered"] is True
