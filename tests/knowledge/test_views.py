"""The knowledge base's pages: what each shows, who may do what, and that nothing unsafe gets through."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from learnloop.knowledge import services
from learnloop.knowledge.models import Application, Entry, EntryLink, Feedback
from tests import factories
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def htmx(target: str) -> dict:
    return {**HTMX, "HX-Target": target}


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def outsider(db):
    return factories.person(full_name="Olive Outsider")


@pytest.fixture
def outsider_client(outsider):
    return signed_in_client(outsider)


@pytest.fixture
def team_secret(member, team):
    factories.membership(member, team)
    return services.create_entry(
        by=member, kind="lesson", title="Payments incident notes", body="Only for the team.",
        visibility="team", owner_team=team,
    )


def due_entry(*, by, title="Check the backup restore", **fields):
    return services.create_entry(
        by=by, kind="playbook", title=title, body="Restore last night's backup somewhere safe.",
        review_interval_days=7, created_at=timezone.now() - timedelta(days=10), **fields,
    )


# --- every page renders --------------------------------------------------------------------------


def test_every_page_renders(member_client, member, lesson, decision):
    services.update_entry(by=member, entry=lesson, body="Ship the code first.\nThen the schema.", change_note="Split")
    due_entry(by=member)
    pages = [
        "/knowledge/",
        "/knowledge/?q=migrations",
        "/knowledge/new/",
        *(f"/knowledge/new/?kind={kind}" for kind in ("lesson", "playbook", "decision", "question")),
        f"/knowledge/{lesson.pk}/",
        f"/knowledge/{lesson.pk}/edit/",
        f"/knowledge/{lesson.pk}/history/",
        f"/knowledge/{lesson.pk}/diff/?from=1&to=2",
        f"/knowledge/{decision.pk}/",
        f"/knowledge/{decision.pk}/edit/",
        "/knowledge/reviews/",
        "/",
    ]
    for path in pages:
        response = member_client.get(path)
        assert response.status_code == 200, path
        assert "<main" in text(response), path


def test_pages_need_a_signed_in_person(client, lesson):
    for path in ["/knowledge/", f"/knowledge/{lesson.pk}/", "/knowledge/new/?kind=lesson", "/knowledge/reviews/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/")


def test_the_home_page_links_recent_entries_and_my_reviews(member_client, member, lesson):
    due = due_entry(by=member)
    page = text(member_client.get("/"))
    assert "Recent lessons" in page
    assert f'href="/knowledge/{lesson.pk}/"' in page
    assert "Due for your review" in page
    assert f'href="/knowledge/{due.pk}/"' in page
    assert 'href="/knowledge/reviews/"' in page


# --- search --------------------------------------------------------------------------------------


def test_search_highlights_matches_and_shows_owner_freshness_and_reuse(member_client, member, lesson):
    services.record_application(by=member, entry=lesson, context="Checkout release")
    page = text(member_client.get("/knowledge/", {"q": "migrations"}))
    assert f'href="/knowledge/{lesson.pk}/"' in page
    assert "<mark>migrations</mark>" in page
    assert "Fresh" in page
    assert "Mo Member" in page
    assert "Applied 1 time" in page
    assert "1 entry for “migrations”" in page
    assert 'href="/knowledge/new/"' in page  # the "New entry" button


def _hits(page: str) -> dict[str, str]:
    """Each hit's markup, by the entry title it links to."""
    return {re.search(r'<h3><a href="/knowledge/\d+/">(.*?)</a></h3>', item).group(1): item
            for item in re.findall(r'<li class="hit[^"]*">.*?</li>', page, re.S)}


