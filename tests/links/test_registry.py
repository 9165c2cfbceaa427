"""One link model: typed references are validated on write, permission-checked and resolved
without a query per row."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnloop.knowledge import services as knowledge
from learnloop.links import registry

pytestmark = pytest.mark.django_db

EXPECTED_TYPES = {
    "reflection.session", "reflection.card", "actions.action", "actions.check", "experiments.experiment",
    "experiments.decision", "surveys.focus_area", "knowledge.entry",
}


def test_every_module_registers_its_types():
    assert set(registry.known_types()) >= EXPECTED_TYPES


def test_unknown_type_names_the_type_field(member):
    with pytest.raises(ValidationError) as error:
        registry.clean_reference(member, type_key="no.such.type", object_id="1", type_field="context_type",
                                 id_field="context_id")
    assert set(error.value.message_dict) == {"context_type"}


def test_missing_and_invisible_objects_read_the_same(retro, outsider, member):
    session = retro["session"]
    messages = []
    for object_id in (str(session.pk), "999999"):
        with pytest.raises(ValidationError) as error:
            registry.clean_reference(outsider, type_key="reflection.session", object_id=object_id,
                                     type_field="t", id_field="i")
        messages.append(error.value.message_dict["i"][0].replace(object_id, "N"))
    assert messages[0] == messages[1]
    target = registry.clean_reference(member, type_key="reflection.session", object_id=str(session.pk),
                                      type_field="t", id_field="i")
    assert target.url == f"/sessions/{session.pk}/" and "Release retro" in target.title


def test_a_card_reference_never_names_its_writer(retro, member, writer):
    card = retro["card"]
    target = registry.resolve(member, [("reflection.card", str(card.pk))])[("reflection.card", str(card.pk))]
    for needle in (writer.full_name, writer.email, "Wren"):
        assert needle not in target.title and needle not in target.url


def test_a_card_of_an_unrevealed_session_cannot_be_cited_even_by_its_writer(team, lead, writer):
    """Citing your own card before the reveal would tie you to it for anyone reading the citation."""
    from learnloop.reflection import cards
    from learnloop.reflection import services as reflection
    from learnloop.reflection.writer_keys import new_key
    from tests.reflection.conftest import join, move_to

    session = move_to(reflection.create_session(by=lead, team=team, title="Quiet retro", anonymity="anonymous",
                                                template=reflection.builtin_template("start-stop-continue")),
                      "reflect", by=lead)
    join(session, writer)
    card = cards.write_card(by=writer, session=session, column="stop", text="Secret", writer_key=new_key())
    assert registry.resolve(writer, [("reflection.card", str(card.pk))]) == {}


def test_resolving_many_references_costs_one_query_per_type(retro, member, lead):
    entries = [knowledge.create_entry(by=lead, kind="lesson", title=f"Lesson {n}", body="x") for n in range(10)]
    one = [("knowledge.entry", str(entries[0].pk)), ("reflection.session", str(retro["session"].pk))]
    many = [("knowledge.entry", str(e.pk)) for e in entries] + one[1:]
    counts = []
    for refs in (one, many):
        with CaptureQueriesContext(connection) as captured:
            found = registry.resolve(member, refs)
        counts.append(len(captured.captured_queries))
        assert len(found) == len(refs)
    assert counts[0] == counts[1]


def test_lessons_listed_back_cost_the_same_for_one_and_ten(retro, member, lead):
    session = retro["session"]
    ref = [("reflection.session", str(session.pk))]
    counts = []
    for extra in (0, 9):
        for n in range(extra):
            entry = knowledge.create_entry(by=lead, kind="lesson", title=f"Applied {n}", body="x")
            knowledge.record_application(by=member, entry=entry, context_type="reflection.session",
                                         context_id=str(session.pk))
        with CaptureQueriesContext(connection) as captured:
            found = registry.backlinks(member, ref)[ref[0]]
        counts.append(len(captured.captured_queries))
    assert len(found.applied_here) == 9 and len(found.came_from) == 1
    assert counts[0] == counts[1]
