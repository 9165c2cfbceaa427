"""The knowledge API: entries, history, curation, reuse, Q&A, search, and who may see what."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from learnloop.activity.models import ActivityEvent
from learnloop.knowledge import search, services
from learnloop.knowledge.api_schemas import SearchOut
from learnloop.knowledge.models import Application, Entry, EntryLink, EntryVersion
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1/knowledge"
JSON = "application/json"


@pytest.fixture
def payments(department):
    return factories.team(name="Payments", parent=department)


@pytest.fixture
def support(department):
    return factories.team(name="Support", parent=department)


@pytest.fixture
def author(payments):
    person = factories.person(email="pia.payments@example.org", full_name="Pia Payments")
    factories.membership(person, payments)
    return person


@pytest.fixture
def teammate(payments):
    person = factories.person(email="tom.teammate@example.org", full_name="Tom Teammate")
    factories.membership(person, payments)
    return person


@pytest.fixture
def outsider(support):
    person = factories.person(email="otto.outsider@example.org", full_name="Otto Outsider")
    factories.membership(person, support)
    return person


@pytest.fixture
def lead(db):
    return factories.person(email="lea.lead@example.org", full_name="Lea Lead", role="learning_lead")


def lesson(by, **fields) -> Entry:
    defaults = {"kind": "lesson", "title": "Roll back database migrations in two steps",
                "body": "First deploy code that works with both schemas, then drop the column.",
                "tags": ["databases"]}
    return services.create_entry(by=by, **{**defaults, **fields})


def secret(by, team, **fields) -> Entry:
    """A team-only entry owned by `team`."""
    return lesson(by, title="Payout batch internals", body="How the nightly payout batch really works.",
                  owner_team=team, visibility="team", **fields)


def decision(by, **fields) -> Entry:
    defaults = {"kind": "decision", "title": "Use PostgreSQL for the ledger", "context": "We need transactions.",
                "options": "- PostgreSQL\n- DynamoDB", "decision": "PostgreSQL.", "consequences": "One more database."}
    return services.create_entry(by=by, **{**defaults, **fields})


def question(by, **fields) -> Entry:
    defaults = {"kind": "question", "title": "How do I re-send a carrier payout?",
                "body": "The carrier says it never arrived."}
    return services.create_entry(by=by, **{**defaults, **fields})


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content
    return response.json() if response.content else {}


# --- Writing and reading -----------------------------------------------------------------------


def test_writing_a_lesson_returns_it_rendered_and_owned_by_its_author(author, api_as):
    body = ok(api_as(author).post(f"{API}/entries", {
        "kind": "lesson", "title": "  Roll back   in two steps ", "body": "**Never** drop a column in one deploy.",
        "tags": ["Databases", "deploys", "databases"], "skills": ["PostgreSQL"],
    }, content_type=JSON), 201)
    assert body["title"] == "Roll back in two steps"
    assert "<strong>Never</strong>" in body["body_html"]
    assert body["owner"] == {"type": "person", "id": author.pk, "name": "Pia Payments"}
    assert body["author"]["email"] == author.email
    assert body["tags"] == ["databases", "deploys"]
    assert body["skills"] == ["postgresql"]
    assert (body["version"], body["freshness"], body["status"]) == (1, "fresh", "")
    assert body["can_edit"] and body["can_curate"]
    entry = Entry.objects.get(pk=body["id"])
    assert entry.versions.count() == 1


def test_a_team_owned_team_only_entry_can_be_written(author, payments, api_as):
    body = ok(api_as(author).post(f"{API}/entries", {
        "kind": "playbook", "title": "Rotating the payments API keys", "body": "1. Create the new key.",
        "owner_team_id": payments.pk, "visibility": "team", "review_interval_days": 30,
    }, content_type=JSON), 201)
    assert body["owner"] == {"type": "team", "id": payments.pk, "name": "Payments"}
    assert (body["visibility"], body["review_interval_days"]) == ("team", 30)


def test_entries_refuse_bad_input_field_by_field(author, api_as):
    client = api_as(author)
    response = client.post(f"{API}/entries", {"kind": "lesson", "title": "No body"}, content_type=JSON)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"body"}
    response = client.post(f"{API}/entries", {"kind": "lesson", "title": "x", "body": "y", "owner_team_id": 9999},
                           content_type=JSON)
    assert response.status_code == 400 and "owner_team_id" in response.json()["errors"]
    response = client.post(f"{API}/entries", {"kind": "lesson", "title": "x", "body": "y", "visibility": "team"},
                           content_type=JSON)
    assert response.status_code == 400 and "visibility" in response.json()["errors"]
    response = client.post(f"{API}/entries", {"kind": "lesson", "title": "x", "body": "y", "author_id": 1},
                           content_type=JSON)
    assert response.status_code == 400  # unknown fields are refused, not ignored
    response = client.post(f"{API}/entries", {"kind": "lesson", "title": "x", "body": "y", "decision": "z"},
                           content_type=JSON)
    assert response.status_code == 400 and "decision" in response.json()["errors"]
    assert not Entry.objects.exists()


def test_markdown_is_rendered_safely(author, api_as):
    entry = lesson(author, body="<script>alert(1)</script> [x](javascript:alert(1)) *ok*")
    html = ok(api_as(author).get(f"{API}/entries/{entry.pk}"))["body_html"]
    assert "<script>" not in html and "href=\"javascript" not in html
    assert "<em>ok</em>" in html


def test_the_api_needs_credentials(author):
    entry = lesson(author)
    from django.test import Client

    assert Client().get(f"{API}/entries/{entry.pk}").status_code == 401
    assert Client().get(f"{API}/entries").status_code == 401


# --- Editing and history -----------------------------------------------------------------------


def test_editing_content_makes_a_version_with_the_change_note(author, api_as):
    entry = lesson(author)
    body = ok(api_as(author).patch(f"{API}/entries/{entry.pk}", {
        "body": "First deploy code that reads both schemas.\nThen drop the column.", "change_note": "Split the steps",
    }, content_type=JSON))
    assert body["version"] == 2
    versions = ok(api_as(author).get(f"{API}/entries/{entry.pk}/versions"))
    assert versions["count"] == 2
    assert [(v["number"], v["change_note"]) for v in versions["items"]] == [(2, "Split the steps"), (1, "Created")]
    first = ok(api_as(author).get(f"{API}/entries/{entry.pk}/versions/1"))
    assert first["content"]["body"].startswith("First deploy code that works")
    diff = ok(api_as(author).get(f"{API}/entries/{entry.pk}/diff?old=1&new=2"))
    lines = {(line["kind"], line["text"]) for field in diff["fields"] for line in field["lines"]}
    assert ("added", "Then drop the column.") in lines
    assert any(kind == "removed" for kind, _ in lines)
    assert api_as(author).get(f"{API}/entries/{entry.pk}/versions/9").status_code == 404


def test_restoring_a_version_adds_a_new_version_with_the_old_content(author, api_as):
    entry = lesson(author)
    services.update_entry(by=author, entry=entry, title="A worse title", change_note="oops")
    body = ok(api_as(author).post(f"{API}/entries/{entry.pk}/versions/1/restore"))
    assert (body["title"], body["version"]) == ("Roll back database migrations in two steps", 3)
    assert EntryVersion.objects.get(entry=entry, number=3).change_note == "Restored version 1"
    assert api_as(author).post(f"{API}/entries/{entry.pk}/versions/7/restore").status_code == 404


def test_structure_edits_are_for_curators_and_content_edits_for_editors(author, teammate, outsider, lead, api_as):
    entry = lesson(author)
    response = api_as(outsider).patch(f"{API}/entries/{entry.pk}", {"title": "Hijacked"}, content_type=JSON)
    assert response.status_code == 403
    ok(api_as(lead).patch(f"{API}/entries/{entry.pk}", {"title": "Tidied by the lead"}, content_type=JSON))
    response = api_as(outsider).patch(f"{API}/entries/{entry.pk}", {"visibility": "team"}, content_type=JSON)
    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.title, entry.visibility) == ("Tidied by the lead", "everyone")


def test_a_refused_edit_changes_nothing(author, api_as):
    entry = lesson(author)
    response = api_as(author).patch(f"{API}/entries/{entry.pk}", {"title": "New", "body": ""}, content_type=JSON)
    assert response.status_code == 400 and "body" in response.json()["errors"]
    entry.refresh_from_db()
    assert (entry.title, entry.version) == ("Roll back database migrations in two steps", 1)


def test_ownership_moves_to_a_team(author, payments, api_as):
    entry = lesson(author)
    body = ok(api_as(author).patch(f"{API}/entries/{entry.pk}",
                                   {"owner_team_id": payments.pk, "team_ids": [payments.pk]}, content_type=JSON))
    assert body["owner"]["type"] == "team"
    assert [team["name"] for team in body["teams"]] == ["Payments"]
    assert body["version"] == 1  # structure, not content: no new version


# --- Decisions ---------------------------------------------------------------------------------


def test_accepted_decisions_refuse_edits_and_are_superseded_instead(author, api_as):
    old = decision(author)
    client = api_as(author)
    ok(client.post(f"{API}/entries/{old.pk}/status", {"status": "accepted"}, content_type=JSON))
    response = client.patch(f"{API}/entries/{old.pk}", {"decision": "DynamoDB after all."}, content_type=JSON)
    assert response.status_code == 400 and "status" in response.json()["errors"]
    new = decision(author, title="Move the ledger to CockroachDB", decision="CockroachDB.")
    response = client.post(f"{API}/entries/{old.pk}/status", {"status": "superseded", "superseded_by_id": new.pk},
                           content_type=JSON)
    assert response.status_code == 400 and "superseded_by_id" in response.json()["errors"]  # not accepted yet
    ok(client.post(f"{API}/entries/{new.pk}/status", {"status": "accepted"}, content_type=JSON))
    body = ok(client.post(f"{API}/entries/{old.pk}/status", {"status": "superseded", "superseded_by_id": new.pk},
                          content_type=JSON))
    assert body["status"] == "superseded"
    assert body["superseded_by"] == {"id": new.pk, "kind": "decision", "title": "Move the ledger to CockroachDB"}
    assert any(link["phrase"] == "Superseded by" and link["entry"]["id"] == new.pk for link in body["links"])
    successor = ok(client.get(f"{API}/entries/{new.pk}"))
    assert [ref["id"] for ref in successor["supersedes"]] == [old.pk]
    response = client.post(f"{API}/entries/{old.pk}/status", {"status": "accepted"}, content_type=JSON)
    assert response.status_code == 400


def test_only_curators_move_a_decision(author, outsider, api_as):
    record = decision(author)
    response = api_as(outsider).post(f"{API}/entries/{record.pk}/status", {"status": "accepted"}, content_type=JSON)
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == "proposed"


# --- Freshness ---------------------------------------------------------------------------------


def test_obsolete_needs_a_reason_and_restore_brings_it_back(author, api_as):
    entry = lesson(author)
    client = api_as(author)
    response = client.post(f"{API}/entries/{entry.pk}/obsolete", {"reason": "  "}, content_type=JSON)
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    body = ok(client.post(f"{API}/entries/{entry.pk}/obsolete", {"reason": "We moved to Flyway."}, content_type=JSON))
    assert (body["freshness"], body["obsolete_reason"]) == ("obsolete", "We moved to Flyway.")
    assert client.post(f"{API}/entries/{entry.pk}/verify", content_type=JSON).status_code == 400
    body = ok(client.post(f"{API}/entries/{entry.pk}/restore"))
    assert (body["freshness"], body["obsolete_at"]) == ("fresh", None)


def test_verifying_restarts_the_review_clock_and_empties_my_review_queue(author, outsider, api_as):
    entry = lesson(author, review_interval_days=30)
    Entry.objects.filter(pk=entry.pk).update(review_due_at=timezone.now() - timedelta(days=3))
    lesson(outsider, title="Someone else's overdue lesson")
    Entry.objects.filter(author=outsider).update(review_due_at=timezone.now() - timedelta(days=3))
    queue = ok(api_as(author).get(f"{API}/reviews"))
    assert [item["id"] for item in queue["items"]] == [entry.pk]
    assert queue["items"][0]["freshness"] == "due"
    assert api_as(outsider).post(f"{API}/entries/{entry.pk}/verify", content_type=JSON).status_code == 403
    body = ok(api_as(author).post(f"{API}/entries/{entry.pk}/verify", {"note": "Still true"}, content_type=JSON))
    assert body["freshness"] == "fresh"
    assert body["last_verified_by"]["id"] == author.pk
    assert ok(api_as(author).get(f"{API}/reviews"))["count"] == 0


# --- Links -------------------------------------------------------------------------------------


def test_links_are_typed_shown_from_both_sides_and_removable(author, outsider, api_as):
    first = lesson(author)
    second = lesson(outsider, title="Never roll back migrations", body="Roll forward instead.")
    link = ok(api_as(outsider).post(f"{API}/entries/{second.pk}/links", {"target_id": first.pk, "kind": "contradicts"},
                                    content_type=JSON), 201)
    assert (link["phrase"], link["entry"]["id"]) == ("Contradicts", first.pk)
    shown = ok(api_as(author).get(f"{API}/entries/{first.pk}"))["links"]
    assert [(item["phrase"], item["direction"], item["entry"]["id"]) for item in shown] == [
        ("Contradicted by", "incoming", second.pk)
    ]
    response = api_as(outsider).post(f"{API}/entries/{second.pk}/links", {"target_id": first.pk, "kind": "contradicts"},
                                     content_type=JSON)
    assert response.status_code == 400 and "target_id" in response.json()["errors"]
    response = api_as(outsider).post(f"{API}/entries/{second.pk}/links", {"target_id": second.pk}, content_type=JSON)
    assert response.status_code == 400 and "target_id" in response.json()["errors"]
    ok(api_as(outsider).delete(f"{API}/links/{link['id']}"), 204)
    assert not EntryLink.objects.exists()


# --- Reuse and feedback ------------------------------------------------------------------------


def test_applying_an_entry_is_recorded_and_counted(author, outsider, api_as):
    entry = lesson(author)
    body = ok(api_as(outsider).post(f"{API}/entries/{entry.pk}/applications", {
        "context": "Support tooling release 4.2", "outcome": "worked", "note": "Zero downtime.",
    }, content_type=JSON), 201)
    assert (body["person"]["id"], body["outcome"], body["entry_id"]) == (outsider.pk, "worked", entry.pk)
    assert ok(api_as(author).get(f"{API}/entries/{entry.pk}"))["application_count"] == 1
    listed = ok(api_as(author).get(f"{API}/entries/{entry.pk}/applications"))
    assert listed["count"] == 1 and listed["items"][0]["context"] == "Support tooling release 4.2"
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api_as(outsider).post(f"{API}/entries/{entry.pk}/applications",
                                     {"context": "x", "applied_on": tomorrow}, content_type=JSON)
    assert response.status_code == 400 and "applied_on" in response.json()["errors"]
    response = api_as(outsider).post(f"{API}/entries/{entry.pk}/applications", {"context": " "}, content_type=JSON)
    assert response.status_code == 400 and "context" in response.json()["errors"]
    assert Application.objects.count() == 1


def test_feedback_is_one_answer_per_person_that_can_change(author, outsider, teammate, api_as):
    entry = lesson(author)
    assert ok(api_as(outsider).post(f"{API}/entries/{entry.pk}/feedback", {"helpful": False},
                                    content_type=JSON))["counts"] == {"yes": 0, "no": 1}
    ok(api_as(teammate).post(f"{API}/entries/{entry.pk}/feedback", {"helpful": True}, content_type=JSON))
    body = ok(api_as(outsider).post(f"{API}/entries/{entry.pk}/feedback", {"helpful": True, "comment": "Saved me"},
                                    content_type=JSON))
    assert body == {"helpful": True, "comment": "Saved me", "counts": {"yes": 2, "no": 0}}
    assert ok(api_as(author).get(f"{API}/entries/{entry.pk}"))["helpful"] == {"yes": 2, "no": 0}


# --- Questions and answers ---------------------------------------------------------------------


def test_questions_get_answers_and_the_asker_accepts_one(author, outsider, teammate, api_as):
    asked = question(outsider)
    first = ok(api_as(author).post(f"{API}/entries/{asked.pk}/answers", {"body": "Use the *resend* button."},
                                   content_type=JSON), 201)
    assert "<em>resend</em>" in first["body_html"] and not first["accepted"]
    second = ok(api_as(teammate).post(f"{API}/entries/{asked.pk}/answers", {"body": "Ask Payments."},
                                      content_type=JSON), 201)
    assert api_as(author).post(f"{API}/entries/{asked.pk}/accepted-answer", {"answer_id": first["id"]},
                               content_type=JSON).status_code == 403
    body = ok(api_as(outsider).post(f"{API}/entries/{asked.pk}/accepted-answer", {"answer_id": first["id"]},
                                    content_type=JSON))
    assert body["accepted_answer_id"] == first["id"]
    assert [(a["id"], a["accepted"]) for a in body["answers"]] == [(first["id"], True), (second["id"], False)]
    cleared = ok(api_as(outsider).post(f"{API}/entries/{asked.pk}/accepted-answer", {"answer_id": None},
                                       content_type=JSON))
    assert cleared["accepted_answer_id"] is None


def test_an_answer_is_edited_by_its_author_only(author, outsider, api_as):
    asked = question(outsider)
    answer = services.add_answer(by=author, question=asked, body="Try the resend button.")
    response = api_as(outsider).patch(f"{API}/answers/{answer.pk}", {"body": "Mine now"}, content_type=JSON)
    assert response.status_code == 403
    body = ok(api_as(author).patch(f"{API}/answers/{answer.pk}", {"body": "Use the resend button."}, content_type=JSON))
    assert body["body"] == "Use the resend button."


def test_answers_belong_to_questions(author, outsider, api_as):
    entry = lesson(author)
    response = api_as(outsider).post(f"{API}/entries/{entry.pk}/answers", {"body": "?"}, content_type=JSON)
    assert response.status_code == 400
    asked, other = question(outsider), question(outsider, title="Another question?")
    answer = services.add_answer(by=author, question=other, body="Elsewhere.")
    response = api_as(outsider).post(f"{API}/entries/{asked.pk}/accepted-answer", {"answer_id": answer.pk},
                                     content_type=JSON)
    assert response.status_code == 400 and "answer_id" in response.json()["errors"]


# --- Search and suggestions --------------------------------------------------------------------


@pytest.mark.parametrize("query", ['"rollback', "migrations AND (", "title:migrations", "🚀 migrations ✨",
                                   "-migrations*", "m" * 10_000, "migrations " * 1_000])
def test_no_query_is_an_error_in_the_api(author, api_as, query):
    lesson(author)
    body = ok(api_as(author).get(f"{API}/entries", {"q": query}))
    assert body["total"] >= 0 and isinstance(body["hits"], list)


def test_search_finds_entries_with_highlighted_snippets_and_filters(author, api_as):
    lesson(author, tags=["rollbacks", "databases", "Postgres"])
    question(author)
    body = ok(api_as(author).get(f"{API}/entries?q=migrations"))
    assert body["total"] == 1
    hit = body["hits"][0]
    assert hit["entry"]["title"] == "Roll back database migrations in two steps"
    # A hit's tags come with the search's own reading of the window, in the entry page's order.
    assert hit["entry"]["tags"] == sorted(tag.name for tag in Entry.objects.get(pk=hit["entry"]["id"]).tags.all())
    assert len(hit["entry"]["tags"]) == 3
    assert "<mark>" in hit["title_html"] + hit["snippet_html"]
    assert {"score", "entry", "snippet_html", "title_html"} <= set(hit)
    assert ok(api_as(author).get(f"{API}/entries?kind=question"))["total"] == 1
    assert ok(api_as(author).get(f"{API}/entries?kind=question&kind=lesson"))["total"] == 2
    everything = ok(api_as(author).get(f"{API}/entries?per_page=1&page=2"))
    assert (everything["total"], everything["pages"], len(everything["hits"])) == (2, 2, 1)
    response = api_as(author).get(f"{API}/entries?team=4242")
    assert response.status_code == 400 and "team" in response.json()["errors"]
    assert api_as(author).get(f"{API}/entries?kind=memo").status_code == 422


def test_the_search_answers_exactly_what_its_schema_would_make(author, payments, api_as, settings, tmp_path):
    """The search endpoint builds its answer directly (api_schemas.search_out) instead of
    validating it through SearchOut; it must not drift from the schema it documents."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search"  # an index of its own: later tests reuse these ids
    lesson(author, tags=["rollbacks", "databases"])
    lesson(author, title="Roll back a migration owned by a team", owner_team=payments, tags=[])
    decision(author, title="Roll back with feature flags")
    question(author, title="Who rolls back a migration at night?")
    stale = lesson(author, title="Roll back old migrations by hand")
    services.mark_obsolete(by=author, entry=stale, reason="We automate it now.")
    for query in ("roll back migrations", "", "roll"):
        response = api_as(author).get(f"{API}/entries", {"q": query, "per_page": 100})
        answered = ok(response)
        results = search.search_entries(viewer=author, query=query, per_page=100)
        assert len(answered["hits"]) == len(results.hits) >= 4
        schema_made = SearchOut.model_validate({
            "query": results.query, "terms": results.terms, "total": results.total, "page": results.page,
            "per_page": results.per_page, "pages": results.pages, "hits": results.hits, "facets": results.facets,
        }).model_dump()
        assert answered == json.loads(json.dumps(schema_made, cls=NinjaJSONEncoder))
        assert response["Content-Type"] == "application/json; charset=utf-8"
    assert {hit["entry"]["owner"]["type"] for hit in answered["hits"]} == {"person", "team"}
    assert any(hit["entry"]["obsolete_at"] for hit in answered["hits"])


