import json
from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.actions import services
from learnloop.actions.models import Action
from tests import factories

BASE = "/api/v1/actions"


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def action(teammate, team):
    return services.create_action(by=teammate, title="Automate the certificate renewal", team=team, owner=teammate,
                                  due_on=timezone.localdate() - timedelta(days=1))


def test_create_and_read_an_action_with_its_source(api_as, teammate, team):
    from learnloop.knowledge import services as knowledge

    # A source is a typed reference to something the creator may see (learnloop.links).
    entry = knowledge.create_entry(by=teammate, kind="lesson", title="Canaries catch bad deploys", body="x")
    client = api_as(teammate)
    response = post(client, BASE, {
        "title": "Add a canary stage", "team_id": team.pk, "owner_id": teammate.pk, "priority": "high",
        "source_type": "knowledge.entry", "source_id": str(entry.pk), "source_label": "Retro 3 Mar",
        "source_url": "/sessions/7/",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open" and body["owner"]["id"] == teammate.pk and body["team"]["id"] == team.pk
    assert body["source"] == {"type": "knowledge.entry", "id": str(entry.pk), "label": "Retro 3 Mar",
                              "url": "/sessions/7/"}
    assert client.get(f"{BASE}/{body['id']}").json()["title"] == "Add a canary stage"


def test_bad_input_answers_with_a_message_per_field(api_as, teammate, team):
    client = api_as(teammate)
    response = post(client, BASE, {"title": " ", "team_id": team.pk})
    assert response.status_code == 400 and "title" in response.json()["errors"]
    response = post(client, BASE, {"title": "X", "owner_id": 999999})
    assert response.status_code == 400 and response.json()["errors"] == {"owner_id": ["No person with id 999999."]}
    response = post(client, BASE, {"title": "X", "source_url": "javascript:alert(1)"})
    assert response.status_code == 400 and "source_url" in response.json()["errors"]
    response = post(client, BASE, {"title": "X", "status": "done"})
    assert response.status_code == 400
    assert not Action.objects.exists()


def test_outsider_gets_404_for_an_action_and_403_for_a_team(api_as, action, outsider, team):
    client = api_as(outsider)
    assert client.get(f"{BASE}/{action.pk}").status_code == 404
    response = post(client, f"{BASE}/{action.pk}/start")
    assert response.status_code == 404
    response = post(client, BASE, {"title": "Theirs", "team_id": team.pk})
    assert response.status_code == 403 and "members and facilitators of Payments" in response.json()["detail"]
    assert client.get(f"{BASE}/teams/{team.pk}/metrics").status_code == 403
    assert client.get(BASE).json()["count"] == 0


def test_list_filters(api_as, action, facilitator, teammate, team):
    later = services.create_action(by=facilitator, title="Later", team=team, owner=facilitator,
                                   due_on=timezone.localdate() + timedelta(days=10))
    services.start_action(by=facilitator, action=later)
    client = api_as(facilitator)

    def ids(query):
        return [item["id"] for item in client.get(f"{BASE}?{query}").json()["items"]]

    assert ids("") == [action.pk, later.pk]
    assert ids(f"owner={teammate.pk}") == [action.pk]
    assert ids("status=in_progress") == [later.pk]
    assert ids("status=open&status=in_progress") == [action.pk, later.pk]
    assert ids("overdue=true") == [action.pk]
    assert ids("overdue=false") == [later.pk]
    page = client.get(f"{BASE}?limit=1&offset=1").json()
    assert (page["count"], [item["id"] for item in page["items"]]) == (2, [later.pk])
    assert client.get(f"{BASE}?status=finished").status_code == 422


def test_transitions_through_the_api(api_as, action, teammate):
    client = api_as(teammate)
    assert post(client, f"{BASE}/{action.pk}/start").json()["status"] == "in_progress"
    response = post(client, f"{BASE}/{action.pk}/complete", {})
    assert response.status_code == 400 and "Did it work?" in response.json()["detail"]
    check_on = (timezone.localdate() + timedelta(days=20)).isoformat()
    body = post(client, f"{BASE}/{action.pk}/complete", {"check_on": check_on}).json()
    assert (body["status"], body["check_on"], body["check_pending"]) == ("done", check_on, True)
    body = post(client, f"{BASE}/{action.pk}/check", {"effect": "worked", "evidence": "No expiry alerts"}).json()
    assert (body["effect"], body["evidence"], body["checked_by"]["id"]) == ("worked", "No expiry alerts", teammate.pk)
    assert post(client, f"{BASE}/{action.pk}/reopen").json()["status"] == "open"
    response = post(client, f"{BASE}/{action.pk}/decline", {"reason": ""})
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    assert post(client, f"{BASE}/{action.pk}/decline", {"reason": "Vendor does it now"}).json()["status"] == "not_doing"


def test_patch_and_permission_message(api_as, action, teammate, team):
    body = patch(api_as(teammate), f"{BASE}/{action.pk}", {"priority": "urgent", "due_on": None}).json()
    assert (body["priority"], body["due_on"], body["overdue"]) == ("urgent", None, False)
    other = factories.person()
    factories.membership(other, team)
    response = patch(api_as(other), f"{BASE}/{action.pk}", {"title": "Mine now"})
    assert response.status_code == 403 and "owner" in response.json()["detail"]


def test_comments(api_as, action, facilitator):
    client = api_as(facilitator)
    response = post(client, f"{BASE}/{action.pk}/comments", {"body": "Let's do it Friday."})
    assert response.status_code == 201
    comments = client.get(f"{BASE}/{action.pk}/comments").json()["items"]
    assert [(c["author"]["id"], c["body"]) for c in comments] == [(facilitator.pk, "Let's do it Friday.")]


def test_team_policy_get_and_put(api_as, facilitator, teammate, team):
    url = f"{BASE}/teams/{team.pk}/policy"
    assert api_as(teammate).get(url).json() == {
        "team_id": team.pk, "overdue_grace_days": 0, "remind_days_before": 2, "is_default": True,
    }
    assert put(api_as(teammate), url, {"overdue_grace_days": 3, "remind_days_before": 1}).status_code == 403
    assert put(api_as(facilitator), url, {"overdue_grace_days": 300, "remind_days_before": 1}).status_code == 422
    body = put(api_as(facilitator), url, {"overdue_grace_days": 3, "remind_days_before": 1}).json()
    assert body == {"team_id": team.pk, "overdue_grace_days": 3, "remind_days_before": 1, "is_default": False}


def test_team_metrics(api_as, action, facilitator, team):
    services.complete_action(by=facilitator, action=action, effect="worked")
    body = api_as(facilitator).get(f"{BASE}/teams/{team.pk}/metrics").json()
    assert (body["total"], body["done"], body["completion_rate"], body["effectiveness_rate"]) == (1, 1, 1.0, 1.0)
    response = api_as(facilitator).get(f"{BASE}/teams/{team.pk}/metrics?since=2026-02-01&until=2026-01-01")
    assert response.status_code == 400


def test_organization_metrics_are_for_learning_leads(api_as, action, learning_lead, facilitator):
    assert api_as(facilitator).get(f"{BASE}/metrics").status_code == 403
    body = api_as(learning_lead).get(f"{BASE}/metrics").json()
    assert (body["team_id"], body["total"], body["overdue_count"]) == (None, 1, 1)


def test_outsider_cannot_comment_or_read_comments(api_as, action, outsider):
    client = api_as(outsider)
    assert post(client, f"{BASE}/{action.pk}/comments", {"body": "Hi"}).status_code == 404
    assert client.get(f"{BASE}/{action.pk}/comments").status_code == 404


def test_moving_an_action_to_a_team_you_do_not_lead_is_refused(api_as, action, teammate):
    elsewhere = factories.team(name="Elsewhere")
    response = patch(api_as(teammate), f"{BASE}/{action.pk}", {"team_id": elsewhere.pk})
    assert response.status_code == 400 and "team_id" in response.json()["errors"]


def _list_query_count(client) -> tuple[int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(BASE)
    assert response.status_code == 200
    return len(captured), response.json()


def test_the_action_list_reads_its_people_in_constant_queries(api_as, teammate, team):
    client = api_as(teammate)

    def checked_action(number):
        action = services.create_action(by=teammate, title=f"Checked action {number}", team=team, owner=teammate)
        services.complete_action(by=teammate, action=action, effect="worked", evidence="It did")
        return action

    checked_action(1)
    _list_query_count(client)  # the first request of a token also records when it was used
    one, body = _list_query_count(client)
    assert body["items"][0]["checked_by"]["id"] == teammate.pk
    for number in range(2, 6):
        checked_action(number)
    five, body = _list_query_count(client)
    assert len(body["items"]) == 5 and all(item["checked_by"]["id"] == teammate.pk for item in body["items"])
    assert five == one
