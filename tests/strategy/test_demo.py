"""Harbourline's strategy demo: the story the issue asks for, built deterministically."""

import pytest
from django.core.management import call_command

from learnloop.demo import build_demo

pytestmark = pytest.mark.django_db


def _fingerprint():
    from learnloop.strategy.models import Initiative, KeyResultValue, Objective, Proposal, VisionVersion

    return (
        list(Objective.objects.order_by("pk").values_list("title", "level", "parent_id")),
        list(KeyResultValue.objects.order_by("pk").values_list("key_result_id", "on", "value")),
        list(Initiative.objects.order_by("pk").values_list("title", "status", "starts_on", "budget_person_days")),
        sorted(Proposal.objects.values_list("text", "status")),
        list(VisionVersion.objects.order_by("pk").values_list("number", "text")),
    )


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    from learnloop.org.models import Team
    from learnloop.strategy import steps
    from learnloop.strategy.models import Champion, Initiative, KeyResult, Objective, Round, Vision

    with django_db_blocker.unblock():
        try:
            build_demo(seed=7, only=("org", "strategy"))
            first = _fingerprint()
            org_vision = Vision.objects.get(team=None)
            rounds = list(Round.objects.filter(vision=org_vision).order_by("number"))
            teams = list(Team.objects.filter(kind="team"))
            facts = {
                "versions": org_vision.versions.count(), "rounds": [r.anonymous for r in rounds],
                "anonymous_authors": list(rounds[1].proposals.values_list("author_id", flat=True)),
                "levels": sorted(Objective.objects.values_list("level", flat=True)),
                "bound": KeyResult.objects.filter(kind="metric").count(),
                "history": {kr.values.count() for kr in KeyResult.objects.all()},
                "initiatives": Initiative.objects.count(), "champions": Champion.objects.count(),
                "stages": sorted(steps.stage(found) for found in steps.steps_for_teams(teams).values()),
            }
            build_demo(seed=7, only=("org", "strategy"))
            facts["same"] = _fingerprint() == first
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return facts


def test_the_strategy_story(built):
    assert built["versions"] == 3 and built["rounds"] == [False, True]
    assert built["anonymous_authors"] == [None, None, None]
    assert built["levels"].count("department") == 4 and built["levels"].count("team") == 12
    assert built["bound"] == 3 + 4 * 2 + 12 * 2 and built["history"] == {4}
    assert built["initiatives"] == 15 and built["champions"] == 6
    assert len(set(built["stages"])) >= 2  # teams at different stages of the seven steps


def test_the_demo_is_deterministic(built):
    assert built["same"]