def test_similar_and_related_answer_with_scored_entries(author, api_as):
    entry = lesson(author, title="Rolling back database migrations safely")
    other = lesson(author, title="Roll back database migrations before the deploy")
    lesson(author, title="Quarterly budget planning for the design team", body="Plan spend per quarter.", tags=[])
    related = ok(api_as(author).get(f"{API}/entries/{entry.pk}/related"))
    assert [item["entry"]["id"] for item in related] == [other.pk]
    assert 0 < related[0]["score"] < 1
    body = ok(api_as(author).post(f"{API}/similar", {"title": "Rolling back database migrations"}, content_type=JSON))
    assert {item["entry"]["id"] for item in body} == {entry.pk, other.pk}
    assert all(0.3 <= item["similarity"] <= 1 for item in body)
    assert body[0]["similarity"] >= body[-1]["similarity"]


# --- Visibility: team-only entries are invisible to outsiders, everywhere ------------------------


def test_team_only_entries_are_visible_to_their_team(author, teammate, payments, api_as):
    hidden = secret(author, payments)
    assert ok(api_as(teammate).get(f"{API}/entries/{hidden.pk}"))["title"] == "Payout batch internals"
    assert ok(api_as(teammate).get(f"{API}/entries?q=payout"))["total"] == 1


def test_team_only_entries_are_404_to_outsiders_in_every_endpoint(author, payments, outsider, admin, api_as):
    hidden = secret(author, payments)
    asked = question(author, owner_team=payments, visibility="team")
    answer = services.add_answer(by=author, question=asked, body="Internal answer.")
    services.add_answer(by=author, question=asked, body="Another one.")
    public = lesson(author, title="A public lesson")
    for viewer in (outsider, admin):  # team-only means what it says, admins included
        client = api_as(viewer)
        requests = [
            ("get", f"/entries/{hidden.pk}", None),
            ("patch", f"/entries/{hidden.pk}", {"title": "x"}),
            ("get", f"/entries/{hidden.pk}/versions", None),
            ("get", f"/entries/{hidden.pk}/versions/1", None),
            ("get", f"/entries/{hidden.pk}/diff?old=1&new=1", None),
            ("post", f"/entries/{hidden.pk}/versions/1/restore", None),
            ("post", f"/entries/{hidden.pk}/verify", None),
            ("post", f"/entries/{hidden.pk}/obsolete", {"reason": "x"}),
            ("post", f"/entries/{hidden.pk}/restore", None),
            ("post", f"/entries/{hidden.pk}/status", {"status": "accepted"}),
            ("post", f"/entries/{hidden.pk}/links", {"target_id": public.pk}),
            ("get", f"/entries/{hidden.pk}/applications", None),
            ("post", f"/entries/{hidden.pk}/applications", {"context": "x"}),
            ("post", f"/entries/{hidden.pk}/feedback", {"helpful": True}),
            ("get", f"/entries/{hidden.pk}/related", None),
            ("post", f"/entries/{asked.pk}/answers", {"body": "x"}),
            ("post", f"/entries/{asked.pk}/accepted-answer", {"answer_id": answer.pk}),
            ("patch", f"/answers/{answer.pk}", {"body": "x"}),
            ("post", f"/answers/{answer.pk}/hide", {"reason": "x"}),
            ("delete", f"/answers/{answer.pk}/hide", None),
        ]
        for method, path, payload in requests:
            response = getattr(client, method)(f"{API}{path}", payload or {}, content_type=JSON)
            assert response.status_code == 404, f"{viewer} {method.upper()} {path}: {response.status_code}"
            # The same answer as for an entry that doesn't exist: nothing to tell them apart.
            missing = getattr(client, method)(f"{API}{path.replace(str(hidden.pk), '999999', 1)}",
                                              payload or {}, content_type=JSON)
            if str(hidden.pk) in path.split("?")[0]:
                assert response.json() == missing.json(), path
    hidden.refresh_from_db()
    assert (hidden.title, hidden.obsolete_at, hidden.application_count, hidden.version) == (
        "Payout batch internals", None, 0, 1)
    assert asked.answers.count() == 2


