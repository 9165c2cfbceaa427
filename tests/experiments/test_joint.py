"""Experiments in the joint: the decision becomes a decision record in the knowledge base (linked both
ways), the API lists what an experiment left behind, and registering shows what is already known."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learnloop.experiments import decisions, related, services
from learnloop.knowledge import services as knowledge
from tests.conftest import signed_in_client
from tests.experiments.conftest import binomial_rows, enter, register

JSON = "application/json"
BASE = "/api/v1/experiments"


def _decided(owner, facilitator, teammate, team, *, title="One-page checkout", treatment=1150, **fields):
    experiment = register(owner, team, title=title, **fields)
    services.start_experiment(by=owner, experiment=experiment, on=timezone.localdate() - timedelta(days=14))
    enter(owner, experiment, "checkout conversion", binomial_rows((10000, 1000), (10000, treatment)))
    recommendation = decisions.current_recommendation(experiment)
    return decisions.decide(
        by=facilitator, experiment=experiment, decision=recommendation.decision, rationale="As the numbers say.",
        takeaways=[{"title": f"What {title} taught us", "body": "Fewer steps, more orders."}],
        follow_ups=[{"title": "Roll out to mobile", "owner": teammate}],
    )


def test_the_api_lists_the_decision_record_lessons_and_follow_ups(api_as, owner, facilitator, teammate, team):
    decided = _decided(owner, facilitator, teammate, team)
    body = api_as(teammate).get(f"{BASE}/{decided.pk}").json()
    assert body["decision_record"]["kind"] == "decision"
    assert body["decision_record"]["id"] == decided.decision_record_id
    assert body["decision_record"]["url"] == f"/knowledge/{decided.decision_record_id}/"
    assert [lesson["title"] for lesson in body["lessons"]] == ["What One-page checkout taught us"]
    assert [(a["title"], a["owner_id"]) for a in body["follow_ups"]] == [("Roll out to mobile", teammate.pk)]


def test_the_record_and_the_experiment_link_to_each_other_on_their_pages(owner, facilitator, teammate, team):
    decided = _decided(owner, facilitator, teammate, team)
    client = signed_in_client(teammate)
    experiment_page = client.get(f"/experiments/{decided.pk}/").content.decode()
    assert f'href="/knowledge/{decided.decision_record_id}/"' in experiment_page
    record_page = client.get(f"/knowledge/{decided.decision_record_id}/").content.decode()
    assert f'href="/experiments/{decided.pk}/"' in record_page


def test_a_decision_through_the_api_answers_with_its_record(api_as, owner, team):
    experiment = register(owner, team)
    services.start_experiment(by=owner, experiment=experiment, on=timezone.localdate() - timedelta(days=3))
    enter(owner, experiment, "checkout conversion", binomial_rows((10000, 1000), (10000, 1150)))
    response = api_as(owner).post(f"{BASE}/{experiment.pk}/decision", {"decision": "ship", "rationale": "Clear."},
                                  content_type=JSON)
    assert response.status_code == 200, response.json()
    assert response.json()["decision_record"]["title"] == "Ship: One-page checkout"


def test_registering_shows_earlier_experiments_on_the_metric_failures_and_lessons(owner, facilitator, teammate,
                                                                                  team):
    earlier = _decided(owner, facilitator, teammate, team, title="Checkout without an account")
    failed = _decided(owner, facilitator, teammate, team, title="Express checkout button", treatment=880)
    assert failed.outcome == "lost"
    lesson = knowledge.create_entry(by=owner, kind="lesson", title="Checkout buttons rarely move conversion",
                                    body="Express checkout buttons did not move checkout conversion.")
    found = related.related(owner, text="Express checkout button on mobile", metric="Checkout conversion")
    assert earlier in found.same_metric and failed in found.same_metric
    assert [experiment for experiment, _ in found.failures] == [failed]
    assert lesson in found.lessons

    page = signed_in_client(owner).get("/experiments/related/", {
        "title": "Express checkout button on mobile", "primary_name": "checkout conversion"}).content.decode()
    assert "Earlier experiments on the same metric" in page
    assert "Experiments that did not work" in page
    assert f'href="/experiments/{failed.pk}/"' in page


def test_the_related_panel_and_api_answer_with_the_same_queries_at_ten_times_the_experiments(
        api_as, owner, facilitator, teammate, team):
    client = signed_in_client(owner)
    api = api_as(owner)

    def counts():
        # The first call brings the search index up to date with the entries just written; count the next.
        client.get("/experiments/related/", {"q": "checkout", "metric": "checkout conversion"})
        api.get(f"{BASE}/related", {"q": "checkout"})  # and the token's last use is written once
        with CaptureQueriesContext(connection) as web:
            assert client.get("/experiments/related/", {"q": "checkout", "metric": "checkout conversion"}) \
                .status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert api.get(f"{BASE}/related", {"q": "checkout", "metric": "checkout conversion"}).status_code == 200
        return len(web), len(listed)

    _decided(owner, facilitator, teammate, team, title="Checkout round 0")
    small = counts()
    for index in range(1, 10):
        _decided(owner, facilitator, teammate, team, title=f"Checkout round {index}", treatment=900 + 30 * index)
    ten = counts()
    for index in range(10, 20):
        _decided(owner, facilitator, teammate, team, title=f"Checkout round {index}", treatment=900 + 30 * index)
    # The lessons come from the similarity check, or from one full search when it finds none
    # (which depends on the other entries' words): at most one search more, never one per row.
    assert counts() == ten
    assert small[0] <= ten[0] and small[1] <= ten[1]


@pytest.mark.parametrize("viewer", ["outsider", "anonymous"])
def test_the_related_panel_needs_a_signed_in_person(viewer, owner, facilitator, teammate, team, outsider, client):
    _decided(owner, facilitator, teammate, team)
    if viewer == "anonymous":
        response = client.get("/experiments/related/", {"q": "checkout"})
        assert response.status_code == 302
    else:
        # Experiments are open to every signed-in person; the lessons come from the knowledge search,
        # scoped to what this person may read.
        page = signed_in_client(outsider).get("/experiments/related/", {"q": "checkout",
                                                                         "metric": "checkout conversion"})
        assert page.status_code == 200


def test_creating_an_action_or_starting_a_session_asks_the_same_panel(owner, facilitator, teammate, team):
    failed = _decided(owner, facilitator, teammate, team, title="Express checkout button", treatment=880)
    client = signed_in_client(facilitator)
    for path in ("/actions/new/", "/sessions/"):
        assert 'hx-get="/experiments/related/"' in client.get(path).content.decode(), path
    # The action form sends its title and description; a session start its title and goal.
    action_panel = client.get("/experiments/related/", {"title": "Try an express checkout button",
                                                        "description": ""}).content.decode()
    assert f'href="/experiments/{failed.pk}/"' in action_panel
    session_panel = client.get("/experiments/related/", {"title": "Pre-mortem", "goal": "express checkout button"})
    assert f'href="/experiments/{failed.pk}/"' in session_panel.content.decode()
