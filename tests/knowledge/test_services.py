from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from learnloop.activity.models import ActivityEvent
from learnloop.knowledge import services
from learnloop.knowledge.models import Entry, EntryLink, Freshness
from learnloop.knowledge.selectors import review_queue, version_diff, visible_entries
from tests import factories

pytestmark = pytest.mark.django_db


# --- writing ---------------------------------------------------------------------------------------


def test_a_new_entry_is_owned_by_its_author_and_has_a_first_version(lesson, member):
    assert lesson.owner_person == member
    assert lesson.versions.get().content["title"] == "Roll back database migrations in two steps"
    assert sorted(lesson.tags.values_list("name", flat=True)) == ["databases", "deploys"]
    assert lesson.freshness() == Freshness.FRESH
    assert lesson.review_due_at == lesson.last_verified_at + timedelta(days=180)
    assert ActivityEvent.objects.filter(verb="created", subject_id=str(lesson.pk), actor=member).exists()


def test_entries_written_in_one_batch_are_what_create_entry_writes(member, team):
    from learnloop.knowledge.models import Provenance

    drafts = [dict(kind="lesson", title=f"Lesson {number}", body=f"Keep step {number}.", tags=["Deploys", "ops"],
                   skills=["postgresql"], owner_team=team, teams=[team], visibility="team",
                   provenance=[("import", f"notes/{number}.md", f"Imported from notes/{number}.md")])
              for number in range(3)]
    written = services.create_entries(by=member, drafts=drafts)
    alone = services.create_entry(by=member, **{**drafts[0], "title": "Lesson alone",
                                                "provenance": [("import", "notes/alone.md", "")]})
    for entry in [*written, alone]:
        entry = Entry.objects.get(pk=entry.pk)
        assert (entry.author, entry.owner_team, entry.visibility, entry.version) == (member, team, "team", 1)
        assert list(entry.teams.all()) == [team]
        assert sorted(entry.tags.values_list("name", flat=True)) == ["deploys", "ops"]
        assert list(entry.skills.values_list("name", flat=True)) == ["postgresql"]
        version = entry.versions.get()
        assert (version.number, version.change_note, version.changed_by) == (1, "Created", member)
        assert version.content["tags"] == ["deploys", "ops"] and version.content["title"] == entry.title
        assert entry.review_due_at == entry.last_verified_at + timedelta(days=entry.review_interval_days)
        event = ActivityEvent.objects.get(verb="created", subject_id=str(entry.pk))
        assert (event.actor, event.team, event.data) == (member, team, {"kind": "lesson"})
    assert Provenance.objects.get(entry=written[1]).source_id == "notes/1.md"
    from learnloop.knowledge.search import search_entries

    found = search_entries(viewer=member, query="keep step").hits
    assert {hit.entry.pk for hit in found} == {entry.pk for entry in [*written, alone]}


def test_a_refused_draft_is_its_own_error_and_the_batch_is_written_without_it(member):
    drafts = [
        dict(kind="lesson", title="Good one", body="Text."),
        dict(kind="lesson", title="   ", body="Text."),
        dict(kind="lesson", title="Nul\x00in title", body="Text."),  # a stored-value rule (pre_save)
        dict(kind="lesson", title="Too many tags", body="Text.", tags=[f"tag {n}" for n in range(21)]),
        dict(kind="lesson", title="Good two", body="Text.", tags=["kept"]),
    ]
    written = services.create_entries(by=member, drafts=drafts)
    assert [type(result).__name__ for result in written] == [
        "Entry", "ValidationError", "ValidationError", "ValidationError", "Entry"]
    assert [sorted(result.message_dict) for result in written[1:4]] == [["title"], ["title"], ["tags"]]
    assert sorted(Entry.objects.values_list("title", flat=True)) == ["Good one", "Good two"]
    from learnloop.knowledge.models import Tag

    assert list(Tag.objects.values_list("name", flat=True)) == ["kept"]  # no tag of a refused draft


def test_entries_need_a_title_and_a_text(member):
    with pytest.raises(ValidationError) as error:
        services.create_entry(by=member, kind="lesson", title="  ", body="x")
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_entry(by=member, kind="playbook", title="Steps", body="")
    assert "body" in error.value.message_dict
    assert not Entry.objects.exists()


def test_only_decision_records_have_decision_fields(member):
    with pytest.raises(ValidationError) as error:
        services.create_entry(by=member, kind="lesson", title="T", body="B", decision="Sneaky")
    assert "decision" in error.value.message_dict


def test_an_entry_has_exactly_one_owner(member, team):
    with pytest.raises(ValidationError):
        services.create_entry(by=member, kind="lesson", title="T", body="B", owner_person=member, owner_team=team)
    entry = services.create_entry(by=member, kind="lesson", title="T", body="B", owner_team=team)
    assert entry.owner == team