def test_team_only_entries_never_appear_in_lists_or_counts(author, payments, outsider, api_as):
    hidden = secret(author, payments, tags=["payouts"])
    public = lesson(author, title="Payouts for beginners", body="Payouts run nightly.", tags=["payouts"])
    services.add_link(by=author, source=public, target=hidden, kind="related")
    Entry.objects.filter(pk=hidden.pk).update(review_due_at=timezone.now() - timedelta(days=1))
    client = api_as(outsider)
    for query in ("", "?q=payout", "?q=batch", "?tag=payouts", f"?author={author.pk}", f"?team={payments.pk}"):
        body = ok(client.get(f"{API}/entries{query}"))
        assert hidden.pk not in [hit["entry"]["id"] for hit in body["hits"]], query
        assert body["total"] == len([hit for hit in body["hits"]]), query
        for name, facet in body["facets"].items():
            assert all(item["count"] <= body["total"] for item in facet), (query, name)
    assert ok(client.get(f"{API}/entries?q=batch"))["total"] == 0
    assert ok(client.get(f"{API}/entries/{public.pk}"))["links"] == []
    assert ok(client.get(f"{API}/reviews"))["count"] == 0
    similar = ok(client.post(f"{API}/similar", {"title": "Payout batch internals"}, content_type=JSON))
    assert hidden.pk not in [item["entry"]["id"] for item in similar]
    related = ok(client.get(f"{API}/entries/{public.pk}/related"))
    assert hidden.pk not in [item["entry"]["id"] for item in related]