def test_each_hit_shows_kind_freshness_status_owner_reuse_and_date(member_client, member, team):
    factories.membership(member, team)
    lesson = services.create_entry(by=member, kind="lesson", title="Rota handover", body="Hand over the rota.")
    services.record_application(by=member, entry=lesson, context="Week 12")
    services.record_application(by=member, entry=lesson, context="Week 13")
    decision = services.create_entry(
        by=member, kind="decision", title="Rota tool", context="c", options="o", decision="d", consequences="x",
        owner_team=team,
    )
    services.set_decision_status(by=member, entry=decision, status="accepted")
    old = services.create_entry(by=member, kind="playbook", title="Rota by spreadsheet", body="Use the sheet.")
    services.mark_obsolete(by=member, entry=old, reason="We have a tool now.")
    Entry.objects.filter(pk=lesson.pk).update(updated_at=timezone.now().replace(year=2025, month=3, day=7))
    hits = _hits(text(member_client.get("/knowledge/", {"q": "rota"}, headers=htmx("knowledge-results"))))
    assert set(hits) == {"<mark>Rota</mark> handover", "<mark>Rota</mark> tool", "<mark>Rota</mark> by spreadsheet"}
    first = hits["<mark>Rota</mark> handover"]
    assert f'<a href="/knowledge/{lesson.pk}/">' in first and 'class="hit"' in first
    assert '<span class="badge badge-kind">Lesson</span>' in first
    assert '<span class="badge badge-fresh">Fresh</span>' in first
    assert re.search(rf'Owner:\s*<a href="/people/{member.pk}/">Mo Member</a>\s*</span>', first)
    assert "<span>Applied 2 times</span>" in first and "<span>Updated 7 Mar 2025</span>" in first
    second = hits["<mark>Rota</mark> tool"]
    assert '<span class="badge badge-kind">Decision record</span>' in second and "<span>Accepted</span>" in second
    assert re.search(rf'Owner:\s*<a href="/teams/{team.slug}/">Payments</a> <small>\(team\)</small>', second)
    assert "<span>Applied 0 times</span>" in second
    third = hits["<mark>Rota</mark> by spreadsheet"]
    assert 'class="hit hit-obsolete"' in third and '<span class="badge badge-obsolete">⚠ Obsolete</span>' in third
    german = text(member_client.get("/knowledge/", {"q": "rota"}, HTTP_ACCEPT_LANGUAGE="de"))
    assert "2-mal angewendet" in german and "Aktualisiert am 7 Mär 2025" in german


@pytest.mark.parametrize("query", ['"rollback', "migrations AND (", "🚀 migrations", "m" * 10_000])
def test_no_query_is_an_error_on_the_search_page(member_client, lesson, query):
    assert member_client.get("/knowledge/", {"q": query}).status_code == 200
    assert member_client.get("/knowledge/", {"q": query}, headers=htmx("knowledge-results")).status_code == 200


def test_an_empty_query_browses_everything(member_client, lesson, decision):
    page = text(member_client.get("/knowledge/"))
    assert lesson.title in page
    assert decision.title in page


def test_search_as_you_type_gets_only_the_results_and_the_count(member_client, lesson):
    response = member_client.get("/knowledge/", {"q": "rollback migrations"}, headers=htmx("knowledge-results"))
    page = text(response)
    assert page.lstrip().startswith('<div id="knowledge-results"')
    assert "<html" not in page
    # The persistent status region (announced by screen readers) is updated out of band.
    assert 'id="knowledge-status" hx-swap-oob="innerHTML"' in page


def test_search_filters_by_kind(member_client, lesson, decision):
    page = text(member_client.get("/knowledge/", {"kind": "decision"}))
    assert decision.title in page
    assert lesson.title not in page
    assert "Clear filters" in page


def test_search_pages_through_many_results_keeping_the_query(member_client, member):
    for number in range(25):
        services.create_entry(by=member, kind="lesson", title=f"Deploy lesson {number:02d}", body="Deploy carefully.")
    first = text(member_client.get("/knowledge/", {"q": "deploy", "kind": "lesson"}))
    assert "Page 1 of 2" in first
    assert 'href="/knowledge/?q=deploy&amp;kind=lesson&amp;page=2"' in first
    second = text(member_client.get("/knowledge/", {"q": "deploy", "kind": "lesson", "page": 2}))
    assert "Page 2 of 2" in second
    assert len(re.findall(r'<li class="hit', second)) == 5
    assert '<ol class="hits" start="21">' in second
    # A page past the end shows the last one; nonsense shows the first.
    assert "Page 2 of 2" in text(member_client.get("/knowledge/", {"q": "deploy", "page": 99}))
    assert "Page 1 of 2" in text(member_client.get("/knowledge/", {"q": "deploy", "page": "x"}))


