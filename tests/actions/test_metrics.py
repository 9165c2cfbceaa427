"""Follow-through figures, checked against values worked out by hand for a small, known history."""

from datetime import UTC, date, datetime

import pytest

from learnloop.actions import services
from learnloop.actions.metrics import action_metrics
from learnloop.analytics.follow_through import ActionFacts, follow_through
from tests import factories

TODAY = date(2026, 6, 30)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)


@pytest.fixture
def history(facilitator, team):
    """Eight actions created in June 2026 by a team whose grace period is 2 days, one in May, one elsewhere."""
    services.set_team_policy(by=facilitator, team=team, overdue_grace_days=2, remind_days_before=1)

    def create(day, **fields):
        return services.create_action(by=facilitator, title=f"Action of {day}", team=team, at=at(day), **fields)

    def done(created, closed, **check):
        action = create(created)
        services.complete_action(by=facilitator, action=action, at=at(closed), **check)

    done(date(2026, 6, 1), date(2026, 6, 5), effect="worked")  # 4 days
    done(date(2026, 6, 2), date(2026, 6, 12), effect="did_not_work")  # 10 days
    done(date(2026, 6, 3), date(2026, 6, 4), effect="unknown")  # 1 day
    done(date(2026, 6, 4), date(2026, 6, 20), check_on=date(2026, 7, 20))  # 16 days, check pending
    declined = create(date(2026, 6, 5))
    services.decline_action(by=facilitator, action=declined, reason="Superseded", at=at(date(2026, 6, 6)))
    create(date(2026, 6, 6), due_on=date(2026, 6, 20))  # overdue: 30 Jun is past 20 Jun + 2
    in_grace = create(date(2026, 6, 7), due_on=date(2026, 6, 28))  # 28 Jun + 2 = 30 Jun: not yet overdue
    services.start_action(by=facilitator, action=in_grace, at=at(date(2026, 6, 8)))
    create(date(2026, 6, 8))  # open, no due date
    done(date(2026, 5, 1), date(2026, 5, 2), effect="worked")  # before the period

    elsewhere = factories.team(name="Elsewhere")
    lead = factories.person(role="learning_lead")
    other = services.create_action(by=lead, title="Another team's", team=elsewhere, at=at(date(2026, 6, 10)))
    services.complete_action(by=lead, action=other, effect="worked", at=at(date(2026, 6, 13)))  # 3 days


def test_team_figures_for_june(history, team):
    figures = action_metrics(team=team, since=date(2026, 6, 1), until=date(2026, 6, 30), today=TODAY)
    assert {key: figures[key] for key in (
        "total", "done", "not_doing", "open", "in_progress", "overdue_count", "expected",
        "checked", "worked", "did_not_work", "unknown", "checks_pending",
    )} == {
        "total": 8, "done": 4, "not_doing": 1, "open": 2, "in_progress": 1, "overdue_count": 1, "expected": 6,
        "checked": 3, "worked": 1, "did_not_work": 1, "unknown": 1, "checks_pending": 1,
    }
    assert figures["completion_rate"] == pytest.approx(4 / 6)
    assert figures["effectiveness_rate"] == pytest.approx(1 / 2)
    assert figures["median_days_to_close"] == 7.0  # median of 1, 4, 10, 16


def test_one_more_day_makes_the_action_in_grace_overdue(history, team):
    figures = action_metrics(team=team, since=date(2026, 6, 1), until=date(2026, 6, 30), today=date(2026, 7, 1))
    assert figures["overdue_count"] == 2
    assert figures["completion_rate"] == pytest.approx(4 / 7)


def test_whole_organization_without_a_period(history):
    figures = action_metrics(today=TODAY)
    # 8 in June + 1 in May for the team, 1 for the other team.
    assert (figures["total"], figures["done"], figures["worked"]) == (10, 6, 3)
    assert figures["effectiveness_rate"] == pytest.approx(3 / 4)
    assert figures["median_days_to_close"] == 3.5  # median of 1, 1, 3, 4, 10, 16


def test_no_actions_means_no_rates_rather_than_zero():
    figures = follow_through([], today=TODAY)
    assert (figures.completion_rate, figures.effectiveness_rate, figures.median_days_to_close) == (None, None, None)


def test_only_known_answers_count_for_effectiveness():
    facts = [ActionFacts(status="done", created_on=TODAY, closed_on=TODAY, effect="unknown")] * 3
    assert follow_through(facts, today=TODAY).effectiveness_rate is None