def test_hidden_entries_cannot_be_linked_to_or_named_as_successors(author, payments, outsider, api_as):
    hidden = decision(author, owner_team=payments, visibility="team")
    services.set_decision_status(by=author, entry=hidden, status="accepted")
    mine = lesson(outsider, title="Outsider's lesson")
    response = api_as(outsider).post(f"{API}/entries/{mine.pk}/links", {"target_id": hidden.pk}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == {"target_id": [f"No entry with id {hidden.pk}."]}
    nowhere = api_as(outsider).post(f"{API}/entries/{mine.pk}/links", {"target_id": 999999}, content_type=JSON)
    assert nowhere.json()["errors"] == {"target_id": ["No entry with id 999999."]}
    own = decision(outsider)
    services.set_decision_status(by=outsider, entry=own, status="accepted")
    response = api_as(outsider).post(f"{API}/entries/{own.pk}/status",
                                     {"status": "superseded", "superseded_by_id": hidden.pk}, content_type=JSON)
    assert response.status_code == 400 and "superseded_by_id" in response.json()["errors"]
    assert not EntryLink.objects.exists()


def test_a_successor_the_viewer_cannot_see_is_not_named(author, payments, outsider, api_as):
    old = decision(author, title="Public decision")
    services.set_decision_status(by=author, entry=old, status="accepted")
    hidden = decision(author, title="Team-only successor", owner_team=payments, visibility="team")
    services.set_decision_status(by=author, entry=hidden, status="accepted")
    services.set_decision_status(by=author, entry=old, status="superseded", superseded_by=hidden)
    body = ok(api_as(outsider).get(f"{API}/entries/{old.pk}"))
    assert body["status"] == "superseded"
    assert body["superseded_by"] is None
    assert body["links"] == []
    assert "Team-only successor" not in str(body)


def test_links_between_hidden_entries_cannot_be_removed_by_outsiders(author, payments, outsider, api_as):
    hidden = secret(author, payments)
    public = lesson(author)
    link = services.add_link(by=author, source=public, target=hidden, kind="related")
    assert api_as(outsider).delete(f"{API}/links/{link.pk}").status_code == 404
    assert EntryLink.objects.filter(pk=link.pk).exists()


def test_refused_requests_leave_no_activity(author, payments, outsider, api_as):
    hidden = secret(author, payments)
    before = ActivityEvent.objects.count()
    api_as(outsider).post(f"{API}/entries/{hidden.pk}/feedback", {"helpful": True}, content_type=JSON)
    api_as(outsider).post(f"{API}/entries/{hidden.pk}/applications", {"context": "x"}, content_type=JSON)
    assert ActivityEvent.objects.count() == before


def test_links_and_successors_show_team_only_entries_to_the_teams_they_are_shared_with(
    author, payments, support, outsider, api_as,
):
    # Owned by payments, shared with support: an outsider in support sees it, a person in
    # neither team doesn't (the detail decides visibility on the loaded rows).
    shared = decision(author, title="Shared successor", owner_team=payments, visibility="team", teams=[support])
    services.set_decision_status(by=author, entry=shared, status="accepted")
    old = decision(author, title="Public decision")
    services.set_decision_status(by=author, entry=old, status="accepted")
    services.set_decision_status(by=author, entry=old, status="superseded", superseded_by=shared)
    public = lesson(author)
    services.add_link(by=author, source=public, target=shared, kind="related")
    services.add_link(by=author, source=old, target=public, kind="related")
    nobody = factories.person(email="nina.nowhere@example.org")
    seen = ok(api_as(outsider).get(f"{API}/entries/{old.pk}"))
    assert seen["superseded_by"]["id"] == shared.pk
    assert {link["entry"]["id"] for link in seen["links"]} == {shared.pk, public.pk}
    assert [link["entry"]["id"] for link in ok(api_as(outsider).get(f"{API}/entries/{public.pk}"))["links"]] == [
        shared.pk, old.pk,
    ]
    assert [entry["id"] for entry in ok(api_as(outsider).get(f"{API}/entries/{shared.pk}"))["supersedes"]] == [old.pk]
    unseen = ok(api_as(nobody).get(f"{API}/entries/{old.pk}"))
    assert unseen["superseded_by"] is None
    assert [link["entry"]["id"] for link in unseen["links"]] == [public.pk]
    assert api_as(nobody).get(f"{API}/entries/{shared.pk}").status_code == 404