def test_obsolete_entries_are_clearly_marked_in_results(member_client, member, lesson):
    services.mark_obsolete(by=member, entry=lesson, reason="We use expand/contract migrations now.")
    page = text(member_client.get("/knowledge/", {"q": "migrations"}))
    assert "badge-obsolete" in page
    assert "Obsolete" in page


def test_search_never_shows_team_only_entries_to_outsiders(outsider_client, team_secret):
    assert team_secret.title not in text(outsider_client.get("/knowledge/", {"q": "payments"}))


def test_facets_from_the_search_service_become_filters_with_counts(member_client, lesson, monkeypatch):
    from learnloop.knowledge import search, views

    real = search.search_entries

    def with_facets(**kwargs):
        results = real(**kwargs)
        results.facets = {"kind": [search.FacetCount("lesson", "Lesson", 1, selected=True)],
                          "tag": [search.FacetCount("deploys", "deploys", 1)]}
        return results

    monkeypatch.setattr(views.search, "search_entries", with_facets)
    page = text(member_client.get("/knowledge/", {"kind": "lesson"}))
    checkbox = re.search(r'<input type="checkbox" form="knowledge-search" name="kind" value="lesson"[^>]*>', page)
    assert checkbox and "checked" in checkbox.group(0)
    assert re.search(r'name="tag" value="deploys"', page)
    assert "(1)" in page
    assert "<legend>Kind</legend>" in page and "<legend>Tag</legend>" in page


# --- writing -------------------------------------------------------------------------------------


def test_new_entry_asks_for_the_kind_first(member_client):
    page = text(member_client.get("/knowledge/new/"))
    for kind in ("lesson", "playbook", "decision", "question"):
        assert f'href="/knowledge/new/?kind={kind}"' in page


def test_writing_a_lesson(member_client, member, team):
    response = member_client.post("/knowledge/new/?kind=lesson", {
        "title": "Feature flags need an owner", "body": "Every flag gets an **owner** and an expiry.",
        "tags": "flags, Releases", "skills": "release management", "owner": f"team:{team.pk}",
        "teams": [team.pk], "visibility": "everyone", "review_interval_days": "90",
    })
    entry = Entry.objects.get(title="Feature flags need an owner")
    assert response.status_code == 302
    assert response["Location"] == f"/knowledge/{entry.pk}/"
    assert entry.author == member
    assert entry.owner_team == team
    assert entry.review_interval_days == 90
    assert sorted(entry.tags.values_list("name", flat=True)) == ["flags", "releases"]
    page = text(member_client.get(response["Location"]))
    assert "<strong>owner</strong>" in page
    assert "release management" in page


def test_a_form_error_keeps_everything_typed(member_client):
    response = member_client.post("/knowledge/new/?kind=lesson", {
        "title": "   ", "body": "A body worth keeping", "tags": "kept-tag", "owner": "me",
        "visibility": "everyone", "review_interval_days": "180",
    })
    page = text(response)
    assert response.status_code == 200
    assert "An entry needs a title." in page
    assert re.search(r'id="id_title_error"', page)
    assert "A body worth keeping</textarea>" in page
    assert 'value="kept-tag"' in page
    assert not Entry.objects.exists()


