"""Anonymous workshop feedback: only attendees answer, once each; the hosts see the summary only
when feedback is closed and at least the organization's anonymity threshold answered; and someone
holding the database (or the pages) tries to learn who wrote which answer, and fails."""

import hashlib
import uuid
from datetime import timedelta
from statistics import mean

import pytest
from django.db import connection
from scipy.stats import spearmanr

from learnloop.activity.models import ActivityEvent, AnonymousActivity
from learnloop.growth import workshop_selectors, workshops
from learnloop.growth.models import FeedbackReceipt, WorkshopFeedback
from learnloop.org.models import Organization
from tests.conftest import signed_in_client
from tests.growth.workshop_helpers import held, people

SQLITE = connection.vendor == "sqlite"
POSTGRES = connection.vendor == "postgresql"


def _threshold(k: int) -> None:
    Organization.current()
    Organization.objects.filter(pk=1).update(anonymity_threshold=k)


def _state(viewer, workshop):
    workshop.refresh_from_db()
    return workshop_selectors.feedback_state(viewer=viewer, workshop=workshop)


def test_only_attendees_answer_once_each_after_the_end(team, lead, ana, ben):
    workshop = held(lead, attendees=[ana], absent=[ben])
    with pytest.raises(Exception, match="Only people who attended"):
        workshops.give_feedback(by=ben, workshop=workshop, rating=4)
    with pytest.raises(Exception, match="Only people who attended"):
        workshops.give_feedback(by=lead, workshop=workshop, rating=5)  # a host is no attendee
    with pytest.raises(Exception, match="1 to 5"):
        workshops.give_feedback(by=ana, workshop=workshop, rating=6)
    workshops.give_feedback(by=ana, workshop=workshop, rating=4, comment="Useful drills")
    with pytest.raises(Exception, match="already"):
        workshops.give_feedback(by=ana, workshop=workshop, rating=1)
    assert WorkshopFeedback.objects.count() == 1 and FeedbackReceipt.objects.count() == 1
    # A second browser brings no second key: the web form says the same.
    response = signed_in_client(ana).post(f"/growth/workshops/{workshop.pk}/feedback", {"rating": "2"})
    assert response.status_code == 200 and b"already given feedback" in response.content
    assert WorkshopFeedback.objects.count() == 1


def test_feedback_opens_at_the_end_and_closes_after_the_window(team, lead, ana):
    workshop = held(lead, attendees=[ana], days_ago=workshops.FEEDBACK_DAYS + 1)
    with pytest.raises(Exception, match="closed"):
        workshops.give_feedback(by=ana, workshop=workshop, rating=3)
    recent = held(lead, attendees=[ana], title="Later one")
    with pytest.raises(Exception, match="opens when the workshop ends"):
        workshops.give_feedback(by=ana, workshop=recent, rating=3, at=recent.starts_at + timedelta(minutes=30))


def test_summary_waits_for_closing_and_the_threshold(team, lead, learning_lead):
    _threshold(3)
    crowd = people(team, 4)
    workshop = held(lead, attendees=crowd)
    for person, rating in zip(crowd[:3], (5, 4, 2), strict=True):
        workshops.give_feedback(by=person, workshop=workshop, rating=rating, comment=f"note {rating}")
    state = _state(lead, workshop)
    assert (state.answers, state.attendees, state.closed, state.released, state.summary) == (3, 4, False, False, None)
    workshops.give_feedback(by=crowd[3], workshop=workshop, rating=4)  # the last attendee closes it
    state = _state(lead, workshop)
    assert state.closed and state.released
    assert state.summary == {"count": 4, "mean": 3.75, "distribution": [0, 1, 0, 2, 1],
                             "comments": ["note 2", "note 4", "note 5"]}
    assert _state(learning_lead, workshop).summary is None  # the hosts only, admins are not exempt
    assert _state(crowd[0], workshop).summary is None


def test_too_few_answers_stay_hidden_after_closing(team, lead):
    _threshold(3)
    crowd = people(team, 5)
    workshop = held(lead, attendees=crowd)
    for person in crowd[:2]:
        workshops.give_feedback(by=person, workshop=workshop, rating=1, comment="Too fast")
    workshops.close_feedback(by=lead, workshop=workshop)
    state = _state(lead, workshop)
    assert state.closed and not state.released and state.summary is None
    assert "Fewer than 3" in state.withheld_reason
    with pytest.raises(Exception, match="closed"):
        workshops.give_feedback(by=crowd[2], workshop=workshop, rating=5)
    page = signed_in_client(lead).get(f"/growth/workshops/{workshop.pk}/host").content.decode()
    assert "Too fast" not in page and "Fewer than 3" in page


