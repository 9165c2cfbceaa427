import pytest

from learnloop.actions import services as actions
from learnloop.knowledge import services as knowledge
from learnloop.reflection import cards, follow_up
from learnloop.reflection import services as reflection
from learnloop.reflection.writer_keys import new_key
from tests import factories
from tests.reflection.conftest import join, move_to


@pytest.fixture
def lead(team):
    person = factories.person(email="lee.lead@example.org", full_name="Lee Lead")
    factories.membership(person, team, role="facilitator")
    return person


@pytest.fixture
def member(team):
    person = factories.person(email="max.member@example.org", full_name="Max Member")
    factories.membership(person, team)
    return person


@pytest.fixture
def writer(team):
    person = factories.person(email="wren.writer@example.org", full_name="Wren Writer")
    factories.membership(person, team)
    return person


@pytest.fixture
def other_team(department):
    return factories.team(name="Support", parent=department)


@pytest.fixture
def outsider(other_team):
    person = factories.person(email="otto.outsider@example.org", full_name="Otto Outsider")
    factories.membership(person, other_team)
    return person


@pytest.fixture
def retro(team, lead, member, writer):
    """An anonymous retro in the discuss phase with one card by `writer`, a lesson promoted from
    the card and an action agreed in it."""
    session = reflection.create_session(by=lead, team=team, template=reflection.builtin_template(
        "start-stop-continue"), title="Release retro", anonymity="anonymous")
    session = move_to(session, "reflect", by=lead)
    join(session, member, writer)
    card = cards.write_card(by=writer, session=session, column="stop", text="Friday deploys keep failing",
                            writer_key=new_key())
    session = move_to(session, "discuss", by=lead)
    lesson = follow_up.promote_to_lesson(by=lead, session=session, title="Deploy before Thursday noon", card=card)
    action = follow_up.create_session_action(by=lead, session=session, title="Move the release to Wednesday",
                                             owner=member)
    return {"session": session, "card": card, "lesson": lesson, "action": action}


@pytest.fixture
def worked(retro, member):
    """The retro's action, done and checked: it worked."""
    return actions.complete_action(by=member, action=retro["action"], effect="worked",
                                   evidence="No failed release in six weeks (was 3 of 6).")


def lesson_for(person, **fields):
    fields.setdefault("title", "Keep releases small")
    return knowledge.create_entry(by=person, kind="lesson", body="Small batches fail less.", **fields)