def test_service_errors_land_on_their_fields(member_client):
    page = text(member_client.post("/knowledge/new/?kind=decision", {
        "title": "Use queues", "context": "Load spikes", "owner": "me", "visibility": "team",
        "review_interval_days": "365",
    }))
    assert "A decision record states the decision." in page
    assert 'id="id_decision_error"' in page
    page = text(member_client.post("/knowledge/new/?kind=lesson", {
        "title": "Secret", "body": "x", "owner": "me", "visibility": "team", "review_interval_days": "180",
    }))
    assert 'id="id_visibility_error"' in page
    assert "needs at least one team" in page


def test_the_similar_entries_warning_is_a_partial(member_client, lesson, monkeypatch):
    from learnloop.knowledge import views

    monkeypatch.setattr(views.search, "similar_entries", lambda **kwargs: [(lesson, 0.8)])
    response = member_client.post("/knowledge/similar/", {"title": "rolling back migrations", "body": ""},
                                  headers=htmx("similar-entries"))
    page = text(response)
    assert "<html" not in page
    assert "Similar entries already exist" in page
    assert f'href="/knowledge/{lesson.pk}/"' in page
    assert 'rel="noopener"' in page
    # Nothing to compare yet: no warning.
    assert "Similar" not in text(member_client.post("/knowledge/similar/", {"title": "ro", "body": ""}))


def test_the_editor_makes_a_version_and_history_and_diff_show_it(member_client, member, lesson):
    response = member_client.post(f"/knowledge/{lesson.pk}/edit/", {
        "title": lesson.title, "body": "Ship the code change first.\nThen the schema change.",
        "tags": "deploys, databases", "skills": "", "owner": "me", "visibility": "everyone",
        "review_interval_days": "180", "change_note": "Two lines",
    })
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.version == 2
    history = text(member_client.get(f"/knowledge/{lesson.pk}/history/"))
    assert "Two lines" in history
    assert "Mo Member" in history
    assert "Restore version 1" in history
    diff = text(member_client.get(f"/knowledge/{lesson.pk}/diff/", {"from": 1, "to": 2}))
    # Marked in words for screen readers and with a sign, not by colour alone.
    assert "Removed: </span>Ship the code change first, then the schema change." in diff
    assert "Added: </span>Then the schema change." in diff
    assert "<ins>" in diff and "<del>" in diff
    assert member_client.get(f"/knowledge/{lesson.pk}/diff/", {"from": 1, "to": 9}).status_code == 404
    assert member_client.get(f"/knowledge/{lesson.pk}/diff/", {"from": "x", "to": 2}).status_code == 404


def test_restoring_a_version_makes_a_new_one(member_client, member, lesson):
    original = lesson.body
    services.update_entry(by=member, entry=lesson, body="Changed my mind.")
    response = member_client.post(f"/knowledge/{lesson.pk}/history/1/restore/")
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.body == original
    assert lesson.version == 3
    assert lesson.versions.get(number=3).change_note == "Restored version 1"


def test_accepted_decisions_are_read_only_and_say_so(member_client, member, decision):
    services.set_decision_status(by=member, entry=decision, status="accepted")
    page = text(member_client.get(f"/knowledge/{decision.pk}/edit/"))
    assert "its content is read-only" in page
    assert 'name="title"' not in page
    assert 'name="owner"' in page  # the owner can still hand it over
    member_client.post(f"/knowledge/{decision.pk}/edit/", {
        "title": "Changed", "decision": "Changed", "owner": "me", "visibility": "everyone",
        "review_interval_days": "365",
    })
    decision.refresh_from_db()
    assert decision.title == "Use PostgreSQL for the ledger"
    history = text(member_client.get(f"/knowledge/{decision.pk}/history/"))
    assert "Restore version" not in history
    assert "can't be restored" in history


def test_a_decision_page_shows_its_sections_and_status(member_client, decision):
    page = text(member_client.get(f"/knowledge/{decision.pk}/"))
    for heading in ("Context", "Options considered", "Decision", "Consequences"):
        assert f">{heading}</h2>" in page
    assert "Proposed" in page
    assert 'value="accepted"' in page  # the owner can accept it


# --- permissions ---------------------------------------------------------------------------------


