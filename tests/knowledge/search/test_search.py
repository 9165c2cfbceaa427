"""What people rely on when they search the knowledge base, on every backend."""

import pytest
from django.utils import timezone

from learnloop.knowledge import search, services
from learnloop.knowledge.search import SearchFilters
from tests import factories
from tests.knowledge.search.helpers import aged, facet, find, ids, titles, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(db):
    return factories.person(full_name="Ana Author")


@pytest.fixture
def reader(db):
    return factories.person(full_name="Rui Reader")


# --- finding ---------------------------------------------------------------------------------------


def test_a_known_item_comes_first_even_when_one_query_word_is_wrong(author, reader):
    target = write(author, "Roll back database migrations in two steps",
                   "Ship the code change first, then the schema change, so a rollback never needs the old schema.")
    write(author, "Kubernetes pod eviction", "Evicted pods lose their local volumes.")
    write(author, "Database backups", "Test restores every month.")
    write(author, "Schema reviews", "Every migration gets a second reviewer.")
    for number in range(6):
        write(author, f"Unrelated note {number}", "Coffee machine descaling schedule.")
    # "kubernetes" is not in the target: requiring every word would find nothing at all.
    results = find(reader, "rollback database migrations kubernetes")
    assert results.hits[0].entry == target
    assert "Kubernetes pod eviction" in titles(results)


def test_an_entry_about_the_rare_word_beats_one_holding_more_of_the_common_words(author, reader):
    # Relevance, not the count of matched words, decides: "weekly" and "notes" are in almost
    # every entry and say nothing; the one entry about Kafka is what the reader wants.
    kafka = write(author, "Kafka consumer lag", "Kafka consumers lag when a partition is rebalanced.")
    diary = write(author, "Weekly notes", "Weekly notes from the team sync.")
    for number in range(12):
        write(author, f"Weekly notes {number}", "Weekly notes: nothing unusual.")
    ranked = ids(find(reader, "kafka weekly notes"))
    assert ranked[0] == kafka.pk and diary.pk in ranked


def test_words_are_matched_by_their_stem(author, reader):
    entry = write(author, "Deployments need a rollback plan", "Write it before deploying.")
    for query in ("deploy", "deployment", "DEPLOYED", "deploys"):
        assert ids(find(reader, query)) == [entry.pk], query


def test_a_compound_word_finds_its_spaced_form_and_the_other_way_round(author, reader):
    spaced = write(author, "Roll back the payout service", "Use the deploy tool to roll back in one step.")
    joined = write(author, "Runbook for the payout batch", "Where the runbook lives and who owns it.")
    write(author, "Back pressure in the queue", "Slow consumers push back on producers.")
    write(author, "Book a room for the offsite", "Rooms fill up a month ahead.")

    results = find(reader, "rollback payout")
    assert titles(results)[0] == spaced.title
    assert "<mark>Roll</mark> <mark>back</mark>" in results.hits[0].title_html
    assert titles(find(reader, "run book payout"))[0] == joined.title
    assert "<mark>Runbook</mark>" in find(reader, "run book").hits[0].title_html
    # A word the index knows is never split: "book" alone finds only what says "book".
    assert titles(find(reader, "book")) == ["Book a room for the offsite"]


def test_short_adjacent_words_are_never_joined_into_an_unrelated_word(author, reader):
    # "Robot OS" is no compound of "roboto", "no C" none of "noc".
    robot = write(author, "Robot OS drivers", "Drivers for the robot OS on the arm.")
    font = write(author, "Roboto font", "The slides use Roboto.")
    noc = write(author, "NOC rota", "Who staffs the noc at night.")
    found = ids(find(reader, "Robot OS"))
    assert found[0] == robot.pk and font.pk not in found
    assert noc.pk not in ids(find(reader, "no C"))


def test_a_joined_compound_counts_once_not_once_per_word(author, reader):
    from learnloop.knowledge.search.indexing import backend
    from learnloop.knowledge.search.query import query_slots

    write(author, "Runbook for the payout batch", "Where the runbook lives.")
    write(author, "Run the book club", "A book to run through.")
    slots, _ = query_slots(backend(), "run book", False)
    assert sum("runbook" in slot for slot in slots) == 1