def test_a_team_only_entry_needs_a_team(member):
    with pytest.raises(ValidationError) as error:
        services.create_entry(by=member, kind="lesson", title="T", body="B", visibility="team")
    assert "visibility" in error.value.message_dict


# --- editing and versions -----------------------------------------------------------------------


def test_each_content_edit_makes_a_version_with_who_and_why(lesson, member):
    services.update_entry(by=member, entry=lesson, body="Code first. Schema second. Always.", change_note="Tighter")
    lesson.refresh_from_db()
    assert lesson.version == 2
    latest = lesson.versions.first()
    assert (latest.number, latest.changed_by, latest.change_note) == (2, member, "Tighter")
    diff = version_diff(lesson, 1, 2)
    assert [d.field for d in diff] == ["body"]
    assert [(line.kind, line.text) for line in diff[0].lines] == [
        ("removed", "Ship the code change first, then the schema change."),
        ("added", "Code first. Schema second. Always."),
    ]


def test_saving_without_changes_makes_no_version(lesson, member):
    services.update_entry(by=member, entry=lesson, title=lesson.title, tags=["Deploys", "databases"])
    assert lesson.versions.count() == 1


def test_entries_edited_in_one_batch_are_what_update_entry_writes(member, team):
    from learnloop.knowledge.search import search_entries

    entries = [services.create_entry(by=member, kind="lesson", title=f"Lesson {n}", body="Old text.", tags=["ops"])
               for n in range(3)]
    edit = dict(body="Keep the rollback step.", tags=["ops", "deploys"], change_note="Sharper")
    services.prefetch_for_update(entries[:2])  # as an import does
    written = services.update_entries(by=member, edits=[dict(entry=entry, **edit) for entry in entries[:2]])
    alone = services.update_entry(by=member, entry=entries[2], **edit)
    assert written == entries[:2] and alone == entries[2]
    # What was prefetched of the links is not shown in place of what was written.
    assert sorted(tag.name for tag in written[0].tags.all()) == ["deploys", "ops"]
    for entry in entries:
        entry = Entry.objects.get(pk=entry.pk)
        assert (entry.body, entry.version) == ("Keep the rollback step.", 2)
        assert sorted(entry.tags.values_list("name", flat=True)) == ["deploys", "ops"]
        version = entry.versions.get(number=2)
        assert (version.change_note, version.changed_by, version.content["tags"]) == (
            "Sharper", member, ["deploys", "ops"])
        assert version.content["body"] == "Keep the rollback step."
        event = ActivityEvent.objects.get(verb="edited", subject_id=str(entry.pk))
        assert (event.actor, event.data) == (member, {"version": 2, "content": True})
    found = search_entries(viewer=member, query="rollback step").hits
    assert {hit.entry.pk for hit in found} == {entry.pk for entry in entries}


def test_a_refused_edit_is_its_own_error_and_the_batch_is_written_without_it(member, decision):
    other = factories.person()
    mine = [services.create_entry(by=member, kind="lesson", title=f"Mine {n}", body="Text.") for n in range(4)]
    theirs = services.create_entry(by=other, kind="lesson", title="Theirs", body="Text.")
    services.set_decision_status(by=member, entry=decision, status="accepted")
    written = services.update_entries(by=member, edits=[
        dict(entry=mine[0], body="Edited."),
        dict(entry=mine[1], title="   "),
        dict(entry=mine[2], body="Nul\x00in body"),  # a stored-value rule (pre_save)
        dict(entry=theirs, body="Edited."),  # not mine to edit
        dict(entry=decision, decision="Something else."),  # accepted: its content is frozen
        dict(entry=mine[3], body="Edited too."),
    ])
    assert [type(result).__name__ for result in written] == [
        "Entry", "ValidationError", "ValidationError", "PermissionDenied", "ValidationError", "Entry"]
    assert [sorted(result.message_dict) for result in (written[1], written[2], written[4])] == [
        ["title"], ["body"], ["status"]]
    assert dict(Entry.objects.values_list("title", "body")) == {
        "Mine 0": "Edited.", "Mine 1": "Text.", "Mine 2": "Text.", "Mine 3": "Edited too.", "Theirs": "Text.",
        decision.title: ""}
    assert dict(Entry.objects.values_list("title", "version")) == {
        "Mine 0": 2, "Mine 1": 1, "Mine 2": 1, "Mine 3": 2, "Theirs": 1, decision.title: 1}
    assert Entry.objects.get(pk=decision.pk).decision == "PostgreSQL."


def test_an_edit_writes_only_what_it_changes(lesson, member):
    # Another request flags the entry for review while this edit is open: the edit keeps the flag.
    Entry.objects.filter(pk=lesson.pk).update(review_flag="A reader says step two is outdated.")
    services.update_entry(by=member, entry=lesson, body="Code first, schema second.")
    lesson.refresh_from_db()
    assert (lesson.body, lesson.review_flag) == ("Code first, schema second.", "A reader says step two is outdated.")