def test_team_only_entries_are_404_for_outsiders(outsider_client, team_secret):
    entry = team_secret.pk
    for path in [f"/knowledge/{entry}/", f"/knowledge/{entry}/edit/", f"/knowledge/{entry}/history/",
                 f"/knowledge/{entry}/diff/?from=1&to=1"]:
        assert outsider_client.get(path).status_code == 404, path
    for path in ["applications/", "feedback/", "answers/", "links/", "verify/", "obsolete/", "reinstate/",
                 "status/", "history/1/restore/"]:
        assert outsider_client.post(f"/knowledge/{entry}/{path}", {"helpful": "yes"}).status_code == 404, path


def test_members_cannot_curate_or_edit_others_entries(outsider_client, lesson):
    page = text(outsider_client.get(f"/knowledge/{lesson.pk}/"))
    assert f'href="/knowledge/{lesson.pk}/edit/"' not in page
    assert "Verify: still right" not in page
    assert "Mark obsolete" not in page
    assert "Restore version" not in text(outsider_client.get(f"/knowledge/{lesson.pk}/history/"))
    assert outsider_client.get(f"/knowledge/{lesson.pk}/edit/").status_code == 403
    for path, data in [("verify/", {}), ("obsolete/", {"reason": "Mine now"}), ("reinstate/", {}),
                       ("history/1/restore/", {}), ("edit/", {"title": "Hijacked", "body": "x"})]:
        assert outsider_client.post(f"/knowledge/{lesson.pk}/{path}", data).status_code == 403, path
    lesson.refresh_from_db()
    assert lesson.obsolete_at is None
    assert lesson.title != "Hijacked"


def test_members_cannot_move_a_decision_they_do_not_own(outsider_client, decision):
    assert 'value="accepted"' not in text(outsider_client.get(f"/knowledge/{decision.pk}/"))
    assert outsider_client.post(f"/knowledge/{decision.pk}/status/", {"status": "accepted"}).status_code == 403
    decision.refresh_from_db()
    assert decision.status == "proposed"


def test_a_team_member_curates_the_team_entry(member_client, team_secret):
    page = text(member_client.get(f"/knowledge/{team_secret.pk}/"))
    assert "Verify: still right" in page
    assert member_client.post(f"/knowledge/{team_secret.pk}/verify/").status_code == 302