@pytest.mark.parametrize(
    ("query", "title", "decoy"),
    [
        ("__dir__", "Override __dir__ for lazy modules", "The dir of the build output"),
        ("snake_case", "Use snake_case for columns", "Case study: a snake in the server room"),
        ("os.path.join", "Prefer os.path.join over string concatenation", "Join the path of the OS team"),
        ("C++", "C++ build times", "Plan C for the build"),
        (".NET", ".NET runtime upgrade", "The net result of the upgrade"),
    ],
)
def test_an_identifier_finds_the_entry_that_names_it_first(author, reader, query, title, decoy):
    named = write(author, title, "More in the linked page.")
    write(author, decoy, "More in the linked page.")
    found = ids(find(reader, query))
    assert found[0] == named.pk, query


def test_identifiers_are_found_by_their_parts(author, reader):
    entry = write(author, "Rename snake_case fields in CamelCase models", "See os.path.join and __dir__.")
    for query in ("snake case", "camel", "case", "path join", "dir", "CamelCase", "camelcase"):
        assert entry.pk in ids(find(reader, query)), query


def test_an_entry_with_the_query_words_together_ranks_above_one_with_them_apart(author, reader):
    # Same words, same counts, same length: BM25 ties them, and a tie goes to the older entry.
    apart = write(author, "Matrix notes",
                  "The eigenvalue was slow; the matrices were large and sparse, a decomposition.")
    together = write(author, "Matrix notes",
                     "The eigenvalue decomposition was slow; the matrices were large and sparse, a.")
    assert ids(find(reader, "eigenvalue decomposition")) == [together.pk, apart.pk]
    # A page shorter than the re-ordered head reads the openings on their own: the same order.
    assert ids(find(reader, "eigenvalue decomposition", per_page=1)) == [together.pk]
    assert ids(find(reader, "eigenvalue decomposition", per_page=1, page=2)) == [apart.pk]
    # One word alone has no neighbours to be near: the tie stands.
    assert ids(find(reader, "eigenvalue")) == [apart.pk, together.pk]


def test_the_first_page_reads_each_long_body_once(author, reader):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    long_body = "The eigenvalue decomposition was slow. " + "Notes from the incident diary. " * 2000
    for number in range(3):
        write(author, f"Matrix notes {number}", long_body)

    find(reader, "matrix")  # brings the index up to date (it reads the new entries' texts)

    def entry_reads(**options) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert len(find(reader, "eigenvalue decomposition", **options).hits) == min(3, options["per_page"])
        return sum('"body"' in query["sql"] or "substr(body" in query["sql"] for query in captured.captured_queries)

    # Proximity reads the first results' openings; on the first page they are the page's own
    # entries, read once with it. A page of one reads the openings and then its entry.
    assert entry_reads(per_page=1) == 2
    assert entry_reads(per_page=20) == 1


def test_a_match_in_the_title_ranks_above_the_same_match_in_a_body_as_long(author, reader):
    in_title = write(author, "Kafka partitions", "Notes on the consumer groups and what we learned.")
    in_body = write(author, "Consumer notes", "Notes on the kafka partitions and what we learned.")
    assert ids(find(reader, "kafka"))[:2] == [in_title.pk, in_body.pk]


def test_every_field_a_reader_searches_by_is_searchable(author, reader):
    decision = write(author, "Ledger storage", "We pick PostgreSQL for ledgers.", kind="decision",
                     context="Auditors need serializable transactions.", tags=["finance"])
    assert ids(find(reader, "auditors")) == [decision.pk]
    assert ids(find(reader, "serializable")) == [decision.pk]
    assert ids(find(reader, "finance")) == [decision.pk]


def test_stale_and_obsolete_entries_are_demoted_but_obsolete_ones_stay_findable(author, reader):
    obsolete = write(author, "Rotate the signing keys", "Rotate the signing keys every quarter.")
    services.mark_obsolete(by=author, entry=obsolete, reason="Keys rotate automatically now.")
    stale = aged(author, "Rotate the signing keys", "Rotate the signing keys every quarter.", days_overdue=90)
    due = aged(author, "Rotate the signing keys", "Rotate the signing keys every quarter.", days_overdue=5)
    fresh = write(author, "Rotate the signing keys", "Rotate the signing keys every quarter.")
    assert ids(find(reader, "rotate signing keys")) == [fresh.pk, due.pk, stale.pk, obsolete.pk]
    assert ids(find(reader, "signing")) == [fresh.pk, due.pk, stale.pk, obsolete.pk]


def test_an_obsolete_entry_sinks_below_a_weaker_live_match_of_as_many_words(author, reader):
    obsolete = write(author, "Incident review template", "Incident review template for every incident review.")
    services.mark_obsolete(by=author, entry=obsolete, reason="Replaced.")
    live = write(author, "Review checklist", "What an incident review covers, with a short checklist and examples.")
    assert ids(find(reader, "incident review")) == [live.pk, obsolete.pk]