def test_a_new_review_interval_moves_the_review_date(lesson, member):
    services.update_entry(by=member, entry=lesson, review_interval_days=30)
    lesson.refresh_from_db()
    assert (lesson.review_interval_days, lesson.version) == (30, 1)  # not a content change
    assert lesson.review_due_at == lesson.last_verified_at + timedelta(days=30)


def test_restoring_a_version_adds_a_new_version(lesson, member):
    services.update_entry(by=member, entry=lesson, title="Changed title", tags=["other"])
    services.restore_version(by=member, entry=lesson, number=1)
    lesson.refresh_from_db()
    assert lesson.title == "Roll back database migrations in two steps"
    assert sorted(lesson.tags.values_list("name", flat=True)) == ["databases", "deploys"]
    assert lesson.version == 3
    assert lesson.versions.first().change_note == "Restored version 1"


def test_people_who_are_not_author_owner_or_lead_cannot_edit(lesson):
    stranger = factories.person()
    with pytest.raises(PermissionDenied):
        services.update_entry(by=stranger, entry=lesson, title="Vandalised")
    lead = factories.person(role="learning_lead")
    services.update_entry(by=lead, entry=lesson, title="Curated title")


def test_members_of_the_owning_team_can_edit_and_curate(member, team):
    entry = services.create_entry(by=member, kind="lesson", title="T", body="B", owner_team=team)
    teammate = factories.person()
    factories.membership(teammate, team)
    services.update_entry(by=teammate, entry=entry, body="Better")
    services.verify_entry(by=teammate, entry=entry)


def test_authors_who_are_not_owners_cannot_curate(member, team):
    entry = services.create_entry(by=member, kind="lesson", title="T", body="B", owner_team=team)
    with pytest.raises(PermissionDenied):
        services.verify_entry(by=member, entry=entry)
    with pytest.raises(PermissionDenied):
        services.update_entry(by=member, entry=entry, visibility="team", teams=[team])


# --- decision records ------------------------------------------------------------------------------


def test_an_accepted_decision_is_immutable(decision, member):
    services.update_entry(by=member, entry=decision, consequences="We run a database, with backups.")
    services.set_decision_status(by=member, entry=decision, status="accepted")
    with pytest.raises(ValidationError) as error:
        services.update_entry(by=member, entry=decision, decision="Actually DynamoDB.")
    assert "supersedes" in error.value.message_dict["status"][0]
    decision.refresh_from_db()
    assert decision.decision == "PostgreSQL."
    with pytest.raises(ValidationError):
        services.restore_version(by=member, entry=decision, number=1)
    decision.refresh_from_db()
    assert decision.consequences == "We run a database, with backups."


def test_a_decision_is_superseded_only_by_an_accepted_decision(decision, member):
    services.set_decision_status(by=member, entry=decision, status="accepted")
    successor = services.create_entry(
        by=member, kind="decision", title="Move the ledger to CockroachDB", decision="CockroachDB."
    )
    with pytest.raises(ValidationError):
        services.set_decision_status(by=member, entry=decision, status="superseded", superseded_by=successor)
    services.set_decision_status(by=member, entry=successor, status="accepted")
    services.set_decision_status(by=member, entry=decision, status="superseded", superseded_by=successor)
    decision.refresh_from_db()
    assert decision.superseded_by == successor
    assert EntryLink.objects.filter(source=successor, target=decision, kind="supersedes").exists()


def test_decision_status_moves_only_forward(decision, member):
    services.set_decision_status(by=member, entry=decision, status="accepted")
    with pytest.raises(ValidationError):
        services.set_decision_status(by=member, entry=decision, status="proposed")


# --- freshness -------------------------------------------------------------------------------------


def test_freshness_moves_from_fresh_to_due_to_stale(lesson, member):
    now = timezone.now()
    assert lesson.freshness(now + timedelta(days=179)) == Freshness.FRESH
    assert lesson.freshness(now + timedelta(days=181)) == Freshness.DUE
    assert lesson.freshness(now + timedelta(days=211)) == Freshness.STALE


def test_verifying_resets_the_review_clock(lesson, member):
    Entry.objects.filter(pk=lesson.pk).update(
        last_verified_at=timezone.now() - timedelta(days=400), review_due_at=timezone.now() - timedelta(days=220)
    )
    lesson.refresh_from_db()
    assert lesson.freshness() == Freshness.STALE
    assert list(review_queue(viewer=member)) == [lesson]
    services.verify_entry(by=member, entry=lesson)
    assert lesson.freshness() == Freshness.FRESH
    assert list(review_queue(viewer=member)) == []
    assert ActivityEvent.objects.filter(verb="verified", subject_id=str(lesson.pk)).exists()


