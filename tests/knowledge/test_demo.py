"""The demo's knowledge base: about 400 believable entries with history, reuse and Q&A.

The demo is built twice for the whole module (it takes seconds): once to look at, and once
more to check the same seed gives the same knowledge base. The tests read the facts gathered
from those builds; the database is emptied afterwards.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learnloop.activity.models import ActivityEvent
from learnloop.demo import build_demo
from learnloop.knowledge import demo_daily
from learnloop.knowledge.models import (
    Answer,
    AnswerVote,
    Application,
    Entry,
    EntryLink,
    EntryTemplate,
    EntryVersion,
    Feedback,
    Follow,
    Notification,
    Provenance,
)
from learnloop.knowledge.permissions import can_view
from learnloop.org.models import Membership

# The mark makes pytest-django set up the test database before the module's fixture uses it
# (it only sets up databases that marked tests need).
pytestmark = pytest.mark.django_db


def knowledge_state() -> dict:
    """Everything the demo's knowledge base is made of, by ids and natural keys."""
    return {
        "entries": list(Entry.objects.order_by("id").values_list(
            "id", "kind", "title", "body", "context", "options", "decision", "consequences", "status",
            "superseded_by", "accepted_answer", "author__email", "owner_person__email", "owner_team__slug",
            "visibility", "review_interval_days", "last_verified_at", "last_verified_by__email", "review_due_at",
            "obsolete_at", "obsolete_reason", "application_count", "version", "created_at", "updated_at")),
        "tags": sorted(Entry.tags.through.objects.values_list("entry_id", "tag__name")),
        "teams": sorted(Entry.teams.through.objects.values_list("entry_id", "team__slug")),
        "versions": list(EntryVersion.objects.order_by("id").values_list(
            "entry_id", "number", "content", "changed_by__email", "change_note", "created_at")),
        "applications": list(Application.objects.order_by("id").values_list(
            "entry_id", "person__email", "context", "applied_on", "outcome", "note", "created_at")),
        "answers": list(Answer.objects.order_by("id").values_list("question_id", "author__email", "body",
                                                                  "created_at")),
        "feedback": list(Feedback.objects.order_by("id").values_list("entry_id", "person__email", "helpful",
                                                                     "comment", "created_at")),
        "links": list(EntryLink.objects.order_by("id").values_list("source_id", "target_id", "kind",
                                                                   "created_by__email", "created_at")),
        "provenance": list(Provenance.objects.order_by("id").values_list("entry_id", "source_type", "source_id",
                                                                         "label", "created_at")),
        "activity": list(ActivityEvent.objects.filter(subject_type="knowledge.entry").order_by("id").values_list(
            "verb", "subject_id", "actor__email", "team__slug", "data", "created_at")),
    }


