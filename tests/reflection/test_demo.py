"""The demo's year of reflection: sessions, cards, votes, actions, lessons and the follow-through
figures a dashboard would show, computed with the same metric services.

The demo is built twice for the module: the whole of it, as `learnloop demo` builds it (the
figures count every source's actions), then only the parts sessions need, to check that the same
seed gives the same sessions whatever comes after them. The tests read facts gathered from those
builds, then the database is emptied.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from learnloop.actions import repeats
from learnloop.actions.metrics import action_metrics
from learnloop.actions.models import Action
from learnloop.demo import build_demo
from learnloop.knowledge.models import Application, Entry, Provenance
from learnloop.org.models import Person, Team
from learnloop.reflection import selectors
from learnloop.reflection.builtin_templates import BUILTIN_TEMPLATES
from learnloop.reflection.metrics import team_learning_metrics
from learnloop.reflection.models import Card, CheckIn, Group, Lesson, Participant, Session, VoteMark, WhyStep

pytestmark = pytest.mark.django_db

SESSION_SOURCE = "reflection.session"
# What sessions need: people and teams, and the action engine's own demo actions.
SESSION_PARTS = ("org", "actions", "reflection")


def reflection_state() -> dict:
    return {
        "sessions": list(Session.objects.order_by("id").values_list(
            "id", "team__slug", "template__slug", "title", "goal", "facilitator__email", "work_owner__email", "mode",
            "phase_deadlines", "phase", "anonymity", "vote_budget", "revealed", "held_on", "created_at",
            "closed_at")),
        "participants": list(Participant.objects.order_by("id").values_list(
            "session_id", "person__email", "votes_used", "done_with")),
        "cards": sorted(Card.objects.values_list(
            "id", "session_id", "column", "text", "author__email", "alias", "writer_hash", "group_id", "shuffle_key",
            "decision", "decision_reason")),
        "groups": sorted(Group.objects.values_list("id", "session_id", "title", "votes")),
        "votes": sorted(VoteMark.objects.values_list("group_id", "voter_hash")),
        "whys": sorted(WhyStep.objects.values_list("card_id", "position", "text")),
        "actions": list(Action.objects.filter(source_type=SESSION_SOURCE).order_by("id").values_list(
            "id", "title", "owner__email", "team__slug", "due_on", "priority", "status", "not_doing_reason",
            "created_at", "started_at", "closed_at", "source_type", "source_id", "effect", "evidence", "check_on",
            "checked_at")),
        "lessons": list(Lesson.objects.order_by("id").values_list("session_id", "entry__title", "promoted_on")),
    }


def gather_facts() -> dict:
    today = timezone.localdate()
    year_ago = today - timedelta(days=365)
    sessions = list(Session.objects.select_related("team", "template", "facilitator"))
    teams = list(Team.objects.filter(kind="team"))
    member = _login("leon.mahlangu")
    lead = Session.objects.get(phase="reflect").facilitator
    lesson_entries = list(Entry.objects.filter(pk__in=Lesson.objects.values("entry_id")).select_related(
        "author", "owner_team"))
    return {
        "today": today,
        "sessions": sessions,
        "cards": list(Card.objects.select_related("session__template", "author")),
        "groups": list(Group.objects.all()),
        "whys": Counter(WhyStep.objects.values_list("card__session__template__slug", flat=True)),
        "actions": list(Action.objects.filter(source_type=SESSION_SOURCE)),
        "lessons": list(Lesson.objects.select_related("session", "entry")),
        "lesson_entries": lesson_entries,
        "provenance": {entry.pk: list(Provenance.objects.filter(entry=entry).values_list("source_type", "source_id",
                                                                                            "label"))
                       for entry in lesson_entries},
        "entry_titles": Counter(Entry.objects.values_list("title", flat=True)),
        "card_authors": {str(pk): name for pk, name in Card.objects.exclude(author=None).values_list(
            "pk", "author__full_name")},
        "overall": action_metrics(since=year_ago, until=today, today=today),
        "by_team": {team.slug: team_learning_metrics(team=team, since=year_ago, until=today, today=today)
                    for team in teams},
        "member": member,
        "member_sessions": list(selectors.sessions_for(member)),
        "member_actions": list(Action.objects.filter(owner=member)),
        "member_reflect_cards": selectors.cards_for(member, Session.objects.get(phase="reflect")),
        "lead": lead,
        "lead_sessions": list(selectors.sessions_for(lead)),
        "state": reflection_state(),
        "outcome_marks": {
            "verified": Entry.objects.filter(verified_by_outcome_at__isnull=False).count(),
            "flagged": list(Entry.objects.filter(review_flagged_at__isnull=False).values_list("pk", flat=True)),
            "flagged_evidence": list(Entry.objects.filter(review_flagged_at__isnull=False).values_list(
                "outcomes__effect", flat=True)),
            "typed_places": Application.objects.filter(context_type="reflection.session").count(),
        },
        "repeat_rows": list(Action.objects.exclude(team=None).values_list("team_id", "title")),
        "payments_repeats": repeats.repeat_clusters(
            viewer=Person.objects.filter(role="learning_lead", is_active=True).first(),
            team=Team.objects.get(slug="payments")),
        "linked": list(Action.objects.exclude(repeat_of=None).select_related("repeat_of")),
        "checkins": list(CheckIn.objects.values_list("session__phase", "session__anonymity", "author_id", "alias",
                                                     "writer_hash")),
    }


def _login(prefix: str):
    from learnloop.org.models import Person

    return Person.objects.get(email__startswith=f"{prefix}@")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        # The demo empties the database it runs on: make sure it is the test database.
        name = str(connection.settings_dict["NAME"])
        assert name.startswith("test") or "memory" in name or "/test_" in name, name
        try:
            build_demo(seed=42)
            facts = gather_facts()
            build_demo(seed=42, only=SESSION_PARTS)
            facts["rebuilt"] = reflection_state()
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return facts


def test_a_year_of_sessions_across_every_team_and_template(demo):
    sessions, today = demo["sessions"], demo["today"]
    assert 150 <= len(sessions) <= 250
    assert len({session.team.slug for session in sessions}) == 12
    assert all(today - timedelta(days=366) <= session.held_on <= today for session in sessions)
    months = {(session.held_on.year, session.held_on.month) for session in sessions}
    assert len(months) >= 12
    templates = Counter(session.template.slug for session in sessions)
    assert set(templates) >= {spec["slug"] for spec in BUILTIN_TEMPLATES}
    retros = sum(templates[slug] for slug in ("start-stop-continue", "four-ls", "mad-sad-glad", "sailboat"))
    assert 0.6 * len(sessions) <= retros < 0.9 * len(sessions)
    # Some teams reflect much more often than others.
    per_team = Counter(session.team.slug for session in sessions)
    assert max(per_team.values()) >= 2 * min(per_team.values())


def test_most_sessions_are_closed_and_a_few_are_running_now(demo):
    phases = Counter(session.phase for session in demo["sessions"])
    assert phases["closed"] >= 0.9 * len(demo["sessions"])
    assert {"prepare", "reflect", "group", "vote", "discuss"} <= set(phases)
    closed = [session for session in demo["sessions"] if session.phase == "closed"]
    assert all(session.closed_at and session.revealed for session in closed)
    assert Counter(session.mode for session in demo["sessions"])["async"] >= 10


def test_cards_are_grouped_voted_on_and_specific(demo):
    cards = demo["cards"]
    sessions_with_cards = {card.session_id for card in cards}
    assert len(sessions_with_cards) >= len(demo["sessions"]) - 1  # the one in prepare has none yet
    assert len(cards) >= 6 * len(sessions_with_cards)
    closed_cards = [card for card in cards if card.session.phase == "closed"]
    assert all(card.group_id for card in closed_cards)
    assert sum(group.votes for group in demo["groups"]) > 2 * len(demo["sessions"])
    per_session = Counter((card.session_id, card.text) for card in cards)
    assert max(per_session.values()) == 1, "no card is written twice in one session"
    titles = Counter((session.team_id, session.title) for session in demo["sessions"])
    assert max(titles.values()) == 1, "each team's sessions have distinct titles"
    texts = {card.text for card in cards}
    assert any("payout" in text for text in texts) and any("driver" in text.lower() for text in texts)
    # Postmortems carry why-chains; critique owners decided on notes.
    assert demo["whys"]["blameless-postmortem"] >= 10
    decided = [card for card in cards if card.decision]
    assert decided and all(card.session.template.slug == "candid-critique" and card.decision_reason
                           for card in decided)
    # The facilitator's notes: topics that became actions carry the decision to act.
    with_decision = [group for group in demo["groups"] if group.decision]
    assert len(with_decision) >= len(demo["sessions"]) // 2
    assert all(group.decision.startswith("We act on it: ") and group.discussion_notes for group in with_decision)


def test_sessions_running_now_have_a_check_in_round(demo):
    rows = demo["checkins"]
    assert {phase for phase, *_ in rows} >= {"reflect", "vote"} and "closed" not in {phase for phase, *_ in rows}
    for _, anonymity, author_id, alias, writer_hash in rows:
        if anonymity == "named":
            assert author_id is not None and not writer_hash
        else:
            assert author_id is None and len(writer_hash) == 64 and bool(alias) == (anonymity == "alias")


def test_alias_and_anonymous_cards_store_no_author(demo):
    cards = demo["cards"]
    modes = Counter(card.session.anonymity for card in cards)
    assert modes["alias"] >= 100 and modes["anonymous"] >= 100
    for card in cards:
        if card.session.anonymity == "named":
            assert card.author_id is not None and not card.writer_hash and not card.alias
        else:
            assert card.author_id is None and len(card.writer_hash) == 64
            assert bool(card.alias) == (card.session.anonymity == "alias")


def test_actions_in_every_state_with_effectiveness_checks(demo):
    actions, today = demo["actions"], demo["today"]
    # Each of a team's theme actions is agreed once (repeats are the exception: issue 14), so a
    # year of sessions agrees a couple of hundred, not the 300-odd copies of ~70 titles it used to.
    assert 200 <= len(actions) <= 700
    statuses = Counter(action.status for action in actions)
    assert all(statuses[state] >= 20 for state in ("open", "in_progress", "done", "not_doing"))
    assert all(action.not_doing_reason for action in actions if action.status == "not_doing")
    assert sum(1 for action in actions if action.overdue_on(today)) >= 10
    done = [action for action in actions if action.status == "done"]
    effects = Counter(action.effect for action in done)
    assert effects["worked"] and effects["did_not_work"] and effects["unknown"]
    pending = [action for action in done if action.check_pending]
    assert any(action.check_on <= today for action in pending), "some scheduled checks are due"
    assert any(action.check_on > today for action in pending), "some are still to come"
    assert all(action.evidence for action in done if action.effect)
    # Backdated to when they were agreed, and linked to the session they came from.
    assert min(action.created_at for action in actions).date() <= today - timedelta(days=300)
    sessions = {str(session.pk): session for session in demo["sessions"]}
    for action in actions:
        session = sessions[action.source_id]
        assert action.team_id == session.team_id
        assert action.created_at.date() >= session.held_on
        assert action.source_url == f"/sessions/{session.pk}/"


def test_lessons_are_promoted_with_provenance_to_the_session_and_cards(demo):
    lessons, cards = demo["lessons"], {str(card.pk): card for card in demo["cards"]}
    assert 25 <= len(lessons) <= 80
    postmortems = [session for session in demo["sessions"] if session.template.slug == "blameless-postmortem"]
    assert {lesson.session for lesson in lessons} >= set(postmortems), "every postmortem left a lesson"
    for lesson in lessons:
        entry = lesson.entry
        assert entry.kind == "lesson" and entry.owner_team_id == lesson.session.team_id
        assert demo["entry_titles"][entry.title] == 1, f"“{entry.title}” is in the knowledge base twice"
        assert lesson.session.held_on <= lesson.promoted_on <= lesson.session.held_on + timedelta(days=14)
        assert entry.created_at.date() == lesson.promoted_on
        provenance = demo["provenance"][entry.pk]
        assert (SESSION_SOURCE, str(lesson.session.pk)) in {(kind, source) for kind, source, _ in provenance}
        card_sources = [source for kind, source, _ in provenance if kind == "reflection.card"]
        assert card_sources and all(cards[source].session_id == lesson.session.pk for source in card_sources)
        # The label quotes a card, never who wrote it.
        for kind, source, label in provenance:
            if kind == "reflection.card" and source in demo["card_authors"]:
                assert demo["card_authors"][source] not in label


def test_follow_through_figures_are_believable(demo):
    overall = demo["overall"]
    assert 0.60 <= overall["completion_rate"] <= 0.75
    assert 0.55 <= overall["effectiveness_rate"] <= 0.70
    assert overall["overdue_count"] > 0 and overall["checks_pending"] > 0
    by_team = demo["by_team"]
    completion = {slug: figures["completion_rate"] for slug, figures in by_team.items()}
    assert max(completion.values()) - min(completion.values()) >= 0.3
    # The teams that reflect often also follow through: clearly ahead of the ones that rarely do.
    assert min(completion[slug] for slug in ("payments", "site-reliability", "support")) > max(
        completion[slug] for slug in ("finance", "design-systems", "customer-success"))
    for figures in by_team.values():
        assert figures["sessions"] >= 8 and figures["sessions_per_month"] > 0.5
        assert figures["sessions_with_lessons"] >= 1 and figures["median_days_session_to_lesson"] is not None


def test_the_demo_logins_see_sessions_and_actions(demo):
    member, lead = demo["member"], demo["lead"]
    member_sessions = demo["member_sessions"]
    assert len(member_sessions) >= 20
    reflect = next(session for session in member_sessions if session.phase == "reflect")
    assert reflect.team.slug == "payments" and reflect.anonymity == "named"
    # The member has started writing: their board shows their own cards, and only those (not revealed).
    own = demo["member_reflect_cards"]
    assert own and all(card.mine and card.byline == member.full_name for card in own)
    statuses = Counter(action.status for action in demo["member_actions"])
    assert statuses["done"] and (statuses["open"] + statuses["in_progress"])
    assert lead.title == "Engineering Manager, Payments"
    assert {session.phase for session in demo["lead_sessions"]} >= {"closed", "reflect"}


def test_the_same_seed_gives_the_same_sessions(demo):
    def without_owners(state):
        # The demo's closing step hands a leaver's open actions to their manager; who leaves depends
        # on every module built (experiments add follow-up actions), so owners may differ between
        # this full build and the sessions-only rebuild. Everything else must be the same.
        return {**state, "actions": [row[:2] + row[3:] for row in state["actions"]]}

    assert without_owners(demo["rebuilt"]) == without_owners(demo["state"])



def test_some_lessons_are_verified_by_outcome_and_one_is_flagged(demo):
    marks = demo["outcome_marks"]
    assert marks["verified"] >= 5
    assert len(marks["flagged"]) == 1 and "did_not_work" in marks["flagged_evidence"]
    assert marks["typed_places"] >= 3


def test_repeats_are_the_exception_the_product_catches(demo):
    """Issue 14 found 302 of 373 demo actions repeating a title of their own team; now a handful
    of believable repeat cases remain (bench/demo_repeats.py prints the same figures)."""
    exact = repeats.exact_title_repeats(demo["repeat_rows"])
    detected = repeats.detected_repeats(demo["repeat_rows"])
    assert exact.actions >= 250
    assert exact.share < 0.05 and detected.share < 0.1
    assert 3 <= detected.groups <= 12
    # One thing Payments marked worked keeps coming back.
    handover = [cluster for cluster in demo["payments_repeats"] if len(cluster.actions) >= 3]
    assert handover and handover[0].worked_yet_repeated and handover[0].outcomes.worked >= 2
    # Some repeats were linked by their authors, always to an earlier action of the same team.
    assert demo["linked"]
    assert all(action.repeat_of.created_at < action.created_at and action.repeat_of.team_id == action.team_id
               for action in demo["linked"])
