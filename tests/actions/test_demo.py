"""The actions demo: a few standalone meeting actions in several states, the same for a seed."""

import random

import pytest

from learnloop.actions import demo as actions_demo
from learnloop.actions.models import Action, Status
from learnloop.demo import DemoContext
from learnloop.demo.clock import DemoClock
from tests import factories


def context_with_teams(seed: int, prefix: str = "Squad") -> DemoContext:
    context = DemoContext(
        seed=seed, rng=random.Random(seed), announce=lambda message: None, password_hash="!",
        clock=DemoClock.starting_today(),
    )
    for number in range(5):
        team = factories.team(name=f"{prefix} {number}")
        factories.membership(factories.person(), team, role="facilitator")
        for _ in range(3):
            factories.membership(factories.person(), team)
        context.teams[team.slug] = team
    return context


def facts() -> list[tuple]:
    return list(Action.objects.order_by("id").values_list("title", "status", "owner__email", "team__slug", "effect"))


@pytest.mark.django_db
def test_meeting_actions_are_created_through_the_services_in_several_states():
    context = context_with_teams(7)
    actions_demo.build(context)
    actions = Action.objects.all()
    assert actions.count() == actions_demo.TEAMS_WITH_ACTIONS * 3
    assert {action.source_label for action in actions} == {"Team meeting"}
    assert len({action.status for action in actions}) >= 3
    for action in actions:
        assert action.created_at < context.clock.today
        if action.status == Status.DONE:
            assert action.effect or action.check_on
    fates = dict(actions_demo.MEETING_ACTIONS)
    for action in actions:
        # What each action was meant to show is what a viewer sees today.
        overdue = action.overdue_on(context.clock.date)
        assert overdue == (fates[action.title] == "overdue"), action.title


@pytest.mark.django_db
def test_same_seed_same_actions():
    actions_demo.build(context_with_teams(3))
    first = [row[:2] + row[4:] for row in facts()]
    Action.objects.all().delete()
    actions_demo.build(context_with_teams(3, prefix="Crew"))
    assert [row[:2] + row[4:] for row in facts()] == first
