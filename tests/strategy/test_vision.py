"""The co-created vision: rounds, anonymous proposals that reveal no author, support, the
owner's decisions with reasons, versions and their diff, and "feels connected"."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from learnloop.strategy import vision
from learnloop.strategy.models import Proposal, Support


@pytest.fixture
def org_vision(org):
    return vision.create_vision(by=org.lead, title="Harbour vision",
                                draft="We learn in the open.\nEvery team reflects monthly.")


def test_propose_accept_publish_and_diff(org, org_vision):
    first = vision.publish(by=org.lead, vision=org_vision, summary="First")
    round_ = vision.open_round(by=org.lead, vision=org_vision, question="What is missing?")
    change = vision.propose(by=org.members[0], round_=round_, kind="change", text="Monthly is too rare",
                            replace="Every team reflects monthly.", with_text="Every team reflects every sprint.")
    comment = vision.propose(by=org.members[1], round_=round_, kind="comment", text="Love it")
    assert vision.support(by=org.members[1], proposal=change)
    assert not vision.support(by=org.members[1], proposal=change)  # once
    with pytest.raises(ValidationError):
        vision.support(by=org.members[0], proposal=change)  # not your own
    vision.decide(by=org.lead, proposal=change, accept=True, reason="Agreed at the all-hands")
    vision.decide(by=org.lead, proposal=comment, accept=False, reason="A comment, nothing to change")
    with pytest.raises(ValidationError):
        vision.decide(by=org.lead, proposal=change, accept=False, reason="again")
    org_vision.refresh_from_db()
    assert org_vision.draft == "We learn in the open.\nEvery team reflects every sprint."
    second = vision.publish(by=org.lead, vision=org_vision)
    assert second.number == 2
    assert vision.diff(first.text, second.text) == [
        ("same", "We learn in the open."), ("removed", "Every team reflects monthly."),
        ("added", "Every team reflects every sprint.")]
    rows = vision.rounds_of(org.members[0], org_vision)[0]["proposals"]
    assert {(row["proposal"].kind, row["support"], row["mine"]) for row in rows} == {("change", 1, True),
                                                                                       ("comment", 0, False)}


def test_anonymous_proposals_reveal_no_author(org, org_vision):
    round_ = vision.open_round(by=org.lead, vision=org_vision, anonymous=True)
    keys = [vision.new_key() for _ in range(3)]
    for number, key in enumerate(keys):
        vision.propose(by=org.members[number], round_=round_, kind="comment", text=f"Idea {number}", writer_key=key)
    with pytest.raises(ValidationError):
        vision.propose(by=org.members[3], round_=round_, kind="comment", text="no key")
    stored = list(Proposal.objects.filter(round=round_))
    assert all(row.author_id is None for row in stored)
    assert len({row.writer_hash for row in stored}) == 3
    assert not any(field.name in {"created_at", "at"} for field in Proposal._meta.fields)
    # Each writer finds their own proposal, and only theirs, with their key.
    for number, key in enumerate(keys):
        mine = [row["proposal"].text for row in vision.rounds_of(org.lead, org_vision, writer_key=key)[0]["proposals"]
                if row["mine"]]
        assert mine == [f"Idea {number}"]
    vision.support(by=org.members[3], proposal=stored[0], writer_key=vision.new_key())
    assert Support.objects.filter(proposal__round=round_).count() == 1
    # Every write re-inserts the round's rows: on PostgreSQL they share the last write's xmin.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(DISTINCT xmin::text) FROM strategy_proposal")
            assert cursor.fetchone()[0] == 1


def test_one_open_round_and_closed_rounds_take_nothing(org, org_vision):
    round_ = vision.open_round(by=org.lead, vision=org_vision)
    with pytest.raises(ValidationError):
        vision.open_round(by=org.lead, vision=org_vision)
    vision.close_round(by=org.lead, round_=round_)
    with pytest.raises(ValidationError):
        vision.propose(by=org.members[0], round_=round_, kind="comment", text="late")
    with pytest.raises(ValidationError):  # a change must quote the draft exactly
        vision.propose(by=org.members[0], round_=vision.open_round(by=org.lead, vision=org_vision), kind="change",
                       text="x", replace="Not in the draft", with_text="y")


def test_feels_connected_share(org, org_vision):
    vision.mark_connected(by=org.members[0], vision=org_vision, note="Shapes our retros")
    vision.mark_connected(by=org.members[0], vision=org_vision, note="Updated")
    figures = vision.engagement(org_vision)
    assert figures["engaged"] == 1 and figures["population"] == 7
    assert figures["share"] == pytest.approx(1 / 7)