def test_reuse_orders_entries_that_are_otherwise_equal(author, reader):
    first = write(author, "Pair on risky refactors", "Pairing catches mistakes in risky refactors.")
    applied = write(author, "Pair on risky refactors", "Pairing catches mistakes in risky refactors.")
    assert ids(find(reader, "risky refactors")) == [first.pk, applied.pk]  # equal: older id first
    services.record_application(by=reader, entry=applied, context="Billing rewrite")
    assert ids(find(reader, "risky refactors")) == [applied.pk, first.pk]


def test_reuse_never_beats_a_clearly_better_match(author, reader):
    better = write(author, "Feature flags for risky launches", "Use feature flags for every risky launch.")
    popular = write(author, "Launch checklist", "Steps before a launch.")
    for number in range(5):
        services.record_application(by=reader, entry=popular, context=f"Launch {number}")
    assert ids(find(reader, "feature flags launch")) == [better.pk, popular.pk]


# --- filters and facets ----------------------------------------------------------------------------


@pytest.fixture
def catalogue(author, reader, team):
    other_author = factories.person(full_name="Bo Builder")
    entries = {
        "lesson": write(author, "Cache warmup lesson", "Warm the cache before traffic.", tags=["caching", "ops"]),
        "playbook": write(other_author, "Cache flush playbook", "Flush the cache in this order.", kind="playbook",
                          tags=["caching"], owner_team=team),
        "decision": write(author, "Cache store decision", "Redis for the cache.", kind="decision", teams=[team]),
        "question": write(other_author, "Why is the cache cold?", "After deploys the cache is cold.",
                          kind="question", tags=["ops"]),
        "stale": aged(author, "Cache sizing lesson", "Size the cache for peak.", days_overdue=60),
    }
    services.mark_obsolete(by=other_author, entry=entries["question"], reason="Answered elsewhere.")
    return entries, other_author


def test_facets_count_the_result_set(catalogue, reader, author, team):
    _, other_author = catalogue
    results = find(reader, "cache")
    assert results.total == 5
    assert facet(results, "kind") == {"lesson": 2, "playbook": 1, "decision": 1, "question": 1}
    assert facet(results, "tag") == {"caching": 2, "ops": 2}
    assert facet(results, "team") == {str(team.pk): 2}
    assert facet(results, "state") == {"fresh": 3, "stale": 1, "obsolete": 1, "due": 0}
    assert facet(results, "author") == {str(author.pk): 3, str(other_author.pk): 2}
    labels = {item.value: item.label for item in results.facets["author"]}
    assert labels[str(author.pk)] == "Ana Author"
    assert {item.value: item.label for item in results.facets["team"]} == {str(team.pk): "Payments"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (lambda team, a, o: SearchFilters(kinds=("lesson",)), {"lesson", "stale"}),
        (lambda team, a, o: SearchFilters(kinds=("playbook", "decision")), {"playbook", "decision"}),
        (lambda team, a, o: SearchFilters(team_ids=(team.pk,)), {"playbook", "decision"}),
        (lambda team, a, o: SearchFilters(tags=("caching",)), {"lesson", "playbook"}),
        (lambda team, a, o: SearchFilters(tags=("Caching", "ops")), {"lesson", "playbook", "question"}),
        (lambda team, a, o: SearchFilters(states=("fresh",)), {"lesson", "playbook", "decision"}),
        (lambda team, a, o: SearchFilters(states=("stale", "obsolete")), {"stale", "question"}),
        (lambda team, a, o: SearchFilters(states=("due",)), set()),
        (lambda team, a, o: SearchFilters(author_ids=(o.pk,)), {"playbook", "question"}),
        (lambda team, a, o: SearchFilters(kinds=("lesson",), author_ids=(a.pk,), states=("fresh",)), {"lesson"}),
        (lambda team, a, o: SearchFilters(kinds=("bogus",)), set()),
        (lambda team, a, o: SearchFilters(team_ids=("not a number",)), set()),
    ],
)
def test_each_filter_narrows_the_results_in_search_and_in_browse(catalogue, reader, author, team, filters, expected):
    entries, other_author = catalogue
    chosen = filters(team, author, other_author)
    names = {entry.pk: name for name, entry in entries.items()}
    for query in ("cache", ""):
        results = find(reader, query, filters=chosen)
        assert {names[pk] for pk in ids(results)} == expected, query
        assert results.total == len(expected)


