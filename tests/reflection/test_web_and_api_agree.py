"""The board and the API apply the same rules to the same request: what one refuses, the other
refuses too, and neither says more than the other."""

import re

import pytest

from learnloop.actions.models import Action
from learnloop.reflection import cards, services
from learnloop.reflection.models import Group, Session
from learnloop.reflection.writer_keys import new_key
from tests import factories
from tests.conftest import signed_in_client
from tests.reflection.conftest import join, move_to

pytestmark = pytest.mark.django_db

API = "/api/v1/reflection"
JSON = "application/json"
TITLES = ["Flaky tests", "Late reviews", "Long meetings", "Slow builds"]


# --- the order of groups while the tallies are hidden ---------------------------------------------------


def _order_on_the_board(viewer, session) -> list[str]:
    page = signed_in_client(viewer).get(f"/sessions/{session.pk}/").content.decode()
    return [title for title in re.findall(r"<strong>([^<]+)</strong>", page) if title in TITLES]


def _order_in_the_api(viewer, session) -> list[str]:
    return [group["title"] for group in factories.token_client(viewer).get(
        f"{API}/sessions/{session.pk}/groups").json()["items"]]


@pytest.mark.parametrize("order_of", [_order_on_the_board, _order_in_the_api], ids=["web", "api"])
def test_while_the_tallies_are_hidden_votes_do_not_change_the_order_of_groups(
    make_session, facilitator, team, order_of
):
    session = move_to(make_session(anonymity="anonymous", vote_budget=3), "reflect", by=facilitator)
    voters = [factories.person(full_name=f"Voter {number}") for number in range(3)]
    for voter in voters:
        factories.membership(voter, team)
    join(session, *voters)
    keys = {voter.pk: new_key() for voter in voters}
    for title in TITLES:
        cards.write_card(by=voters[0], session=session, column="stop", text=title, writer_key=keys[voters[0].pk])
    session = move_to(session, "vote", by=facilitator)
    before = order_of(facilitator, session)
    # Every vote on the group that sorts last by title: an order by votes would put it first.
    last = Group.objects.get(session=session, title=TITLES[-1])
    for voter in voters:
        cards.cast_vote(by=voter, session=session, group=last, writer_key=keys[voter.pk])
    assert before == order_of(facilitator, session) == order_of(voters[1], session) == TITLES
    session = services.set_phase(by=facilitator, session=session, phase="discuss")
    assert order_of(facilitator, session)[0] == TITLES[-1]  # shown once the vote is over


# --- starting a session for an archived team ---------------------------------------------------------------


def _start_on_the_page(person, team, template) -> bool:
    response = signed_in_client(person).post("/sessions/", {
        "title": "Retro", "team": team.pk, "template": template.pk, "mode": "live", "anonymity": "named",
        "vote_budget": 3})
    return response.status_code == 200 and "archived" in response.content.decode()


def _start_through_the_api(person, team, template) -> bool:
    response = factories.token_client(person).post(f"{API}/sessions", {
        "title": "Retro", "team_id": team.pk, "template_id": template.pk}, content_type=JSON)
    return response.status_code == 400 and "archived" in str(response.json()["errors"])


@pytest.mark.parametrize("start", [_start_on_the_page, _start_through_the_api], ids=["web", "api"])
def test_nobody_starts_a_session_for_an_archived_team(facilitator, team, start):
    template = services.builtin_template("start-stop-continue")
    team.archived_at = team.created_at
    team.save()
    assert start(facilitator, team, template)
    assert not Session.objects.exists()


# --- an action for someone deactivated -------------------------------------------------------------------------


def _action_on_the_page(facilitator, session, owner) -> bool:
    response = signed_in_client(facilitator).post(
        f"/sessions/{session.pk}/actions/", {"title": "Quarantine flaky tests", "owner": owner.pk}, follow=True)
    return "deactivated" in response.content.decode()


def _action_through_the_api(facilitator, session, owner) -> bool:
    response = factories.token_client(facilitator).post(
        f"{API}/sessions/{session.pk}/actions", {"title": "Quarantine flaky tests", "owner_id": owner.pk},
        content_type=JSON)
    return response.status_code == 400 and "owner_id" in response.json()["errors"]


@pytest.mark.parametrize("create", [_action_on_the_page, _action_through_the_api], ids=["web", "api"])
def test_an_action_is_not_given_to_someone_deactivated(session, facilitator, team, create):
    gone = factories.person(full_name="Gone Person")
    factories.membership(gone, team)
    gone.is_active, gone.deactivated_at = False, gone.date_joined
    gone.save()
    session = move_to(session, "discuss", by=facilitator)
    assert create(facilitator, session, gone)
    assert not Action.objects.exists()
