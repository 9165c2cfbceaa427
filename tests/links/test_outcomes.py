"""Effect → knowledge: an answered check becomes a lesson or evidence for one; a "did not work"
flags the lessons it was taken on for review."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learnloop.actions import services as actions
from learnloop.knowledge import outcomes, selectors
from learnloop.knowledge import services as knowledge
from learnloop.knowledge.models import Entry, OutcomeEvidence
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_worked_becomes_evidence_and_marks_the_lesson_verified(retro, worked, lead):
    entry = retro["lesson"]
    outcomes.add_outcome(by=lead, entry=entry, action_id=worked.pk)
    entry.refresh_from_db()
    assert entry.verified_by_outcome_at is not None
    (kept,) = entry.outcomes.all()
    assert (kept.effect, kept.source_type, kept.source_id) == ("worked", "actions.check", str(worked.pk))
    assert "six weeks" in kept.evidence


def test_a_new_lesson_from_an_outcome_links_back_to_the_check_and_the_session(retro, worked, member):
    entry = outcomes.lesson_from_outcome(by=member, action_id=worked.pk, title="Wednesday releases fail less")
    sources = set(entry.provenance.values_list("source_type", "source_id"))
    assert ("actions.check", str(worked.pk)) in sources
    assert ("reflection.session", str(retro["session"].pk)) in sources
    assert entry.owner_team == retro["session"].team and entry.verified_by_outcome_at is not None
    assert "It worked".lower() in entry.body.lower() or "it worked" in entry.body


def test_a_correction_to_did_not_work_follows_into_the_lesson_and_flags_it(retro, worked, lead, member):
    entry = retro["lesson"]
    outcomes.add_outcome(by=lead, entry=entry, action_id=worked.pk)
    actions.record_effectiveness(by=member, action=worked, effect="did_not_work", evidence="Two failures since.")
    entry.refresh_from_db()
    assert entry.verified_by_outcome_at is None
    assert entry.review_flagged_at is not None and "did not work" in entry.review_flag
    assert entry.outcomes.get().effect == "did_not_work"
    assert entry in selectors.review_queue(viewer=lead)
    knowledge.verify_entry(by=lead, entry=entry)
    entry.refresh_from_db()
    assert not entry.review_flag and entry not in selectors.review_queue(viewer=lead)


def test_did_not_work_on_an_action_taken_on_a_lesson_flags_it(retro, lead, member):
    lesson = retro["lesson"]
    knowledge.record_application(by=member, entry=lesson, context_type="actions.action",
                                 context_id=str(retro["action"].pk))
    actions.complete_action(by=member, action=retro["action"], effect="did_not_work", evidence="Still failing.")
    lesson.refresh_from_db()
    assert lesson.review_flagged_at is not None
    assert lesson in selectors.review_queue(viewer=lead)


def test_an_unrelated_lesson_is_not_flagged(retro, lead, member):
    other = knowledge.create_entry(by=lead, kind="lesson", title="Unrelated", body="x")
    actions.complete_action(by=member, action=retro["action"], effect="did_not_work")
    other.refresh_from_db()
    assert other.review_flagged_at is None


def test_a_check_not_answered_or_not_visible_cannot_be_used(retro, member, outsider, lead):
    with pytest.raises(ValidationError) as error:  # not answered yet
        outcomes.lesson_from_outcome(by=member, action_id=retro["action"].pk, title="Too soon")
    assert "action" in error.value.message_dict
    actions.complete_action(by=member, action=retro["action"], effect="worked")
    with pytest.raises(ValidationError) as hidden:
        outcomes.lesson_from_outcome(by=outsider, action_id=retro["action"].pk, title="Not mine")
    with pytest.raises(ValidationError) as missing:
        outcomes.lesson_from_outcome(by=outsider, action_id=999999, title="Nothing")
    assert hidden.value.message_dict == missing.value.message_dict
    own = knowledge.create_entry(by=outsider, kind="lesson", title="Mine", body="x")
    with pytest.raises(ValidationError):
        outcomes.add_outcome(by=outsider, entry=own, action_id=retro["action"].pk)
    with pytest.raises(PermissionDenied):  # may see the check, may not edit the lesson
        outcomes.add_outcome(by=lead, entry=own, action_id=retro["action"].pk)
    assert not OutcomeEvidence.objects.exists()


def test_api_lesson_from_outcome_and_evidence(api_as, retro, worked, lead, outsider):
    client = api_as(lead)
    response = client.post("/api/v1/knowledge/entries/from-outcome", json.dumps(
        {"action": worked.pk, "title": "Release mid-week"}), content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["verified_by_outcome_at"] and body["outcomes"][0]["effect"] == "worked"
    assert body["outcomes"][0]["check"]["url"] == f"/actions/{worked.pk}/#check"
    response = client.post(f"/api/v1/knowledge/entries/{retro['lesson'].pk}/outcomes",
                           json.dumps({"action": worked.pk}), content_type=JSON)
    assert response.status_code == 201 and response.json()["verified_by_outcome_at"]
    for payload in ({"action": 999999}, {"action": retro["action"].pk + 1000}):
        response = client.post(f"/api/v1/knowledge/entries/{retro['lesson'].pk}/outcomes",
                               json.dumps(payload), content_type=JSON)
        assert response.status_code == 400 and list(response.json()["errors"]) == ["action"]
    response = api_as(outsider).post("/api/v1/knowledge/entries/from-outcome", json.dumps(
        {"action": worked.pk, "title": "Peeking"}), content_type=JSON)
    assert response.status_code == 400 and list(response.json()["errors"]) == ["action"]
    detail = client.get(f"/api/v1/actions/{worked.pk}").json()
    assert {lesson["title"] for lesson in detail["lessons_from_here"]} == {"Release mid-week",
                                                                           "Deploy before Thursday noon"}
    assert retro["lesson"].pk in [lesson["id"] for lesson in detail["source_lessons"]]


def test_the_action_page_offers_the_session_lesson_and_the_lesson_shows_the_outcome(retro, worked, member, lead):
    page = signed_in_client(member).get(f"/actions/{worked.pk}/").content.decode()
    assert "Keep this result in the knowledge base" in page and "Deploy before Thursday noon" in page
    response = signed_in_client(lead).post(f"/knowledge/from-action/{worked.pk}/add/",
                                           {"entry": retro["lesson"].pk})
    assert response.status_code == 302 and response.url == f"/knowledge/{retro['lesson'].pk}/"
    page = signed_in_client(member).get(response.url).content.decode()
    assert "Verified by outcome" in page and f"/actions/{worked.pk}/#check" in page
    assert Entry.objects.get(pk=retro["lesson"].pk).verified_by_outcome_at is not None