# --- the attacker ---------------------------------------------------------------------------------------


def _stored(model, workshop) -> list[dict]:
    """Rows as the database stores them: in physical order, with the engine's hidden columns."""
    hidden = "rowid AS position" if SQLITE else "ctid AS position, xmin::text AS xid"
    order = "rowid" if SQLITE else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT *, {hidden} FROM {model._meta.db_table} "  # noqa: S608
                       f"WHERE workshop_id = %s ORDER BY {order}", [workshop.pk])
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _answer_in_turn(workshop, crowd) -> list[str]:
    """Each attendee answers in turn with a comment the test (not the attacker) can trace back."""
    written = []
    for number, person in enumerate(crowd):
        workshops.give_feedback(by=person, workshop=workshop, rating=1 + number % 5, comment=f"answer {number:02d}")
        written.append(f"answer {number:02d}")
    return written


@pytest.mark.django_db(transaction=True)
def test_a_database_holder_cannot_tell_who_wrote_which_feedback(team, lead):
    crowd = people(team, 8)
    workshop = held(lead, attendees=[*crowd, *people(team, 1, prefix="silent")])  # one never answers: still open
    written = _answer_in_turn(workshop, crowd)

    rows = _stored(WorkshopFeedback, workshop)
    columns = set(rows[0]) - {"position", "xid"}
    assert columns == {"id", "workshop_id", "rating", "comment", "shuffle_key"}  # no author, no time
    stored = [row["comment"] for row in rows]
    assert sorted(stored) == written
    # Physical order, id order and shuffle-key order: none is the order people answered in
    # (8 rows: a random order equals it once in 40,320).
    assert stored != written
    assert [r["comment"] for r in sorted(rows, key=lambda r: str(uuid.UUID(str(r["id"]))))] != written
    assert [r["comment"] for r in sorted(rows, key=lambda r: (r["shuffle_key"], str(r["id"])))] != written
    receipts = _stored(FeedbackReceipt, workshop)
    assert set(receipts[0]) - {"position", "xid"} == {"id", "workshop_id", "key_hash"}
    if SQLITE:  # one fresh block each, written by the last answer
        for table in (rows, receipts):
            positions = [row["position"] for row in table]
            assert positions == list(range(positions[0], positions[0] + len(table)))
    if POSTGRES:  # every row re-inserted by the last answer's transaction
        assert len({row["xid"] for row in rows} | {row["xid"] for row in receipts}) == 1

    # Receipts name nobody: not a plain hash of a person's id or email, and not the same value
    # for the same person at another workshop.
    plain = {hashlib.sha256(str(value).encode()).hexdigest() for p in crowd for value in (p.pk, p.email)}
    assert not plain & {r["key_hash"] for r in receipts}
    other = held(lead, attendees=crowd[:1], title="Another")
    workshops.give_feedback(by=crowd[0], workshop=other, rating=3)
    assert not {r["key_hash"] for r in receipts} & set(FeedbackReceipt.objects.filter(workshop=other)
                                                        .values_list("key_hash", flat=True))
    # No activity event names an answer; only a per-day count exists.
    assert not ActivityEvent.objects.filter(verb__contains="feedback").exists()
    assert AnonymousActivity.objects.get(verb="growth.workshop_feedback", subject_id=workshop.pk).count == 8


@pytest.mark.django_db(transaction=True)
def test_over_many_workshops_storage_order_does_not_follow_answer_order(team, lead):
    crowd = people(team, 6)
    correlations = []
    for number in range(12):
        workshop = held(lead, attendees=crowd, title=f"Workshop {number}")  # one of six stays silent
        written = _answer_in_turn(workshop, crowd[:5])
        stored = [row["comment"] for row in _stored(WorkshopFeedback, workshop)]
        correlations.append(spearmanr(range(len(written)), [stored.index(c) for c in written]).statistic)
    # Random orders of 5: the mean of 12 correlations has a standard deviation of about 0.14.
    assert abs(mean(correlations)) < 0.45, correlations


def test_the_hosts_page_shows_comments_by_text_and_no_ids(team, lead):
    _threshold(3)
    crowd = people(team, 3)
    workshop = held(lead, attendees=crowd)
    for person, comment in zip(crowd, ("Zebra crossing", "Apples", "Mangoes"), strict=True):
        workshops.give_feedback(by=person, workshop=workshop, rating=3, comment=comment)
    page = signed_in_client(lead).get(f"/growth/workshops/{workshop.pk}/host").content.decode()
    assert page.index("Apples") < page.index("Mangoes") < page.index("Zebra crossing")
    for feedback_id in WorkshopFeedback.objects.values_list("id", flat=True):
        assert str(feedback_id) not in page and feedback_id.hex not in page