def test_an_author_who_left_the_owner_side_edits_content_but_not_ownership(db, team):
    author = factories.person(full_name="Ann Author")
    entry = services.create_entry(by=author, kind="lesson", title="Handover", body="Text", owner_team=team)
    client = signed_in_client(author)
    page = text(client.get(f"/knowledge/{entry.pk}/edit/"))
    assert 'name="title"' in page
    assert 'name="owner"' not in page
    response = client.post(f"/knowledge/{entry.pk}/edit/", {"title": "Handover notes", "body": "Text"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Handover notes"
    assert "Verify: still right" not in text(client.get(f"/knowledge/{entry.pk}/"))


# --- reuse, feedback, links ----------------------------------------------------------------------


def test_i_applied_this_over_htmx_returns_the_updated_section(outsider_client, outsider, lesson):
    response = outsider_client.post(
        f"/knowledge/{lesson.pk}/applications/",
        {"context": "Checkout release 42", "applied_on": timezone.localdate().isoformat(), "outcome": "worked",
         "note": "Smooth"},
        headers=htmx("applications"),
    )
    page = text(response)
    assert page.lstrip().startswith('<section id="applications"')
    assert "<html" not in page
    assert "Applied 1 time" in page
    assert "Checkout release 42" in page
    assert "Thanks: your application was recorded." in page
    application = Application.objects.get()
    assert (application.person, application.outcome) == (outsider, "worked")


def test_i_applied_this_shows_errors_and_keeps_the_input(outsider_client, lesson):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = text(outsider_client.post(
        f"/knowledge/{lesson.pk}/applications/", {"context": "", "applied_on": tomorrow, "outcome": "worked",
                                                 "note": "keep me"},
        headers=htmx("applications"),
    ))
    assert "Say where you applied it" in page
    assert "keep me</textarea>" in page
    page = text(outsider_client.post(
        f"/knowledge/{lesson.pk}/applications/", {"context": "Here", "applied_on": tomorrow, "outcome": "worked"},
    ))
    assert "That date is in the future." in page
    assert "<html" in page  # without htmx the whole page comes back, with the errors
    assert not Application.objects.exists()


def test_was_this_helpful_counts_one_answer_per_person(outsider_client, outsider, lesson):
    page = text(outsider_client.post(f"/knowledge/{lesson.pk}/feedback/", {"helpful": "yes"},
                                     headers=htmx("feedback")))
    assert page.lstrip().startswith('<section id="feedback"')
    assert "1 found it helpful · 0 didn't" in page
    assert re.search(r'value="yes"[^>]*aria-pressed="true"', page)
    page = text(outsider_client.post(f"/knowledge/{lesson.pk}/feedback/", {"helpful": "no"},
                                     headers=htmx("feedback")))
    assert "0 found it helpful · 1 didn't" in page
    assert Feedback.objects.get().helpful is False
    assert outsider_client.post(f"/knowledge/{lesson.pk}/feedback/", {"helpful": "maybe"}).status_code == 400


def test_links_go_both_ways_and_only_to_visible_entries(member_client, outsider_client, lesson, decision,
                                                        team_secret):
    response = member_client.post(f"/knowledge/{lesson.pk}/links/", {"kind": "related", "target": f"#{decision.pk}"})
    assert response.status_code == 302
    response = member_client.post(f"/knowledge/{decision.pk}/links/",
                                  {"kind": "contradicts", "target": f"http://testserver/knowledge/{lesson.pk}/"})
    assert response.status_code == 302
    page = text(member_client.get(f"/knowledge/{lesson.pk}/"))
    assert "Related to" in page and "Contradicted by" in page
    assert f'href="/knowledge/{decision.pk}/"' in page
    # An outsider can't link to a team-only entry, nor learn that it exists.
    page = text(outsider_client.post(f"/knowledge/{lesson.pk}/links/", {"kind": "related",
                                                                       "target": str(team_secret.pk)}))
    assert "There is no entry with that number that you can see." in page
    page = text(outsider_client.post(f"/knowledge/{lesson.pk}/links/", {"kind": "related", "target": "soon"}))
    assert "Give the other entry&#x27;s number" in page
    assert EntryLink.objects.count() == 2


def test_provenance_is_shown_as_where_it_came_from(member_client, member):
    entry = services.create_entry(by=member, kind="lesson", title="Pager fatigue", body="Rotate weekly.",
                                  provenance=[("import", "wiki/pager.md", "Retro of the March outage")])
    page = text(member_client.get(f"/knowledge/{entry.pk}/"))
    assert "Came from" in page
    assert "Retro of the March outage" in page


# --- questions -----------------------------------------------------------------------------------


def test_asking_answering_and_accepting(member_client, member, outsider_client, outsider):
    question = services.create_entry(by=member, kind="question", title="How do we rotate secrets?")
    response = outsider_client.post(f"/knowledge/{question.pk}/answers/", {"body": "Use the *vault* CLI."},
                                    headers=htmx("answers"))
    page = text(response)
    assert page.lstrip().startswith('<section id="answers"')
    assert "<em>vault</em>" in page
    assert "Accept" not in page  # the one who answered can't accept their own answer
    answer = question.answers.get()
    assert outsider_client.post(f"/knowledge/{question.pk}/answers/{answer.pk}/accept/").status_code == 403
    page = text(member_client.get(f"/knowledge/{question.pk}/"))
    assert "Accept<span" in page
    response = member_client.post(f"/knowledge/{question.pk}/answers/{answer.pk}/accept/", headers=htmx("answers"))
    assert "✓ Accepted answer" in text(response)
    question.refresh_from_db()
    assert question.accepted_answer == answer


def test_an_empty_answer_is_refused_on_its_field(outsider_client, member):
    question = services.create_entry(by=member, kind="question", title="Why?")
    page = text(outsider_client.post(f"/knowledge/{question.pk}/answers/", {"body": "  "}, headers=htmx("answers")))
    assert "Write an answer." in page
    assert 'id="answer_body_error"' in page


# --- curating ------------------------------------------------------------------------------------


def test_the_review_queue_lists_my_due_entries_and_verifies_them(member_client, member, outsider, lesson):
    mine = due_entry(by=member)
    theirs = due_entry(by=outsider, title="Someone else's playbook")
    page = text(member_client.get("/knowledge/reviews/"))
    assert mine.title in page
    assert theirs.title not in page
    assert lesson.title not in page  # fresh
    response = member_client.post(f"/knowledge/{mine.pk}/verify/", headers=htmx(f"review-{mine.pk}"))
    row = text(response)
    assert row.lstrip().startswith(f'<li id="review-{mine.pk}"')
    assert "Verified. Next review on" in row
    mine.refresh_from_db()
    assert mine.freshness() == "fresh"
    assert mine.title not in text(member_client.get("/knowledge/reviews/"))


def test_marking_obsolete_needs_a_reason_and_restoring_brings_it_back(member_client, lesson):
    page = text(member_client.post(f"/knowledge/{lesson.pk}/obsolete/", {"reason": ""}))
    assert "Say why the entry is obsolete" in page
    member_client.post(f"/knowledge/{lesson.pk}/obsolete/", {"reason": "Superseded by expand/contract."})
    page = text(member_client.get(f"/knowledge/{lesson.pk}/"))
    assert "Obsolete since" in page
    assert "Superseded by expand/contract." in page
    assert "Restore: it is right again" in page
    member_client.post(f"/knowledge/{lesson.pk}/reinstate/")
    lesson.refresh_from_db()
    assert lesson.obsolete_at is None


def test_a_decision_moves_through_its_statuses(member_client, member, decision):
    member_client.post(f"/knowledge/{decision.pk}/status/", {"status": "accepted"})
    successor = services.create_entry(by=member, kind="decision", title="Use CockroachDB", decision="Cockroach.")
    services.set_decision_status(by=member, entry=successor, status="accepted")
    page = text(member_client.get(f"/knowledge/{decision.pk}/"))
    assert f'<option value="{successor.pk}">Use CockroachDB</option>' in page
    member_client.post(f"/knowledge/{decision.pk}/status/", {"status": "superseded", "superseded_by": successor.pk})
    decision.refresh_from_db()
    assert decision.status == "superseded"
    page = text(member_client.get(f"/knowledge/{decision.pk}/"))
    assert "This decision was superseded by" in page
    assert "Superseded by" in page
    # An impossible move is refused with a message, not a crash.
    response = member_client.post(f"/knowledge/{decision.pk}/status/", {"status": "accepted"}, follow=True)
    assert "can&#x27;t become accepted" in text(response)


# --- unsafe content ------------------------------------------------------------------------------

XSS_MARKDOWN = """Hello <script>alert('body')</script>

<img src=x onerror="alert('img')">

![pic](javascript:alert('src'))

[click me](javascript:alert('link')) and [docs](https://example.org/docs)
"""


class UnsafeMarkup(HTMLParser):
    """Collects what a browser would execute: script elements, on* handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                    ("javascript:", "data:")):
                self.problems.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script and "alert" in data:
            self.problems.append(f"<script>{data}</script>")


def unsafe_markup(page: str) -> list[str]:
    parser = UnsafeMarkup()
    parser.feed(page)
    return parser.problems


def test_markdown_never_reaches_the_page_unescaped(member_client, member):
    entry = services.create_entry(by=member, kind="question", title="<script>alert('title')</script>",
                                  body=XSS_MARKDOWN, tags=["<b>tag</b>"])
    services.add_answer(by=member, question=entry, body=XSS_MARKDOWN)
    decision = services.create_entry(by=member, kind="decision", title="D", context=XSS_MARKDOWN,
                                     decision=XSS_MARKDOWN, consequences=XSS_MARKDOWN, options=XSS_MARKDOWN)
    for path in [f"/knowledge/{entry.pk}/", f"/knowledge/{decision.pk}/", "/knowledge/?q=alert",
                 "/knowledge/?q=script", f"/knowledge/{entry.pk}/history/", "/"]:
        page = text(member_client.get(path))
        assert unsafe_markup(page) == [], path
        assert "<script>alert" not in page, path
        assert "<b>tag</b>" not in page, path
    page = text(member_client.get(f"/knowledge/{entry.pk}/"))
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in page
    assert '<a href="https://example.org/docs" rel="noopener noreferrer nofollow">docs</a>' in page
    # Every link rendered from Markdown carries rel=noopener.
    for link in re.findall(r'<div class="markdown">.*?</div>', page, flags=re.S):
        for anchor in re.findall(r"<a [^>]*>", link):
            assert 'rel="noopener noreferrer nofollow"' in anchor


def test_the_unsafe_markup_check_catches_what_it_should():
    assert unsafe_markup('<img src=x onerror="alert(1)"><a href="javascript:alert(2)">x</a><script>alert(3)</script>')\
        == ["<img onerror=…>", "<a href=javascript:alert(2)>", "<script>alert(3)</script>"]
    assert unsafe_markup("<p>&lt;img src=x onerror=alert(1)&gt; javascript:alert(2)</p>") == []


# --- bad form input: a message or a 400, never a 500 or a silent default --------------------------


def test_a_decision_status_form_with_bad_values_is_refused_with_a_message(member_client, decision):
    before = decision.status
    response = member_client.post(f"/knowledge/{decision.pk}/status/", {"status": "sideways"}, follow=True)
    assert "sideways is not a decision status" in text(response)
    response = member_client.post(f"/knowledge/{decision.pk}/status/",
                                  {"status": "superseded", "superseded_by": "the new one"}, follow=True)
    assert "Name the superseding entry by its number." in text(response)
    response = member_client.post(f"/knowledge/{decision.pk}/status/",
                                  {"status": "superseded", "superseded_by": str(10**30)}, follow=True)
    assert response.status_code == 200 and "Name the superseding entry by its number." in text(response)
    decision.refresh_from_db()
    assert decision.status == before


def test_the_similar_check_refuses_an_entry_that_is_not_a_number(member_client):
    response = member_client.post("/knowledge/similar/", {"title": "Deploys on Friday", "entry": "12; drop"})
    assert response.status_code == 400 and "Name the entry by its number." in text(response)
    assert member_client.post("/knowledge/similar/", {"title": "Deploys on Friday", "entry": "12"}).status_code == 200


def test_accepting_an_answer_with_an_unknown_action_changes_nothing(member_client, member, outsider):
    question = services.create_entry(by=member, kind="question", title="How do we rotate secrets?")
    answer = services.add_answer(by=outsider, question=question, body="Use the vault.")
    response = member_client.post(f"/knowledge/{question.pk}/answers/{answer.pk}/accept/", {"action": "maybe"})
    assert response.status_code == 400 and "Choose accept or clear." in text(response)
    question.refresh_from_db()
    assert question.accepted_answer is None


def test_an_answer_edit_with_a_nul_keeps_the_text_and_says_why(outsider_client, member, outsider):
    question = services.create_entry(by=member, kind="question", title="Why?")
    answer = services.add_answer(by=outsider, question=question, body="Because.")
    page = text(outsider_client.post(f"/knowledge/{question.pk}/answers/{answer.pk}/edit/",
                                     {"body": "Because\x00 of it."}, headers=htmx("answers")))
    assert "NUL character" in page
    answer.refresh_from_db()
    assert answer.body == "Because."
