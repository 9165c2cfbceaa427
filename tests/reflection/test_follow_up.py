import pytest
from django.core.exceptions import PermissionDenied

from learnloop.actions.models import Status
from learnloop.knowledge.models import Provenance
from learnloop.reflection import cards, follow_up, selectors
from tests.conftest import signed_in_client
from tests.reflection.conftest import join, move_to


@pytest.fixture
def discussed(session, facilitator, writer, colleague, keys):
    session = move_to(session, "reflect", by=facilitator)
    join(session, writer, colleague)
    first = cards.write_card(by=writer, session=session, column="stop", text="Flaky end-to-end tests",
                             writer_key=keys["w"])
    second = cards.write_card(by=colleague, session=session, column="stop", text="End-to-end tests flake daily",
                              writer_key=keys["c"])
    session = move_to(session, "group", by=facilitator)
    group = cards.group_cards(by=facilitator, session=session, cards=[first, second], title="Flaky tests")
    return move_to(session, "discuss", by=facilitator), group, (first, second)


def test_a_group_becomes_a_lesson_with_provenance_to_the_session_and_each_card(discussed, facilitator):
    session, group, group_cards = discussed
    entry = follow_up.promote_to_lesson(by=facilitator, session=session, title="Quarantine flaky tests", group=group)
    sources = set(Provenance.objects.filter(entry=entry).values_list("source_type", "source_id"))
    assert sources == {("reflection.session", str(session.pk))} | {("reflection.card", str(c.pk)) for c in group_cards}
    assert entry.owner_team == session.team and entry.author == facilitator
    assert "Flaky end-to-end tests" in entry.body
    assert [e.pk for e in selectors.lessons_of(session, facilitator)] == [entry.pk]


def test_only_the_facilitator_promotes_and_records_actions(discussed, writer):
    session, group, _ = discussed
    with pytest.raises(PermissionDenied):
        follow_up.promote_to_lesson(by=writer, session=session, title="Mine", group=group)
    with pytest.raises(PermissionDenied):
        follow_up.create_session_action(by=writer, session=session, title="Do it")


def test_actions_link_back_to_the_session_and_come_up_in_the_next_one(discussed, facilitator, writer, make_session):
    session, group, _ = discussed
    action = follow_up.create_session_action(by=facilitator, session=session, title="Quarantine flaky tests",
                                             owner=writer, group=group)
    assert (action.source_type, action.source_id) == ("reflection.session", str(session.pk))
    assert [a.pk for a in follow_up.actions_of(session)] == [action.pk]
    later = make_session(title="Sprint 15 retro")
    assert [a.pk for a in follow_up.earlier_open_actions(later)] == [action.pk]
    page = signed_in_client(facilitator).get(f"/sessions/{later.pk}/").content.decode()
    assert "Quarantine flaky tests" in page
    follow_up.review_earlier_action(by=facilitator, session=later, action=action, outcome="not_doing",
                                    reason="We deleted the suite instead.")
    action.refresh_from_db()
    assert action.status == Status.NOT_DOING
    assert follow_up.earlier_open_actions(later) == []


def test_the_closed_session_summarises_cards_groups_actions_and_lessons(discussed, facilitator):
    session, group, _ = discussed
    follow_up.create_session_action(by=facilitator, session=session, title="Quarantine flaky tests")
    follow_up.promote_to_lesson(by=facilitator, session=session, title="Flaky tests erode trust", group=group)
    session = move_to(session, "closed", by=facilitator)
    page = signed_in_client(facilitator).get(f"/sessions/{session.pk}/").content.decode()
    for text in ("Summary", "Cards by column", "Flaky tests", "Quarantine flaky tests", "Flaky tests erode trust",
                 "End-to-end tests flake daily"):
        assert text in page
