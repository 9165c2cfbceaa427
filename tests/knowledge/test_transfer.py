"""Markdown import and export: folders of notes in, every visible entry out, and back again."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from learnloop.activity.models import ActivityEvent
from learnloop.audit.models import AuditEvent
from learnloop.knowledge import services
from learnloop.knowledge.models import Entry, EntryVersion, Provenance
from learnloop.knowledge.transfer import entries_to_export, export_files, import_markdown, read_folder
from tests import factories
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

LESSON = """---
title: Roll back database migrations in two steps
type: lesson
tags: databases, Deploys
skills: [postgresql]
owner: Platform
---
First deploy code that works with both schemas.

Then drop the old column in a later release.
"""

PLAYBOOK = """---
type: playbook
---
# Rotating the payments API keys

1. Create the new key in the provider's console.
2. Deploy it next to the old one.
3. Revoke the old key.
"""

DECISION = """---
type: decision
status: accepted
tags: [ci]
---
# Run CI on self-hosted runners

Summary: our own runners, in our own VPC.

## Context

Hosted minutes cost too much.

## Options

- Stay on hosted runners
- Self-hosted runners

## Decision

Self-hosted runners on spot instances.

## Consequences

The platform team looks after the runner fleet.
"""


@pytest.fixture
def platform(department):
    return factories.team(name="Platform", parent=department)


@pytest.fixture
def importer(platform):
    person = factories.person(email="ivy.importer@example.org", full_name="Ivy Importer")
    factories.membership(person, platform)
    return person


@pytest.fixture
def outsider(department):
    person = factories.person(email="otto.outsider@example.org", full_name="Otto Outsider")
    factories.membership(person, factories.team(name="Support", parent=department))
    return person


def folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def run_import(by, files: dict[str, str], *, dry_run=False):
    return import_markdown(by=by, files=[(name, text.encode()) for name, text in files.items()], dry_run=dry_run)


def problems(report) -> list[tuple[str, str]]:
    return [(error.file, error.key) for error in report.errors]


NOTES = {"rollback.md": LESSON, "playbooks/payments-keys.md": PLAYBOOK, "ci-runners.md": DECISION}


# --- Import ---------------------------------------------------------------------------------------


def test_a_dry_run_reports_each_file_and_writes_nothing(importer):
    report = run_import(importer, NOTES, dry_run=True)
    assert report.ok, report.errors
    assert {(plan.file, plan.action, plan.kind) for plan in report.files} == {
        ("rollback.md", "create", "lesson"), ("playbooks/payments-keys.md", "create", "playbook"),
        ("ci-runners.md", "create", "decision"),
    }
    assert report.summary() == "3 entries would be created, 0 updated, 0 unchanged."
    assert not Entry.objects.exists()
    assert not AuditEvent.objects.filter(kind="import").exists()


def test_files_become_entries_with_their_front_matter_and_provenance(importer, platform):
    report = run_import(importer, NOTES)
    assert report.imported and report.count("create") == 3
    lesson = Entry.objects.get(kind="lesson")
    assert lesson.title == "Roll back database migrations in two steps"
    assert lesson.body == ("First deploy code that works with both schemas.\n\n"
                           "Then drop the old column in a later release.")
    assert sorted(lesson.tags.values_list("name", flat=True)) == ["databases", "deploys"]
    assert list(lesson.skills.values_list("name", flat=True)) == ["postgresql"]
    assert lesson.owner_team == platform and lesson.author == importer
    assert list(lesson.provenance.values_list("source_type", "source_id")) == [("import", "rollback.md")]
    # No title or owner in the front matter: the first heading is the title (and not repeated in the
    # body), the importer the owner.
    playbook = Entry.objects.get(kind="playbook")
    assert playbook.title == "Rotating the payments API keys"
    assert playbook.body.startswith("1. Create the new key")
    assert playbook.owner_person == importer
    decision = Entry.objects.get(kind="decision")
    assert (decision.title, decision.status) == ("Run CI on self-hosted runners", "accepted")
    assert decision.body == "Summary: our own runners, in our own VPC."
    assert decision.context == "Hosted minutes cost too much."
    assert decision.options == "- Stay on hosted runners\n- Self-hosted runners"
    assert decision.decision == "Self-hosted runners on spot instances."
    assert decision.consequences == "The platform team looks after the runner fleet."
    event = AuditEvent.objects.get(kind="import")
    assert (event.actor, event.detail["created"]) == (importer, 3)


def test_without_a_title_or_heading_the_file_name_is_the_title(importer):
    run_import(importer, {"notes/always-page-the-secondary.md": "Page the secondary if the primary is silent."})
    assert Entry.objects.get().title == "Always page the secondary"


def test_a_file_that_is_only_a_title_imports_and_is_found_by_it(importer):
    # A catalogue record or a note whose heading says it all: refusing it would refuse the
    # whole folder (an import is all or nothing).
    report = run_import(importer, {"cards/flags.md": "# Ship risky changes behind feature flags\n", **NOTES})
    assert report.imported, report.errors
    entry = Entry.objects.get(title="Ship risky changes behind feature flags")
    assert (entry.kind, entry.body) == ("lesson", "")

    from learnloop.knowledge import search

    results = search.search_entries(viewer=importer, query="feature flags")
    assert [hit.entry.pk for hit in results.hits] == [entry.pk]


def test_an_entry_imported_as_a_title_can_be_edited_but_text_once_written_stays_required(importer):
    from django.core.exceptions import ValidationError

    run_import(importer, {"flags.md": "# Feature flags\n"})
    entry = Entry.objects.get()
    services.update_entry(by=importer, entry=entry, title="Feature flags for risky changes")
    services.update_entry(by=importer, entry=entry, body="Turn them off within a month.")
    with pytest.raises(ValidationError, match="Write the lesson or playbook itself"):
        services.update_entry(by=importer, entry=entry, body="")
    with pytest.raises(ValidationError, match="Write the lesson or playbook itself"):
        services.create_entry(by=importer, kind="lesson", title="Typed in the form", body="  ")


def test_reimporting_the_same_folder_changes_nothing(importer):
    run_import(importer, NOTES)
    report = run_import(importer, NOTES)
    assert report.imported
    assert [plan.action for plan in report.files] == ["unchanged"] * 3
    assert Entry.objects.count() == 3
    assert EntryVersion.objects.count() == 3


def test_an_edited_file_updates_its_entry_with_a_new_version(importer):
    run_import(importer, NOTES)
    edited = {"rollback.md": LESSON.replace("later release.", "later release, never the same one.")}
    report = run_import(importer, edited)
    assert [(plan.file, plan.action, plan.changed) for plan in report.files] == [("rollback.md", "update", ("body",))]
    assert report.as_dict()["files"][0]["changed"] == ["body"]
    lesson = Entry.objects.get(kind="lesson")
    assert lesson.version == 2 and lesson.body.endswith("never the same one.")
    assert lesson.versions.first().change_note == "Imported from rollback.md"


def test_the_id_written_by_the_export_matches_even_after_a_retitle(importer):
    run_import(importer, NOTES)
    lesson = Entry.objects.get(kind="lesson")
    retitled = LESSON.replace("title: Roll back database migrations in two steps",
                              f"id: {lesson.pk}\ntitle: Roll back schema changes in two steps")
    run_import(importer, {"rollback.md": retitled})
    assert Entry.objects.filter(kind="lesson").count() == 1
    lesson.refresh_from_db()
    assert lesson.title == "Roll back schema changes in two steps"


def test_one_bad_file_stops_the_whole_import_and_every_problem_is_named(importer):
    files = {
        **NOTES,
        "typo.md": "---\ntitle: Tags typo\ntgas: [x]\n---\nBody.",
        "kind.md": "---\ntype: memo\n---\nBody.",
        "owner.md": "---\nowner: nobody@example.org\n---\nBody.",
        "team.md": "---\nowner: Marketing\n---\nBody.",
        "yaml.md": "---\ntitle: [unclosed\n---\nBody.",
        "open.md": "---\ntitle: No end\nBody.",
        "adr.md": "---\ntype: decision\n---\n# A decision without one\n\n## Context\n\nStuff.",
        "binary.md": "caf\xe9",
    }
    data = [(name, text.encode()) for name, text in files.items()]
    data[-1] = ("binary.md", b"caf\xe9")
    report = import_markdown(by=importer, files=data, dry_run=False)
    assert not report.imported
    assert set(problems(report)) == {
        ("typo.md", "tgas"), ("kind.md", "type"), ("owner.md", "owner"), ("team.md", "owner"),
        ("yaml.md", "front matter"), ("open.md", "front matter"), ("adr.md", "## Decision"), ("binary.md", ""),
    }
    assert any(str(error).startswith("typo.md: tgas: Unknown key") for error in report.errors)
    assert report.summary() == "8 problem(s) in 8 file(s); nothing was imported."
    assert not Entry.objects.exists()
    assert not AuditEvent.objects.filter(kind="import").exists()


def test_a_control_character_in_the_front_matter_is_named(importer):
    report = run_import(importer, {"bell.md": "---\ntitle: Ring \x07 twice\n---\nBody."})
    assert problems(report) == [("bell.md", "front matter")]
    assert "characters are not allowed" in str(report.errors[0]), str(report.errors[0])


def test_two_files_for_one_entry_are_refused(importer):
    run_import(importer, {"a.md": LESSON})
    lesson = Entry.objects.get()
    with_id = LESSON.replace("---\ntitle", f"---\nid: {lesson.pk}\ntitle")
    report = run_import(importer, {"a.md": with_id, "b.md": with_id})
    assert problems(report) == [("b.md", "id")]
    assert Entry.objects.count() == 1


def test_files_with_the_same_title_are_different_entries_and_keep_their_own_text(importer):
    report = run_import(importer, {"a.md": LESSON, "b.md": LESSON.replace("later release.", "next release.")})
    assert report.imported and [plan.action for plan in report.files] == ["create", "create"]
    first, second = Entry.objects.order_by("id")
    assert first.title == second.title and first.body != second.body
    # Re-imported, each file finds its own entry by its path.
    again = run_import(importer, {"b.md": LESSON.replace("later release.", "next release, twice."), "a.md": LESSON})
    assert [(plan.file, plan.action, plan.changed) for plan in again.files] == [
        ("a.md", "unchanged", ()), ("b.md", "update", ("body",))
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.body.endswith("later release.") and second.body.endswith("next release, twice.")


def test_an_existing_entry_with_the_same_title_is_never_overwritten(importer):
    mine = services.create_entry(by=importer, kind="lesson", title="Roll back database migrations in two steps",
                                 body="A different document.")
    report = run_import(importer, {"rollback.md": LESSON})
    assert [plan.action for plan in report.files] == ["create"]
    mine.refresh_from_db()
    assert mine.body == "A different document." and mine.version == 1


JENKINS = ("---\ntype: decision\nstatus: superseded\nsuperseded_by: Move CI to GitHub Actions\n---\n"
           "# Use Jenkins for CI\n\n## Decision\n\nJenkins.")
ACTIONS = ("---\ntype: decision\nstatus: superseded\nsuperseded_by: Run CI on self-hosted runners\n---\n"
           "# Move CI to GitHub Actions\n\n## Decision\n\nGitHub Actions.")


def assert_the_chain_was_imported() -> dict[str, Entry]:
    records = {entry.title: entry for entry in Entry.objects.select_related("superseded_by")}
    assert records["Use Jenkins for CI"].superseded_by.title == "Move CI to GitHub Actions"
    assert records["Move CI to GitHub Actions"].superseded_by.title == "Run CI on self-hosted runners"
    assert records["Run CI on self-hosted runners"].status == "accepted"
    return records


def test_a_superseded_chain_imports_in_any_order(importer):
    report = run_import(importer, {"1-jenkins.md": JENKINS, "2-actions.md": ACTIONS, "3-runners.md": DECISION})
    assert report.imported, report.errors
    records = assert_the_chain_was_imported()
    assert [records[title].status for title in sorted(records)] == ["superseded", "accepted", "superseded"]


def test_accepted_decisions_refuse_content_changes_from_a_file(importer):
    run_import(importer, {"ci.md": DECISION})
    report = run_import(importer, {"ci.md": DECISION.replace("spot instances", "reserved instances")})
    assert problems(report) == [("ci.md", "status")]
    assert "supersedes" in report.errors[0].message
    assert Entry.objects.get().decision == "Self-hosted runners on spot instances."


def test_entries_the_importer_cannot_edit_are_not_overwritten(importer, outsider):
    theirs = services.create_entry(by=outsider, kind="lesson", title="Roll back database migrations in two steps",
                                   body="Their text.")
    report = run_import(importer, {"rollback.md": LESSON.replace("---\ntitle", f"---\nid: {theirs.pk}\ntitle")})
    assert problems(report) == [("rollback.md", "")]
    theirs.refresh_from_db()
    assert theirs.body == "Their text." and theirs.version == 1


def test_entries_hidden_from_the_importer_are_neither_matched_nor_revealed(importer, outsider, department):
    support = outsider.memberships.get().team
    hidden = services.create_entry(by=outsider, kind="lesson", title="Roll back database migrations in two steps",
                                   body="Support's own notes.", owner_team=support, visibility="team")
    report = run_import(importer, {"rollback.md": LESSON.replace("---\ntitle", f"---\nid: {hidden.pk}\ntitle")})
    assert report.imported and [plan.action for plan in report.files] == ["create"]
    hidden.refresh_from_db()
    assert hidden.body == "Support's own notes."
    assert Entry.objects.count() == 2


def test_the_cli_imports_a_folder_as_a_named_person(importer, tmp_path):
    directory = folder(tmp_path, NOTES)
    out = io.StringIO()
    call_command("knowledge", "import", str(directory), "--as", importer.email, "--dry-run", stdout=out)
    assert "3 entries would be created" in out.getvalue()
    assert not Entry.objects.exists()
    call_command("knowledge", "import", str(directory), "--as", importer.email, stdout=io.StringIO())
    assert Entry.objects.count() == 3
    assert set(Entry.objects.values_list("author", flat=True)) == {importer.pk}


def test_the_cli_reports_bad_files_on_stderr_and_fails(importer, tmp_path):
    directory = folder(tmp_path, {**NOTES, "bad.md": "---\ntype: memo\n---\nx"})
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("knowledge", "import", str(directory), "--as", importer.email, stderr=err,
                     stdout=io.StringIO())
    assert "bad.md: type: Type must be one of" in err.getvalue()
    with pytest.raises(CommandError, match="no active person"):
        call_command("knowledge", "import", str(directory), "--as", "ghost@example.org", stdout=io.StringIO())
    assert not Entry.objects.exists()


# --- Export -------------------------------------------------------------------------------------


@pytest.fixture
def knowledge(importer, outsider, platform):
    """A knowledge base with a bit of everything, including a team-only entry and history."""
    lesson = services.create_entry(by=importer, kind="lesson", title="Roll back database migrations in two steps",
                                   body="First deploy code.\n\nThen drop the column.", tags=["databases", "deploys"],
                                   skills=["postgresql"], owner_team=platform, teams=[platform],
                                   review_interval_days=120)
    services.update_entry(by=importer, entry=lesson, body="First deploy code that reads both.\n\nThen drop it.",
                          change_note="Clarified")
    hidden = services.create_entry(by=importer, kind="playbook", title="Rotating the payments API keys",
                                   body="1. Create.\n2. Deploy.\n3. Revoke.", owner_team=platform, visibility="team")
    old = services.create_entry(by=importer, kind="decision", title="Use Jenkins for CI", decision="Jenkins.",
                                context="We need CI.")
    new = services.create_entry(by=importer, kind="decision", title="Move CI to GitHub Actions",
                                decision="GitHub Actions.", options="- Jenkins\n- Actions", body="Summary.")
    services.set_decision_status(by=importer, entry=old, status="accepted")
    services.set_decision_status(by=importer, entry=new, status="accepted")
    services.set_decision_status(by=importer, entry=old, status="superseded", superseded_by=new)
    question = services.create_entry(by=outsider, kind="question", title="Who owns the runner fleet?")
    answer = services.add_answer(by=importer, question=question, body="Platform does.")
    services.accept_answer(by=outsider, question=question, answer=answer)
    stale = services.create_entry(by=outsider, kind="lesson", title="Ship on Fridays with care", body="Or don't.")
    services.mark_obsolete(by=outsider, entry=stale, reason="We stopped shipping on Fridays.")
    services.record_application(by=outsider, entry=lesson, context="Support tooling", outcome="worked")
    services.add_link(by=importer, source=lesson, target=new, kind="related")
    return {"lesson": lesson, "hidden": hidden, "old": old, "new": new, "question": question, "stale": stale}


def _zip(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name) for name in archive.namelist()}


def test_the_export_holds_markdown_with_front_matter_and_json(knowledge):
    files = export_files(entries_to_export())
    lesson = knowledge["lesson"]
    text = files[f"lessons/{lesson.pk}-roll-back-database-migrations-in-two-steps.md"].decode()
    assert text.startswith(f"---\nid: {lesson.pk}\ntitle: Roll back database migrations in two steps\ntype: lesson\n")
    assert "owner: Platform\n" in text and "tags: [databases, deploys]\n" in text
    assert text.rstrip().endswith("# Roll back database migrations in two steps\n\nFirst deploy code that reads "
                                  "both.\n\nThen drop it.")
    document = json.loads(files["entries.json"])
    assert document["count"] == 6
    record = next(item for item in document["entries"] if item["id"] == lesson.pk)
    assert [v["change_note"] for v in record["versions"]] == ["Created", "Clarified"]
    assert record["applications"][0]["outcome"] == "worked"
    assert record["links"] == [{"kind": "related", "target": knowledge["new"].pk}]
    question = next(item for item in document["entries"] if item["type"] == "question")
    assert question["answers"][0]["accepted"] is True


def test_the_web_export_holds_only_what_the_viewer_may_see(knowledge, importer, outsider):
    response = signed_in_client(outsider).post("/knowledge/transfer/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    files = _zip(response)
    ids = {item["id"] for item in json.loads(files["entries.json"])["entries"]}
    assert knowledge["hidden"].pk not in ids and len(ids) == 5
    assert not any("payments-api-keys" in name for name in files)
    assert b"Rotating the payments API keys" not in b"".join(files.values())
    assert len(_zip(signed_in_client(importer).post("/knowledge/transfer/export/"))) == 7
    event = AuditEvent.objects.filter(kind="export").first()
    assert (event.actor, event.detail["entries"]) == (importer, 6)
    assert signed_in_client(outsider).get("/knowledge/transfer/export/").status_code == 405


def test_the_cli_exports_everything_into_an_empty_directory(knowledge, tmp_path):
    target = tmp_path / "export"
    out = io.StringIO()
    call_command("knowledge", "export", str(target), stdout=out)
    assert "Exported 6 entries" in out.getvalue()
    assert len(list(target.rglob("*.md"))) == 6 and (target / "entries.json").exists()
    assert AuditEvent.objects.get(kind="export").actor_label == "operator"
    with pytest.raises(CommandError, match="not an empty directory"):
        call_command("knowledge", "export", str(target), stdout=io.StringIO())


def test_reimporting_a_full_export_from_the_cli_duplicates_nothing(knowledge, outsider, tmp_path):
    call_command("knowledge", "export", str(tmp_path / "out"), stdout=io.StringIO())
    out = io.StringIO()
    # The operator's import matches every entry, even team-only ones the --as person can't see.
    call_command("knowledge", "import", str(tmp_path / "out"), "--as", outsider.email, stdout=out)
    assert "0 entries were created, 0 updated, 6 unchanged." in out.getvalue()
    assert Entry.objects.count() == 6
    assert not Provenance.objects.filter(source_type="import").exists()  # unchanged means untouched


def _snapshot() -> list[tuple]:
    """An entry as its author and readers know it, without database ids."""
    rows = []
    for entry in Entry.objects.select_related("owner_person", "owner_team", "superseded_by").order_by("title"):
        rows.append((
            entry.kind, entry.title, entry.body, entry.context, entry.options, entry.decision, entry.consequences,
            entry.status, entry.superseded_by.title if entry.superseded_by else None,
            entry.owner_person.email if entry.owner_person else entry.owner_team.name,
            sorted(entry.teams.values_list("name", flat=True)), entry.visibility,
            sorted(entry.tags.values_list("name", flat=True)), sorted(entry.skills.values_list("name", flat=True)),
            entry.review_interval_days, entry.obsolete_at is not None, entry.obsolete_reason,
        ))
    return rows


def _empty_the_knowledge_base():
    Entry.objects.update(superseded_by=None, accepted_answer=None)
    Entry.objects.all().delete()


def test_export_then_import_into_an_empty_knowledge_base_gives_the_same_entries(knowledge, admin, tmp_path):
    before = _snapshot()
    call_command("knowledge", "export", str(tmp_path / "out"), stdout=io.StringIO())
    _empty_the_knowledge_base()
    files, errors = read_folder(tmp_path / "out")
    assert not errors and len(files) == 6  # entries.json is not an entry
    report = import_markdown(by=admin, files=files, dry_run=False)
    assert report.imported, report.errors
    assert _snapshot() == before
    # And importing the same export again finds every entry by its file's path: no duplicates.
    again = import_markdown(by=admin, files=files, dry_run=False)
    assert [plan.action for plan in again.files] == ["unchanged"] * 6
    assert Entry.objects.count() == 6
    assert Provenance.objects.filter(source_type="import").count() == 6


def test_the_transfer_page_checks_an_upload_then_imports_it_on_confirmation(importer):
    client = signed_in_client(importer)
    page = client.get("/knowledge/transfer/")
    assert page.status_code == 200 and b"Import a folder of Markdown files" in page.content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in NOTES.items():
            archive.writestr(f"notes/{name}", text)
        archive.writestr("notes/entries.json", "{}")
        archive.writestr("__MACOSX/notes/._rollback.md", "junk")
    buffer.name = "notes.zip"
    buffer.seek(0)
    checked = client.post("/knowledge/transfer/", {"files": buffer})
    assert checked.status_code == 200
    assert b"Check passed" in checked.content and b"3 entries would be created" in checked.content
    assert not Entry.objects.exists()
    bundle = checked.context["bundle"]
    imported = client.post("/knowledge/transfer/", {"bundle": bundle, "confirm": "on"})
    assert imported.status_code == 302
    assert Entry.objects.count() == 3
    assert set(Provenance.objects.values_list("source_id", flat=True)) == {
        "notes/rollback.md", "notes/playbooks/payments-keys.md", "notes/ci-runners.md"}


def test_the_transfer_page_lists_problems_and_offers_no_import(importer):
    upload = io.BytesIO(b"---\ntype: memo\n---\nBody")
    upload.name = "memo.md"
    response = signed_in_client(importer).post("/knowledge/transfer/", {"files": upload})
    assert response.status_code == 200
    assert b"nothing was imported" in response.content and b"memo.md" in response.content
    assert b'name="confirm"' not in response.content and b'name="bundle"' not in response.content
    other = io.BytesIO(b"plain text")
    other.name = "notes.txt"
    response = signed_in_client(importer).post("/knowledge/transfer/", {"files": other})
    assert b"Upload Markdown files" in response.content
    assert not Entry.objects.exists()


def test_the_transfer_page_needs_a_signed_in_person(client):
    assert client.get("/knowledge/transfer/").status_code == 302
    assert client.post("/knowledge/transfer/export/").status_code == 302


def test_a_file_name_with_a_nul_is_refused_by_name(importer):
    report = import_markdown(by=importer, files=[("a\x00.md", b"Body.")], dry_run=False)
    assert not report.imported and problems(report) == [("a\x00.md", "")]
    assert "NUL character" in str(report.errors[0])


def test_a_file_refused_after_making_a_new_tag_leaves_the_others_a_clean_report(importer, monkeypatch):
    # The first file's tag is made, then the file is refused later in the same step and its
    # savepoint rolled back with the tag, while the import remembers the tag for the next file:
    # the import must still end in a report naming the refusal, with nothing written.
    from django.core.exceptions import ValidationError

    first_provenance = services._first_provenance

    def refuse_a(entry, provenance):
        if entry.title == "A":
            raise ValidationError({"provenance": "Refused for the test."})
        return first_provenance(entry, provenance)

    monkeypatch.setattr(services, "_first_provenance", refuse_a)
    files = [("a.md", b"---\ntitle: A\ntags: [brand-new]\n---\nFirst body."),
             ("b.md", b"---\ntitle: B\ntags: [brand-new]\n---\nSecond body.")]
    report = import_markdown(by=importer, files=files, dry_run=False)
    assert not report.imported
    assert problems(report) == [("a.md", "provenance")]
    assert not Entry.objects.exists()
    good = import_markdown(by=importer, files=files[1:], dry_run=False)
    assert good.imported and list(Entry.objects.get().tags.values_list("name", flat=True)) == ["brand-new"]


# --- Streaming: a folder is read, parsed and written a chunk at a time -----------------------------


@pytest.fixture
def small_chunks(monkeypatch):
    from learnloop.knowledge.transfer import importing

    monkeypatch.setattr(importing, "IMPORT_CHUNK", 2)
    return importing


def test_a_folder_is_listed_not_read_and_its_files_are_read_a_chunk_at_a_time(importer, tmp_path, small_chunks):
    notes = {f"{number:02}-note.md": f"# Note {number}\n\nBody {number}." for number in range(7)}
    files, errors = read_folder(folder(tmp_path, notes))
    assert not errors and all(isinstance(content, Path) for _, content in files)
    written_when_read = []
    parse_file = small_chunks.parse_file

    def recording(name, data):
        # How many entries exist (inside the import's transaction) when this file is read.
        written_when_read.append(Entry.objects.count())
        return parse_file(name, data)

    small_chunks.parse_file = recording
    try:
        report = import_markdown(by=importer, files=files, dry_run=False)
    finally:
        small_chunks.parse_file = parse_file
    assert report.imported, report.errors
    assert written_when_read == [0, 0, 2, 2, 4, 4, 6]
    assert [plan.title for plan in report.files] == [f"Note {number}" for number in range(7)]
    assert sorted(Entry.objects.values_list("body", flat=True)) == [f"Body {number}." for number in range(7)]


def test_chunks_change_nothing_a_problem_in_the_last_chunk_writes_nothing(importer, small_chunks):
    notes = {f"{number:02}-note.md": f"# Note {number}\n\nBody." for number in range(5)}
    report = run_import(importer, {**notes, "99-bad.md": "---\ntype: memo\n---\nx"})
    assert not report.imported and problems(report) == [("99-bad.md", "type")]
    assert not Entry.objects.exists()
    dry = run_import(importer, notes, dry_run=True)
    assert dry.ok and [plan.action for plan in dry.files] == ["create"] * 5 and not Entry.objects.exists()


def test_across_chunks_a_superseded_chain_and_a_repeated_id_behave_as_in_one(importer, small_chunks):
    files = {
        "1-jenkins.md": JENKINS,
        "2-filler.md": "# A lesson in between\n\nBody.",
        "3-filler.md": "# Another lesson\n\nBody.",
        "4-actions.md": ACTIONS,
        "5-runners.md": DECISION,
    }
    report = run_import(importer, files)
    assert report.imported, report.errors
    assert_the_chain_was_imported()

    lesson = Entry.objects.get(title="A lesson in between")
    same_id = f"---\nid: {lesson.pk}\n---\n# A lesson in between\n\nEdited."
    repeated = run_import(importer, {"a.md": same_id, "b.md": "x", "c.md": "y", "d.md": same_id})
    assert problems(repeated) == [("d.md", "id")]


def test_a_file_gone_between_listing_and_reading_is_named_and_nothing_is_imported(importer, tmp_path):
    files, _ = read_folder(folder(tmp_path, NOTES))
    (tmp_path / "rollback.md").unlink()
    report = import_markdown(by=importer, files=files, dry_run=False)
    assert not report.imported and problems(report) == [("rollback.md", "")]
    assert "could not be read" in report.errors[0].message
    assert not Entry.objects.exists()


def test_two_files_with_the_same_name_are_refused(importer):
    report = import_markdown(by=importer, files=[("notes.md", b"One."), ("notes.md", b"Two.")], dry_run=False)
    assert not report.imported and problems(report) == [("notes.md", "")]
    assert "same name" in report.errors[0].message


# --- Throughput: new files are written in batches, not an entry at a time ---------------------------


def _statements_to_import(importer, count: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    files = [(f"batch-{count}/note-{number:03}.md",
              f"---\ntitle: Note {number}\ntags: [t{count}-{number % 7}, shared-{count}]\n"
              f"skills: [s{count}-{number % 3}]\n---\nBody {number}.\n"
              .encode()) for number in range(count)]
    with CaptureQueriesContext(connection) as queries:
        report = import_markdown(by=importer, files=files, dry_run=False)
    assert report.imported and report.count("create") == count, report.errors
    return len(queries.captured_queries)


def test_importing_ten_times_the_new_files_costs_the_same_statements(importer, platform):
    # Seven round trips per new entry made a PostgreSQL import of 2,000 files take 8 s; the
    # chunk's entries, links, versions, sources and events now go in a few statements each.
    _statements_to_import(importer, 1)  # what a first import reads once (memberships, old audit IPs)
    assert _statements_to_import(importer, 4) == _statements_to_import(importer, 40)
    entry = Entry.objects.get(title="Note 12")
    assert sorted(entry.tags.values_list("name", flat=True)) == ["shared-40", "t40-5"]
    assert list(entry.skills.values_list("name", flat=True)) == ["s40-0"]
    assert entry.versions.get().content["tags"] == ["shared-40", "t40-5"]
    assert entry.provenance.get().source_id == "batch-40/note-012.md"


def _statements_to_reimport_edited(importer, count: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    files = [(f"edits-{count}/note-{number:03}.md",
              f"---\ntitle: Note {number}\ntags: [e{count}]\nskills: [s{count}]\n---\nBody {number}.\n".encode())
             for number in range(count)]
    assert import_markdown(by=importer, files=files, dry_run=False).imported
    # Every text edited; every other file's tags and skills changed too.
    edited = [(name, content.replace(b"Body", b"Edited body") if number % 2 else
               content.replace(b"Body", b"Edited body").replace(b"tags: [e", b"tags: [retagged, e")
               .replace(b"skills: [s", b"skills: [k"))
              for number, (name, content) in enumerate(files)]
    with CaptureQueriesContext(connection) as queries:
        report = import_markdown(by=importer, files=edited, dry_run=False)
    assert report.imported and report.count("update") == count, report.errors
    return len(queries.captured_queries)


def test_reimporting_ten_times_the_edited_files_costs_the_same_statements(importer, platform):
    # What the edits read of each entry (owner, teams, tags, skills for the checks and the
    # version, followers to notify) is read for the whole chunk first, and the chunk's updates,
    # links, versions, events and sources go in a few statements each. Eleven per file before,
    # then five (and six more for a file whose tags and skills changed).
    _statements_to_reimport_edited(importer, 1)
    assert _statements_to_reimport_edited(importer, 4) == _statements_to_reimport_edited(importer, 40)
    retagged = Entry.objects.get(provenance__source_id="edits-40/note-006.md")
    assert sorted(retagged.tags.values_list("name", flat=True)) == ["e40", "retagged"]
    assert list(retagged.skills.values_list("name", flat=True)) == ["k40"]
    assert retagged.versions.get(number=2).content["tags"] == ["e40", "retagged"]
    entry = Entry.objects.get(provenance__source_id="edits-40/note-007.md")
    assert list(entry.skills.values_list("name", flat=True)) == ["s40"]
    assert entry.body == "Edited body 7." and entry.version == 2
    assert entry.versions.get(number=2).content["tags"] == ["e40"]
    assert entry.versions.get(number=2).change_note == "Imported from edits-40/note-007.md"
    assert entry.provenance.count() == 1  # the path it was imported from, once
    edits = ActivityEvent.objects.filter(subject_type="knowledge.entry", subject_id=str(entry.pk), verb="edited")
    assert edits.count() == 1


def test_followers_hear_of_an_entry_a_reimport_edits(importer, outsider):
    from learnloop.knowledge.models import Notification

    files = [("followed.md", b"---\ntitle: Followed\n---\nFirst text.\n"), ("other.md", b"# Other\n\nText.\n")]
    assert import_markdown(by=importer, files=files, dry_run=False).imported
    followed = Entry.objects.get(title="Followed")
    services.follow_entry(by=outsider, entry=followed)
    edited = [(name, content.replace(b"Text.", b"New text.").replace(b"First text.", b"Second text."))
              for name, content in files]
    assert import_markdown(by=importer, files=edited, dry_run=False).count("update") == 2
    notified = Notification.objects.get(recipient=outsider)
    assert notified.entry == followed and "Followed" in notified.text


def test_an_entry_updated_from_a_new_path_keeps_both_sources(importer):
    assert import_markdown(by=importer, files=[("a.md", b"# A\n\nFirst.\n")], dry_run=False).imported
    entry = Entry.objects.get(title="A")
    moved = [("moved/a.md", f"---\nid: {entry.pk}\ntitle: A\n---\nSecond.\n".encode())]
    assert import_markdown(by=importer, files=moved, dry_run=False).count("update") == 1
    assert list(entry.provenance.order_by("id").values_list("source_id", "label")) == [
        ("a.md", "Imported from a.md"), ("moved/a.md", "Imported from moved/a.md")]
    again = [("moved/a.md", f"---\nid: {entry.pk}\ntitle: A\n---\nThird.\n".encode())]
    assert import_markdown(by=importer, files=again, dry_run=False).count("update") == 1
    assert entry.provenance.count() == 2
