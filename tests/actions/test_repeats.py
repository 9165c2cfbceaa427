"""Repeats: earlier actions that say the same thing, found when a new one is written; the
"same as #123" link; the clusters a team keeps agreeing; and who may see any of it."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from learnloop.actions import repeats, services
from learnloop.actions.models import Action
from tests import factories

BASE = "/api/v1/actions"
TITLE = "Write a runbook for database failover"


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def _agreed(by, team, title, *, days_ago, effect=None, owner=None):
    at = timezone.now() - timedelta(days=days_ago)
    action = services.create_action(by=by, title=title, team=team, owner=owner or by, at=at)
    if effect:
        services.complete_action(by=by, action=action, effect=effect, evidence="Seen in the numbers.",
                                 at=at + timedelta(days=5))
    return action


@pytest.fixture
def history(facilitator, team):
    """The same runbook agreed three times (twice marked worked), and an unrelated action."""
    return [
        _agreed(facilitator, team, "Write a runbook for DB failover", days_ago=200, effect="worked"),
        _agreed(facilitator, team, "Write a failover runbook for the database", days_ago=120, effect="worked"),
        _agreed(facilitator, team, "Write the database failover runbook", days_ago=30),
        _agreed(facilitator, team, "Buy a second coffee machine", days_ago=10, effect="did_not_work"),
    ]


@pytest.fixture
def other_team(department):
    return factories.team(name="Mobile apps", parent=department)


def test_earlier_actions_with_their_outcomes(facilitator, team, history):
    found = repeats.earlier_actions(viewer=facilitator, title=TITLE, team=team)
    assert {match.action.pk for match in found.matches} == {action.pk for action in history[:3]}
    assert all(match.same_team for match in found.matches)
    outcomes = found.outcomes
    assert (outcomes.times, outcomes.worked, outcomes.did_not_work, outcomes.still_open) == (3, 2, 0, 1)
    assert outcomes.first_agreed == history[0].created_at and outcomes.teams == [team]
    assert [match.action for match in found.open_matches] == [history[2]]


def test_nothing_for_a_new_idea_or_a_too_short_title(facilitator, team, history):
    assert repeats.earlier_actions(viewer=facilitator, title="Start a book club", team=team).matches == []
    assert repeats.earlier_actions(viewer=facilitator, title="ab", team=team).matches == []


def test_another_teams_actions_only_for_those_who_may_see_them(
    facilitator, team, other_team, history, learning_lead
):
    mobile_lead = factories.person(email="mo.lead@example.org", full_name="Mo Lead")
    factories.membership(mobile_lead, other_team, role="facilitator")
    theirs = _agreed(mobile_lead, other_team, "Write a runbook for database failover", days_ago=50, effect="worked")
    # The payments facilitator doesn't see Mobile's action: neither its title nor a count of it.
    mine = repeats.earlier_actions(viewer=facilitator, title=TITLE, team=team)
    assert theirs.pk not in {match.action.pk for match in mine.matches} and mine.outcomes.times == 3
    # Mobile's lead sees only Mobile's.
    seen = repeats.earlier_actions(viewer=mobile_lead, title=TITLE, team=other_team)
    assert [match.action.pk for match in seen.matches] == [theirs.pk]
    # A learning lead sees both teams, the one the action is for first.
    both = repeats.earlier_actions(viewer=learning_lead, title=TITLE, team=other_team)
    assert both.matches[0].action.pk == theirs.pk and both.matches[0].same_team
    assert not any(match.same_team for match in both.matches[1:]) and both.outcomes.times == 4
    assert both.outcomes.teams == [team, other_team]


def test_a_new_action_links_to_the_earlier_one(facilitator, team, history):
    action = services.create_action(by=facilitator, title=TITLE, team=team, repeat_of=history[1])
    assert Action.objects.get(pk=action.pk).repeat_of == history[1]
    assert list(history[1].repeats.all()) == [action]


def test_a_link_to_an_action_the_author_cannot_see_is_refused(teammate, team, other_team, department):
    stranger = factories.person(email="sam.stranger@example.org", full_name="Sam Stranger")
    factories.membership(stranger, other_team)
    hidden = services.create_action(by=stranger, title=TITLE, team=other_team)
    with pytest.raises(ValidationError) as raised:
        services.create_action(by=teammate, title=TITLE, team=team, repeat_of=hidden)
    assert "repeat_of" in raised.value.error_dict


def test_mark_repeat_after_the_fact_and_its_rules(facilitator, teammate, team, history):
    later = history[2]
    repeats.mark_repeat(by=facilitator, action=later, repeat_of=history[0])
    assert Action.objects.get(pk=later.pk).repeat_of_id == history[0].pk
    with pytest.raises(ValidationError):
        repeats.mark_repeat(by=facilitator, action=later, repeat_of=later)
    with pytest.raises(ValidationError):  # the earlier one can't repeat a later one
        repeats.mark_repeat(by=facilitator, action=history[0], repeat_of=later)
    with pytest.raises(PermissionDenied):  # a member who doesn't own it can't change it
        repeats.mark_repeat(by=teammate, action=history[1], repeat_of=history[0])
    repeats.mark_repeat(by=facilitator, action=later, repeat_of=None)
    assert Action.objects.get(pk=later.pk).repeat_of_id is None


def test_clusters_of_a_team_with_outcomes(facilitator, team, history):
    services.create_action(by=facilitator, title="Order more coffee", team=team)
    clusters = repeats.repeat_clusters(viewer=facilitator, team=team)
    assert len(clusters) == 1
    cluster = clusters[0]
    assert [action.pk for action in cluster.actions] == [action.pk for action in history[:3]]
    assert cluster.outcomes.times == 3 and cluster.outcomes.worked == 2
    assert cluster.worked_yet_repeated  # marked worked 200 days ago, agreed again since
    assert cluster.linked == 0


def test_an_explicit_link_joins_differently_worded_actions(facilitator, team):
    first = _agreed(facilitator, team, "Ask customers what they need before building", days_ago=90)
    second = _agreed(facilitator, team, "Interview two teams before the next feature", days_ago=10)
    assert repeats.repeat_clusters(viewer=facilitator, team=team) == []
    repeats.mark_repeat(by=facilitator, action=second, repeat_of=first)
    clusters = repeats.repeat_clusters(viewer=facilitator, team=team)
    assert [action.pk for action in clusters[0].actions] == [first.pk, second.pk] and clusters[0].linked == 1


def test_repeat_rates():
    rows = [(1, "A"), (1, "A"), (1, "B"), (2, "A"), (2, "C"), (2, "C"), (2, "C")]
    rate = repeats.exact_title_repeats(rows)
    assert (rate.actions, rate.repeating, rate.groups) == (7, 5, 2)
    detected = repeats.detected_repeats([(1, "Write the DB failover runbook"), (1, TITLE), (2, TITLE)])
    assert (detected.actions, detected.repeating, detected.groups) == (3, 2, 1)


# --- API ----------------------------------------------------------------------------------------


def test_api_similar_and_create_answer_the_same_earlier_actions(api_as, facilitator, team, history):
    client = api_as(facilitator)
    response = post(client, f"{BASE}/similar", {"title": TITLE, "team_id": team.pk})
    assert response.status_code == 200, response.content
    similar = response.json()
    assert {match["action"]["id"] for match in similar["matches"]} == {action.pk for action in history[:3]}
    assert similar["outcomes"]["times"] == 3 and similar["outcomes"]["worked"] == 2
    created = post(client, BASE, {"title": TITLE, "team_id": team.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["earlier"] == similar and body["repeat_of"] is None
    linked = patch(client, f"{BASE}/{body['id']}", {"repeat_of_id": history[0].pk})
    assert linked.status_code == 200 and linked.json()["repeat_of"]["id"] == history[0].pk
    assert linked.json()["repeat_of"]["effect"] == "worked"


def test_api_create_with_a_link(api_as, facilitator, team, history):
    response = post(api_as(facilitator), BASE, {"title": TITLE, "team_id": team.pk, "repeat_of_id": history[1].pk})
    assert response.status_code == 201, response.content
    assert response.json()["repeat_of"]["id"] == history[1].pk


def test_api_refuses_unknown_and_hidden_links_naming_the_field(api_as, teammate, team, other_team):
    stranger = factories.person(email="sam.stranger@example.org", full_name="Sam Stranger")
    factories.membership(stranger, other_team)
    hidden = services.create_action(by=stranger, title=TITLE, team=other_team)
    client = api_as(teammate)
    for target in (999_999, hidden.pk):
        response = post(client, BASE, {"title": TITLE, "team_id": team.pk, "repeat_of_id": target})
        assert response.status_code == 400
        assert response.json()["errors"] == {"repeat_of_id": ["No earlier action with this id that you can see."]}
    assert not Action.objects.filter(team=team).exists()
    # Nor does "similar" reveal it.
    assert post(client, f"{BASE}/similar", {"title": TITLE, "team_id": team.pk}).json()["matches"] == []
    response = post(client, f"{BASE}/similar", {"title": TITLE, "team_id": 999_999})
    assert response.status_code == 400 and "team_id" in response.json()["errors"]


def test_api_repeat_clusters_for_a_team_and_the_organization(api_as, facilitator, outsider, learning_lead, team,
                                                              history):
    response = api_as(facilitator).get(f"{BASE}/teams/{team.pk}/repeats")
    assert response.status_code == 200
    clusters = response.json()["items"]
    assert len(clusters) == 1 and clusters[0]["outcomes"]["times"] == 3 and clusters[0]["worked_yet_repeated"]
    assert [action["id"] for action in clusters[0]["actions"]] == [action.pk for action in history[:3]]
    assert api_as(outsider).get(f"{BASE}/teams/{team.pk}/repeats").status_code == 403
    assert api_as(facilitator).get(f"{BASE}/repeats").status_code == 403
    assert api_as(learning_lead).get(f"{BASE}/repeats").json()["items"] == clusters


def test_a_link_across_teams_names_nothing_to_whoever_cannot_see_the_earlier_action(
    api_as, client, learning_lead, teammate, team, other_team
):
    # A learning lead links a Payments action to Mobile's: Payments' members must not learn Mobile's title.
    theirs = services.create_action(by=learning_lead, title="Secret mobile follow-up", team=other_team)
    ours = services.create_action(by=learning_lead, title=TITLE, team=team, owner=teammate, repeat_of=theirs)
    assert api_as(learning_lead).get(f"{BASE}/{ours.pk}").json()["repeat_of"]["id"] == theirs.pk
    seen = api_as(teammate).get(f"{BASE}/{ours.pk}")
    assert seen.status_code == 200 and seen.json()["repeat_of"] is None
    client.force_login(teammate)
    page = client.get(f"/actions/{ours.pk}/").content.decode()
    assert "Secret mobile follow-up" not in page and "Agreed before" not in page