def test_obsolete_entries_stay_readable_with_a_reason(lesson, member):
    with pytest.raises(ValidationError):
        services.mark_obsolete(by=member, entry=lesson, reason="  ")
    services.mark_obsolete(by=member, entry=lesson, reason="We moved to blue-green deploys.")
    assert lesson.freshness() == Freshness.OBSOLETE
    assert lesson in visible_entries(viewer=factories.person())
    services.restore_from_obsolete(by=member, entry=lesson)
    assert lesson.freshness() == Freshness.FRESH


# --- visibility -------------------------------------------------------------------------------------


def test_team_only_entries_are_invisible_outside_their_teams_even_to_admins(member, team, admin):
    entry = services.create_entry(
        by=member, kind="lesson", title="Secret", body="B", visibility="team", teams=[team], owner_team=team
    )
    teammate = factories.person()
    factories.membership(teammate, team)
    assert entry in visible_entries(viewer=teammate)
    assert entry in visible_entries(viewer=member)  # the author
    assert entry not in visible_entries(viewer=factories.person())
    assert entry not in visible_entries(viewer=admin)
    with pytest.raises(PermissionDenied):
        services.record_application(by=admin, entry=entry, context="Somewhere")


# --- reuse ---------------------------------------------------------------------------------------------


def test_applications_are_counted_and_emit_events(lesson):
    reader = factories.person()
    services.record_application(by=reader, entry=lesson, context="Payments release 4.2", outcome="worked")
    services.record_application(by=reader, entry=lesson, context="Mobile release", outcome="too_early")
    lesson.refresh_from_db()
    assert lesson.application_count == 2
    assert ActivityEvent.objects.filter(verb="applied", actor=reader).count() == 2


def test_an_application_needs_a_place_and_a_past_date(lesson):
    reader = factories.person()
    with pytest.raises(ValidationError):
        services.record_application(by=reader, entry=lesson, context="")
    with pytest.raises(ValidationError):
        services.record_application(
            by=reader, entry=lesson, context="X", applied_on=timezone.localdate() + timedelta(days=1)
        )
    lesson.refresh_from_db()
    assert lesson.application_count == 0


def test_feedback_is_one_answer_per_person_that_can_change(lesson):
    reader = factories.person()
    services.give_feedback(by=reader, entry=lesson, helpful=True)
    services.give_feedback(by=reader, entry=lesson, helpful=False)
    assert list(lesson.feedback.values_list("helpful", flat=True)) == [False]


# --- questions ------------------------------------------------------------------------------------------


def test_questions_take_answers_and_the_asker_accepts_one(member):
    question = services.create_entry(by=member, kind="question", title="How do we rotate the payments API keys?")
    helper = factories.person()
    answer = services.add_answer(by=helper, question=question, body="Use the rotation playbook.")
    with pytest.raises(PermissionDenied):
        services.accept_answer(by=helper, question=question, answer=answer)
    services.accept_answer(by=member, question=question, answer=answer)
    question.refresh_from_db()
    assert question.accepted_answer == answer


def test_only_questions_take_answers(lesson, member):
    with pytest.raises(ValidationError):
        services.add_answer(by=member, question=lesson, body="Nope")


def test_only_the_author_edits_an_answer(member):
    question = services.create_entry(by=member, kind="question", title="Why?")
    answer = services.add_answer(by=member, question=question, body="Because.")
    with pytest.raises(PermissionDenied):
        services.edit_answer(by=factories.person(), answer=answer, body="Hijacked")


# --- links and provenance ---------------------------------------------------------------------------------


def test_links_are_typed_and_never_point_at_themselves(lesson, member):
    other = services.create_entry(by=member, kind="lesson", title="Other", body="B")
    services.add_link(by=member, source=lesson, target=other, kind="contradicts")
    with pytest.raises(ValidationError):
        services.add_link(by=member, source=lesson, target=other, kind="contradicts")
    with pytest.raises(ValidationError):
        services.add_link(by=member, source=lesson, target=lesson, kind="related")


def test_nobody_links_to_what_they_cannot_see(lesson, member, team):
    secret = services.create_entry(
        by=member, kind="lesson", title="Secret", body="B", visibility="team", teams=[team]
    )
    with pytest.raises(PermissionDenied):
        services.add_link(by=factories.person(), source=lesson, target=secret, kind="related")


def test_provenance_names_its_source_generically(member):
    entry = services.create_entry(
        by=member, kind="lesson", title="From the retro", body="B",
        provenance=[("reflection.session", 17, "Payments retro, 3 March")],
    )
    assert list(entry.provenance.values_list("source_type", "source_id", "label")) == [
        ("reflection.session", "17", "Payments retro, 3 March")
    ]