def gather_facts() -> dict:
    entries = list(Entry.objects.select_related("author", "owner_person", "owner_team", "superseded_by",
                                                "accepted_answer").prefetch_related("teams", "versions"))
    team_members = {}
    for membership in Membership.objects.all():
        team_members.setdefault(membership.team_id, set()).add(membership.person_id)
    hidden = [entry for entry in entries if entry.visibility == "team"]
    return {
        "now": timezone.now(),
        "entries": entries,
        "freshness": Counter(entry.freshness() for entry in entries),
        "applications": list(Application.objects.select_related("person", "entry")),
        "feedback": list(Feedback.objects.select_related("person", "entry")),
        "answers": list(Answer.objects.all()),
        "links": Counter(EntryLink.objects.values_list("kind", flat=True)),
        "activity": list(ActivityEvent.objects.filter(subject_type="knowledge.entry").select_related("actor")),
        "provenance": Counter(Provenance.objects.values_list("source_type", flat=True)),
        "team_members": team_members,
        # Who reused or rated team-only entries, and whether they may see them.
        "hidden_reuse": [
            can_view(row.person, row.entry)
            for row in [*Application.objects.filter(entry__in=hidden).select_related("person", "entry"),
                        *Feedback.objects.filter(entry__in=hidden).select_related("person", "entry")]
        ],
        "hidden_count": len(hidden),
        "daily": {
            "follows": Follow.objects.count(),
            "votes": AnswerVote.objects.count(),
            "unanswered": Entry.objects.filter(kind="question").exclude(answers__isnull=False).count(),
            "notifications": Counter(Notification.objects.values_list("kind", flat=True)),
            "unread": Notification.objects.filter(read_at__isnull=True).count(),
            "templates": Counter(EntryTemplate.objects.values_list("team__slug", flat=True)),
            "queued_emails": DBTaskResult.objects.filter(task_path__contains="send_notification_email").count(),
        },
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        # The demo empties the database it runs on: make sure it is the test database.
        name = str(connection.settings_dict["NAME"])
        assert name.startswith("test") or "memory" in name or "/test_" in name, name
        try:
            build_demo(seed=42, only=("org", "knowledge"))
            facts = gather_facts()
            facts["state"] = knowledge_state()
            build_demo(seed=42, only=("org", "knowledge"))
            facts["rebuilt"] = knowledge_state()
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return facts


def test_about_400_entries_of_every_kind(demo):
    entries = demo["entries"]
    assert 380 <= len(entries) <= 425  # with the few recent unanswered questions (demo_daily)
    kinds = Counter(entry.kind for entry in entries)
    assert kinds["lesson"] >= 0.35 * len(entries)
    assert kinds["playbook"] >= 30 and kinds["decision"] >= 30 and kinds["question"] >= 60
    titles = {entry.title for entry in entries}
    assert {"Roll back database migrations in two steps", "Rotating the payments API keys"} <= titles
    assert len(titles) == len(entries)


def test_every_team_has_its_share(demo):
    owned = Counter(team.slug for entry in demo["entries"] for team in entry.teams.all())
    assert len(owned) == 12
    assert min(owned.values()) >= 25


def test_every_entry_has_an_owner_and_a_history_of_versions(demo):
    for entry in demo["entries"]:
        assert entry.owner is not None
        numbers = sorted(version.number for version in entry.versions.all())
        assert numbers == list(range(1, entry.version + 1)), entry
        assert all(version.change_note for version in entry.versions.all()), entry
        # The text people read is the finished text: no draft markers or leftover TODOs.
        assert not entry.title.startswith("Draft:") and "TODO" not in entry.body
    histories = Counter(entry.version for entry in demo["entries"])
    assert sum(count for version, count in histories.items() if version >= 2) >= 60
    assert max(histories) == 6


def test_entries_were_written_over_two_years(demo):
    created = sorted(entry.created_at for entry in demo["entries"])
    today = demo["now"]
    assert created[0] >= today - timedelta(days=732)
    assert created[-1] < today
    assert (created[-1] - created[0]).days >= 600
    # ... and everything that happened to them happened then, by real people.
    for event in demo["activity"]:
        assert today - timedelta(days=732) <= event.created_at < today
    created_events = {int(event.subject_id): event for event in demo["activity"] if event.verb == "created"}
    for entry in demo["entries"]:
        assert created_events[entry.pk].created_at == entry.created_at
        assert created_events[entry.pk].actor == entry.author
    edits = sum(1 for event in demo["activity"] if event.verb == "edited")
    assert edits >= sum(entry.version - 1 for entry in demo["entries"])


def test_freshness_is_mostly_fresh_with_due_stale_and_obsolete_entries(demo):
    share = {state: count / len(demo["entries"]) for state, count in demo["freshness"].items()}
    assert 0.60 <= share["fresh"] <= 0.80
    assert 0.10 <= share["due"] <= 0.20
    assert 0.05 <= share["stale"] <= 0.15
    assert 0.03 <= share["obsolete"] <= 0.08
    assert all(entry.obsolete_reason for entry in demo["entries"] if entry.obsolete_at)


def test_questions_have_answers_and_most_have_an_accepted_one(demo):
    unanswered = {title for _team, title, _body, _days in demo_daily.UNANSWERED}
    questions = [entry for entry in demo["entries"] if entry.kind == "question" and entry.title not in unanswered]
    answers = Counter(answer.question_id for answer in demo["answers"])
    assert all(1 <= answers[question.pk] <= 3 for question in questions)
    accepted = [question for question in questions if question.accepted_answer_id]
    assert len(accepted) >= 0.6 * len(questions)
    assert all(question.accepted_answer.question_id == question.pk for question in accepted)
    by_id = {question.pk: question for question in questions}
    assert all(answer.author_id != by_id[answer.question_id].author_id for answer in demo["answers"])


def test_decision_records_are_valid_and_one_chain_is_superseded_twice(demo):
    decisions = {entry.pk: entry for entry in demo["entries"] if entry.kind == "decision"}
    statuses = Counter(entry.status for entry in decisions.values())
    assert {"accepted", "superseded", "proposed", "deprecated"} <= set(statuses)
    for entry in decisions.values():
        assert entry.decision.strip() and entry.context.strip()
        if entry.status == "superseded":
            successor = entry.superseded_by
            assert successor.kind == "decision" and successor.status in {"accepted", "superseded"}
            assert successor.created_at > entry.created_at
        else:
            assert entry.superseded_by is None
    successors = {entry.superseded_by_id for entry in decisions.values() if entry.superseded_by_id}
    assert any(decisions[pk].status == "superseded" for pk in successors)  # a chain of three
    assert demo["links"]["supersedes"] == statuses["superseded"]


def test_entries_are_reused_across_teams_and_rated(demo):
    applications = demo["applications"]
    assert len(applications) >= 250
    counts = Counter(application.entry_id for application in applications)
    assert all(entry.application_count == counts[entry.pk] for entry in demo["entries"])
    outside = [
        application for application in applications
        if not any(application.person_id in demo["team_members"].get(team.pk, set())
                   for team in application.entry.teams.all())
    ]
    assert len(outside) >= 0.5 * len(applications)
    assert set(Counter(application.outcome for application in applications)) == {
        "worked", "partly", "did_not_work", "too_early"}
    assert all(application.applied_on >= application.entry.created_at.date() for application in applications)
    assert len(demo["feedback"]) >= 300
    assert 0.7 <= sum(feedback.helpful for feedback in demo["feedback"]) / len(demo["feedback"]) <= 0.95


def test_team_only_entries_exist_and_only_their_teams_use_them(demo):
    assert demo["hidden_count"] >= 5
    assert demo["hidden_reuse"] and all(demo["hidden_reuse"])


def test_links_history_and_provenance_make_it_look_lived_in(demo):
    assert demo["links"]["related"] >= 40 and demo["links"]["contradicts"] >= 5
    assert demo["provenance"]["retro"] >= 100 and demo["provenance"]["import"] >= 5
    leavers = [entry for entry in demo["entries"] if not entry.author.is_active]
    assert leavers and all(entry.created_at < entry.author.deactivated_at for entry in leavers)
    assert all(entry.owner_team_id for entry in leavers)


def test_the_same_seed_gives_the_same_knowledge_base(demo):
    first, second = demo["state"], demo["rebuilt"]
    for part in first:
        assert first[part] == second[part], part


def test_knowledge_in_daily_use(demo):
    """Followed entries with news, votes on answers, an unanswered queue and review reminders."""
    daily = demo["daily"]
    assert daily["follows"] >= 60 and daily["votes"] >= 50
    assert daily["unanswered"] >= len(demo_daily.UNANSWERED)
    kinds = daily["notifications"]
    assert all(kinds[kind] > 0 for kind in ("entry_review", "entry_answer", "entry_comment", "entry_followed"))
    assert 0 < daily["unread"] < sum(kinds.values())
    assert daily["queued_emails"] == 0  # a replayed history mails nobody
    assert daily["templates"][None] >= 2 and daily["templates"]["platform"] >= 1
