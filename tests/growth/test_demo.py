"""The demo's growth part, built twice outside a test transaction (the demo flushes the database,
which PostgreSQL refuses inside one), with only the parts it needs."""

import pytest
from django.core.management import call_command
from django.db import connection

from learnloop.demo import build_demo
from learnloop.growth.matching_models import MatchingRound, MatchProposal, MenteeRequest, MentorOffer
from learnloop.growth.models import LearningPath, MeetingNote, MentoringPair, Plan, Rating, Skill
from learnloop.org.models import Person

pytestmark = pytest.mark.django_db
PARTS = ("org", "growth")


def _ratings():
    return list(Rating.objects.order_by("rated_at", "person__email", "skill__name", "role")
                .values_list("person__email", "skill__name", "role", "level", "rated_at"))


def _workshops():
    from django.utils import timezone

    from learnloop.growth.models import Workshop
    from learnloop.growth.workshop_selectors import feedback_state

    found = []
    for workshop in Workshop.objects.order_by("starts_at").prefetch_related("hosts", "skills", "signups"):
        signups = list(workshop.signups.all())
        state = feedback_state(viewer=workshop.hosts.all()[0], workshop=workshop)
        found.append({
            "title": workshop.title, "past": workshop.ends_at <= timezone.now(),
            "skills": sorted(s.name for s in workshop.skills.all()),
            "confirmed": sum(s.status == "confirmed" for s in signups),
            "waiting": sum(s.status == "waitlisted" for s in signups),
            "attended": sum(s.attended for s in signups),
            "answers": state.answers, "released": state.released, "host_sees_summary": state.summary is not None,
        })
    return found


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        name = str(connection.settings_dict["NAME"])
        assert name.startswith("test") or "memory" in name or "/test_" in name, name
        try:
            build_demo(seed=7, only=PARTS)
            facts = {
                "people": Person.objects.filter(is_active=True).count(),
                "skills": Skill.objects.count(),
                "rated_people": Rating.objects.values("person").distinct().count(),
                "roles": set(Rating.objects.values_list("role", flat=True)),
                "plans": Plan.objects.count(),
                "paths": LearningPath.objects.count(),
                "pairs": MentoringPair.objects.count(),
                "notes": MeetingNote.objects.count(),
                "workshops": _workshops(),
                "ratings": _ratings(),
                "rounds": list(MatchingRound.objects.order_by("ran_at").values_list("status", flat=True)),
                "proposals": {(p.round.status, p.status) for p in MatchProposal.objects.select_related("round")},
                "paired_by_rounds": MatchProposal.objects.filter(pair__isnull=False).count(),
                "open_offers": MentorOffer.objects.filter(status="open").count(),
                "open_requests": MenteeRequest.objects.filter(status="open").count(),
            }
            build_demo(seed=7, only=PARTS)
            facts["rebuilt"] = _ratings()
            facts["workshops_rebuilt"] = _workshops()
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return facts


def test_demo_has_framework_ratings_plans_paths_and_pairs(demo):
    assert 38 <= demo["skills"] <= 45
    assert demo["rated_people"] >= demo["people"] * 0.9
    assert demo["roles"] == {"self", "manager", "peer"}
    assert demo["people"] // 4 <= demo["plans"] <= demo["people"] // 3 + 1
    assert demo["paths"] == 10
    assert demo["pairs"] >= 3 and demo["notes"] >= demo["pairs"]


def test_demo_is_deterministic(demo):
    assert demo["rebuilt"] == demo["ratings"]
    assert demo["workshops_rebuilt"] == demo["workshops"]


def test_demo_has_an_open_matching_round_and_pairs_from_rounds(demo):
    assert demo["rounds"] == ["closed", "open"]
    assert ("open", "proposed") in demo["proposals"] and ("open", "paired") in demo["proposals"]
    assert ("closed", "declined") in demo["proposals"] and ("closed", "paired") in demo["proposals"]
    assert demo["paired_by_rounds"] >= 3
    assert demo["open_offers"] >= 5 and demo["open_requests"] >= 3


def test_demo_has_past_workshops_with_released_feedback_and_upcoming_ones_with_sign_ups(demo):
    past = [w for w in demo["workshops"] if w["past"]]
    upcoming = [w for w in demo["workshops"] if not w["past"]]
    assert len(past) >= 3 and len(upcoming) >= 3
    assert all(w["attended"] >= 3 for w in past)
    released = [w for w in past if w["released"]]
    assert len(released) >= 3 and all(w["host_sees_summary"] for w in released)
    assert any(not w["released"] for w in past)  # one stays below the anonymity threshold
    assert all(w["confirmed"] >= 3 for w in upcoming)
    assert any(w["waiting"] for w in upcoming)
    assert all(w["skills"] for w in demo["workshops"])