def test_facets_mark_the_chosen_values_and_count_within_them(catalogue, reader):
    results = find(reader, "cache", filters=SearchFilters(kinds=("lesson",), tags=("bogus",)))
    assert results.total == 0
    assert [(item.value, item.count, item.selected) for item in results.facets["kind"]] == [("lesson", 0, True)]
    results = find(reader, "cache", filters=SearchFilters(kinds=("lesson",)))
    assert facet(results, "kind") == {"lesson": 2}
    assert facet(results, "state") == {"fresh": 1, "due": 0, "stale": 1, "obsolete": 0}


def test_browsing_without_a_query_orders_by_freshness_then_reuse_then_recency(author, reader):
    obsolete = write(author, "Old way")
    services.mark_obsolete(by=author, entry=obsolete, reason="Gone.")
    stale = aged(author, "Stale way", days_overdue=90)
    older = write(author, "Older fresh way")
    newer = write(author, "Newer fresh way")
    reused = write(author, "Reused fresh way")
    services.record_application(by=reader, entry=reused, context="Here")
    results = find(reader, "   ")
    assert results.mode == "browse"
    assert ids(results) == [reused.pk, newer.pk, older.pk, stale.pk, obsolete.pk]
    assert facet(results, "state") == {"fresh": 3, "due": 0, "stale": 1, "obsolete": 1}


def test_pages_cover_the_results_once_each(author, reader):
    created = {write(author, f"Retry budget note {number}", "Retries need a budget.").pk for number in range(25)}
    seen = []
    first = find(reader, "retry budget", per_page=10)
    assert (first.total, first.pages) == (25, 3)
    for page in (1, 2, 3):
        results = find(reader, "retry budget", page=page, per_page=10)
        seen.extend(ids(results))
        assert len(ids(results)) == (10 if page < 3 else 5)
    assert sorted(seen) == sorted(created)
    assert find(reader, "retry budget", page=4, per_page=10).hits == []


# --- visibility ------------------------------------------------------------------------------------


@pytest.fixture
def secret(team, author):
    return write(author, "Payments fraud thresholds", "The fraud thresholds we tuned for card payments.",
                 visibility="team", teams=[team], tags=["fraud-only"])


def test_a_team_only_entry_never_reaches_an_outsider(secret, author, reader, team):
    public = write(author, "Payments fraud reviews", "How fraud reviews of card payments work.")
    for query in ("fraud thresholds payments", "fraud", "", "thresholds"):
        results = find(reader, query)
        assert secret.pk not in ids(results), query
        assert "fraud-only" not in facet(results, "tag")
        assert str(team.pk) not in facet(results, "team")
        assert results.total == (1 if query in ("fraud thresholds payments", "fraud", "") else 0)
    assert find(reader, "", filters=SearchFilters(team_ids=(team.pk,))).total == 0
    assert find(reader, "fraud", filters=SearchFilters(tags=("fraud-only",))).total == 0
    assert secret not in search.related_entries(viewer=reader, entry=public)
    similar = search.similar_entries(viewer=reader, title="Payments fraud thresholds",
                                     body="The fraud thresholds we tuned for card payments.")
    assert secret not in [entry for entry, _ in similar]


def test_a_team_only_entry_reaches_its_team_and_its_author(secret, author, team):
    colleague = factories.person()
    factories.membership(colleague, team)
    outsider_author_view = find(author, "fraud thresholds")
    assert ids(outsider_author_view) == [secret.pk]
    results = find(colleague, "fraud thresholds")
    assert ids(results) == [secret.pk]
    assert facet(results, "tag") == {"fraud-only": 1}
    similar = search.similar_entries(viewer=colleague, title="Fraud thresholds for card payments")
    assert [entry for entry, _ in similar] == [secret]


def test_losing_team_membership_or_visibility_changes_take_effect(secret, author, team, reader):
    membership = factories.membership(reader, team)
    assert ids(find(reader, "fraud")) == [secret.pk]
    membership.delete()
    reader = type(reader).objects.get(pk=reader.pk)
    assert ids(find(reader, "fraud")) == []
    services.update_entry(by=author, entry=secret, visibility="everyone")
    assert ids(find(reader, "fraud")) == [secret.pk]


