"""Team coverage, development plans (with actions for due dates), learning paths and mentoring."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from learnloop.actions.models import Action
from learnloop.growth import selectors, services
from learnloop.knowledge import services as knowledge
from tests.conftest import signed_in_client


def test_team_coverage_gaps_and_single_points(team, lead, ana, ben, incident, testing):
    services.rate(by=lead, person=ana, skill=incident, level=4)
    services.rate(by=lead, person=ben, skill=incident, level=2)
    services.rate(by=ana, person=ana, skill=testing, level=3)
    services.rate(by=ben, person=ben, skill=testing, level=5)
    services.set_need(by=lead, team=team, skill=incident, level=3, people=2)
    found = selectors.team_coverage(viewer=lead, team_id=team.pk, level=3)
    assert [(n.skill, have) for n, have in found.gaps] == [(incident, 1)]
    assert found.single_points == [(incident, ana)]
    members_view = selectors.team_coverage(viewer=ben, team_id=team.pk, level=3)
    assert members_view.single_points == [(incident, None)]  # members see the gap, not who
    assert members_view.levels == {}
    matrix = selectors.coverage(viewer=lead, level=3)
    assert matrix.counts[(team.pk, testing.pk)] == 2
    assert matrix.counts[(team.pk, incident.pk)] == 1


def test_coverage_is_hidden_from_other_teams(team, outsider, api_as):
    with pytest.raises(Http404):
        selectors.team_coverage(viewer=outsider, team_id=team.pk)
    assert api_as(outsider).get(f"/api/v1/growth/teams/{team.pk}/coverage").status_code == 404
    assert team.pk not in [t["id"] for t in api_as(outsider).get("/api/v1/growth/coverage").json()["teams"]]


def test_plan_activity_with_due_date_is_an_action_closed_when_done(ana, lead, incident):
    plan = services.create_plan(by=lead, person=ana, title="Become an incident commander")
    goal = services.add_goal(by=lead, plan=plan, skill=incident, target_level=4, by_date=date(2027, 6, 1))
    activity = services.add_activity(by=lead, plan=plan, kind="stretch", title="Lead the next incident review",
                                     goal=goal, due_on=date(2027, 3, 1))
    action = Action.objects.get()
    assert activity.action == action and action.owner == ana and action.due_on == date(2027, 3, 1)
    services.complete_activity(by=ana, activity=activity)
    action.refresh_from_db()
    assert action.status == "done" and action.effect == "unknown"
    progress = selectors.plan_progress(selectors.plan_detail(viewer=ana, plan_id=plan.pk))
    assert (progress["done"], progress["total"], progress["percent"]) == (1, 1, 100)
    services.check_in(by=lead, plan=plan, note="Good progress")
    with pytest.raises(PermissionDenied):
        services.check_in(by=ana, plan=plan, note="I check in on myself")


def test_plans_refuse_strangers(ana, ben, outsider):
    with pytest.raises(PermissionDenied):
        services.create_plan(by=ben, person=ana, title="Plan for Ana")
    plan = services.create_plan(by=ana, person=ana, title="Mine")
    with pytest.raises(Http404):
        selectors.plan_detail(viewer=outsider, plan_id=plan.pk)


def test_path_steps_progress_and_completion(ana, ben, incident):
    entry = knowledge.create_entry(by=ana, kind="playbook", title="Incident playbook", body="Steps")
    path = services.create_path(by=ana, title="Incident basics", skill=incident, target_level=3)
    first = services.add_step(by=ana, path=path, kind="entry", entry=entry)
    second = services.add_step(by=ana, path=path, kind="book", title="Site Reliability Engineering")
    with pytest.raises(ValidationError):
        services.add_step(by=ana, path=path, kind="url", title="No address")
    with pytest.raises(PermissionDenied):
        services.add_step(by=ben, path=path, kind="book", title="Not my path")
    services.complete_step(by=ben, step=first)
    services.complete_step(by=ben, step=first)  # twice is once
    _, steps, done = selectors.path_detail(viewer=ben, path_id=path.pk)
    assert [s.title for s in steps] == ["Incident playbook", "Site Reliability Engineering"]
    assert done == {first.pk}
    services.complete_step(by=ben, step=second)
    assert selectors.path_detail(viewer=ben, path_id=path.pk)[2] == {first.pk, second.pk}
    assert selectors.path_detail(viewer=ana, path_id=path.pk)[2] == set()  # progress is per person
    plan = services.create_plan(by=ben, person=ben, title="Grow")
    services.add_goal(by=ben, plan=plan, skill=incident, target_level=3)
    assert selectors.suggested_paths(viewer=ben, person=ben) == [path]


def test_meeting_notes_are_visible_only_to_the_pair(ana, ben, lead, learning_lead, outsider, api_as):
    pair = services.start_pair(by=ana, mentor=ben, mentee=ana, goals="Learn incident command")
    services.add_note(by=ben, pair=pair, body="We talked about the pager rota")
    for viewer in (ana, ben):
        assert api_as(viewer).get(f"/api/v1/growth/pairs/{pair.pk}").json()["notes"][0]["body"].startswith("We")
        assert signed_in_client(viewer).get(reverse("growth:pair", args=[pair.pk])).status_code == 200
    for viewer in (lead, learning_lead, outsider):
        assert api_as(viewer).get(f"/api/v1/growth/pairs/{pair.pk}").status_code == 404
        assert signed_in_client(viewer).get(reverse("growth:pair", args=[pair.pk])).status_code == 404
        answer = api_as(viewer).post(f"/api/v1/growth/pairs/{pair.pk}/notes", {"body": "peek"},
                                     content_type="application/json")
        assert answer.status_code == 404
        assert pair.pk not in [p["id"] for p in api_as(viewer).get("/api/v1/growth/pairs").json()["items"]]
    with pytest.raises(PermissionDenied):
        services.start_pair(by=outsider, mentor=ben, mentee=ana)
    assert api_as(outsider).post(f"/api/v1/growth/pairs/{pair.pk}/end").status_code == 404
    assert api_as(lead).post(f"/api/v1/growth/pairs/{pair.pk}/end").status_code == 404
    assert api_as(ana).post(f"/api/v1/growth/pairs/{pair.pk}/end").json()["status"] == "ended"


def test_a_learning_lead_ends_any_pair_through_the_api_without_reading_its_goals(ana, ben, learning_lead, api_as):
    pair = services.start_pair(by=ana, mentor=ben, mentee=ana, goals="Learn incident command")
    ended = api_as(learning_lead).post(f"/api/v1/growth/pairs/{pair.pk}/end")
    assert ended.status_code == 200 and ended.json()["status"] == "ended" and ended.json()["goals"] == ""


def test_every_page_renders(ana, lead, team, incident, learning_lead):
    services.rate(by=ana, person=ana, skill=incident, level=3)
    plan = services.create_plan(by=ana, person=ana, title="Mine")
    path = services.create_path(by=ana, title="Basics")
    pair = services.start_pair(by=ana, mentor=lead, mentee=ana)
    client = signed_in_client(ana)
    for url in ("growth:home", "growth:people", "growth:framework", "growth:coverage", "growth:plans",
                "growth:paths", "growth:pairs"):
        assert client.get(reverse(url)).status_code == 200, url
    for name, arg in (("growth:skill", incident.pk), ("growth:team", team.pk), ("growth:plan", plan.pk),
                      ("growth:path", path.pk), ("growth:pair", pair.pk), ("growth:profile", ana.pk)):
        assert client.get(reverse(name, args=[arg])).status_code == 200, name
    assert signed_in_client(learning_lead).get(reverse("growth:framework")).status_code == 200
    assert client.get(reverse("growth:export", args=["csv"])).content.startswith(b"category,name")


def test_import_through_the_page_lists_row_errors(learning_lead):
    client = signed_in_client(learning_lead)
    page = client.post(reverse("growth:import"), {"format": "csv", "content": "category,name\nOps,\n,Routing\n"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Row 1: name is missing." in text and "Row 2: category is missing." in text
    document = '{"skills": [{"category": "Ops", "name": "Routing"}]}'
    response = client.post(reverse("growth:import"), {"format": "json", "content": document})
    assert response.status_code == 302


def test_framework_api_import_errors_are_400(learning_lead, ana, api_as):
    answer = api_as(learning_lead).post("/api/v1/growth/framework/import",
                                        {"format": "json", "content": '{"skills": [{"name": "X"}]}'},
                                        content_type="application/json")
    assert answer.status_code == 400 and "Row 1: category is missing." in str(answer.json())
    answer = api_as(ana).post("/api/v1/growth/framework/starter", content_type="application/json")
    assert answer.status_code == 403
    answer = api_as(learning_lead).post("/api/v1/growth/framework/starter", content_type="application/json")
    assert answer.status_code == 200 and answer.json()["created"] >= 38