def test_nobody_signed_out_or_deactivated_finds_anything(author):
    from django.contrib.auth.models import AnonymousUser

    write(author, "Public lesson", "Anyone may read this.")
    assert find(AnonymousUser(), "public").hits == []
    gone = factories.person(is_active=False, deactivated_at=timezone.now())
    assert find(gone, "public").total == 0
    assert find(gone, "").total == 0


# --- keeping up with changes -----------------------------------------------------------------------


def test_edits_are_searchable_at_once_and_old_words_stop_matching(author, reader):
    entry = write(author, "Flaky test triage", "Quarantine flaky tests within a day.")
    services.update_entry(by=author, entry=entry, title="Intermittent test triage",
                          body="Quarantine intermittent tests within a day.")
    assert ids(find(reader, "intermittent")) == [entry.pk]
    assert ids(find(reader, "flaky")) == []
    services.update_entry(by=author, entry=entry, tags=["testing"])
    assert facet(find(reader, "intermittent"), "tag") == {"testing": 1}


def test_obsoleting_and_restoring_move_an_entry_between_states(author, reader):
    entry = write(author, "Blue green deploys", "Switch traffic between two environments.")
    services.mark_obsolete(by=author, entry=entry, reason="We use canaries.")
    assert ids(find(reader, "deploys", filters=SearchFilters(states=("obsolete",)))) == [entry.pk]
    services.restore_from_obsolete(by=author, entry=entry)
    assert ids(find(reader, "deploys", filters=SearchFilters(states=("fresh",)))) == [entry.pk]


def test_answers_make_a_question_findable_by_their_words(author, reader):
    question = write(author, "Why do builds time out?", "Only on Mondays.", kind="question")
    answer = services.add_answer(by=reader, question=question, body="The artifact cache expires on Sundays.")
    assert ids(find(reader, "artifact expires")) == [question.pk]
    services.edit_answer(by=reader, answer=answer, body="The dependency mirror restarts on Sundays.")
    assert ids(find(reader, "mirror")) == [question.pk]
    assert ids(find(reader, "artifact")) == []


# --- whatever people type ----------------------------------------------------------------------------

ADVERSARIAL = [
    '"rollback plan"', '"unbalanced', "rollback AND plan", "rollback OR NOT plan", "NOT", "title:rollback",
    "body:(plan", "(((", "rollback)", "*", "roll*", "\\", "\\\\rollback", "rollback~2", "rollback^10",
    "+rollback -plan",
    "🚀 rollback 🔥", "🚀🔥", "the of and", "a", "", " ", "'; DROP TABLE knowledge_entry; --", "%", "_",
    "rollback\x00plan", "[rollback]", "{plan}", "rollback:", ":", "field:", "ロールバック", "x" * 10_000,
    "rollback " * 2_000, "déploiement", "<script>alert(1)</script>",
]


@pytest.mark.parametrize("query", ADVERSARIAL)
def test_no_query_is_an_error(author, reader, query):
    entry = write(author, "Rollback plan", "Every deploy has a rollback plan.")
    for as_you_type in (False, True):
        results = find(reader, query, as_you_type=as_you_type)
        assert results.total == len(results.hits)
        assert all(hit.entry.pk == entry.pk for hit in results.hits)
    if "rollback" in query.lower() or "plan" in query:
        assert ids(find(reader, query)) == [entry.pk]


def test_a_query_of_only_stop_words_or_symbols_finds_nothing_rather_than_everything(author, reader):
    write(author, "Rollback plan", "Every deploy has a rollback plan.")
    for query in ("the of and", "!!!", "🚀"):
        results = find(reader, query)
        assert (results.mode, results.total, results.hits) == ("empty", 0, [])


def test_search_as_you_type_completes_the_last_word(author, reader):
    entry = write(author, "Database failover drill", "Practise the failover every quarter.")
    write(author, "Dashboard colours", "Use the shared palette.")
    assert ids(find(reader, "failover datab", as_you_type=True)) == [entry.pk]
    assert ids(find(reader, "datab", as_you_type=True)) == [entry.pk]
    assert ids(find(reader, "datab")) == []  # without as-you-type a fragment is just a word
    assert ids(find(reader, "failover drills", as_you_type=True)) == [entry.pk]


# --- what comes back -------------------------------------------------------------------------------


def test_titles_and_snippets_highlight_the_matches(author, reader):
    write(author, "Retries with jitter", "Add jitter to retries so clients do not retry in lockstep.")
    hit = find(reader, "retry jitter").hits[0]
    assert hit.title_html == "<mark>Retries</mark> with <mark>jitter</mark>"
    assert "<mark>jitter</mark>" in hit.snippet_html and "<mark>retry</mark>" in hit.snippet_html


def test_snippets_show_the_words_a_reader_sees_not_the_markdown(author, reader):
    write(author, "Recovering a stuck pipeline",
          "**When:** a deploy hangs.\n\n1. Open [Argo CD](https://argo.example).\n2. Roll back with `hl deploy`.")
    snippet = find(reader, "deploy argo").hits[0].snippet_html
    assert snippet == ("When: a <mark>deploy</mark> hangs. Open <mark>Argo</mark> CD. Roll back with hl "
                       "<mark>deploy</mark>.")


def test_markup_in_an_entry_never_comes_through_unescaped(author, reader):
    write(author, "<script>alert('x')</script> deploy notes",
          "<img src=x onerror=alert(1)> deploy <b>bold</b> & more")
    for results in (find(reader, "deploy"), find(reader, "")):
        hit = results.hits[0]
        for html in (hit.title_html, hit.snippet_html):
            without_marks = html.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in without_marks and ">" not in without_marks
        assert "&lt;script&gt;" in hit.title_html
        assert "&lt;img src=x onerror=alert(1)&gt;" in hit.snippet_html


def test_a_long_entry_gets_a_short_snippet_around_its_first_match_with_payloads_escaped(author, reader):
    body = "Routine notes about the weekly sync. " * 1400 + (
        "Then the **Kafka** consumers <img src=x onerror=alert(1)> lagged for an hour.")
    write(author, "A long incident diary", body)
    snippet = find(reader, "kafka consumer").hits[0].snippet_html
    assert len(body) > 50_000
    assert "<mark>Kafka</mark> <mark>consumers</mark>" in snippet  # markdown removed, stems matched
    assert "&lt;img src=x onerror=alert(1)&gt;" in snippet and "<img" not in snippet
    assert snippet.startswith("…") and len(snippet) < 400


def test_best_entry_ids_are_the_first_hits_of_the_same_search(secret, author, reader, team):
    # The survey report's suggestions ask for ids only; they must be what the search lists.
    for number in range(6):
        write(author, f"Payments fraud playbook {number}", "Fraud review steps " * (number + 1), kind="playbook")
    write(author, "Payments fraud lesson", "A lesson, not a playbook.")
    playbooks = SearchFilters(kinds=("playbook",))
    for viewer in (reader, author):
        for query, filters in (("fraud payments", playbooks), ("fraud thresholds", SearchFilters()), ("", playbooks)):
            expected = ids(find(viewer, query, filters=filters, per_page=3, with_facets=False))
            assert search.best_entry_ids(viewer=viewer, query=query, filters=filters, limit=3) == expected
    assert secret.pk in search.best_entry_ids(viewer=author, query="fraud thresholds", limit=3)
    assert secret.pk not in search.best_entry_ids(viewer=reader, query="fraud thresholds", limit=3)


# --- what a hit carries ----------------------------------------------------------------------------


def test_a_hit_holds_the_entry_as_the_database_has_it_with_its_people_and_team_loaded(
    author, reader, django_assert_num_queries
):
    from learnloop.knowledge.models import Entry

    team = factories.team(name="Platform")
    by_person = write(author, "Canary releases for the billing service", "Ship to one percent first.",
                      tags=["deploys"])
    by_team = write(author, "Canary checklist", "Watch the error budget.", owner_team=team, owner_person=None)
    results = find(reader, "canary")
    assert sorted(ids(results)) == sorted([by_person.pk, by_team.pk])
    for found in results.hits:
        stored = Entry.objects.select_related("author", "owner_person", "owner_team").get(pk=found.entry.pk)
        for field in Entry._meta.concrete_fields:  # every value, time zones included
            assert getattr(found.entry, field.attname) == getattr(stored, field.attname), field.name
        assert found.entry.created_at.utcoffset() is not None
        with django_assert_num_queries(0):  # what the page and the API show, without a query per hit
            shown = (found.entry.author.full_name, found.entry.author.email, found.entry.known_tag_names,
                     found.entry.owner_person and found.entry.owner_person.full_name,
                     found.entry.owner_team and (found.entry.owner_team.name, found.entry.owner_team.slug))
        assert shown == (
            "Ana Author", stored.author.email, sorted(tag.name for tag in stored.tags.all()),
            stored.owner_person and stored.owner_person.full_name,
            stored.owner_team and (stored.owner_team.name, stored.owner_team.slug),
        )
