"""The metrics catalogue and the learning-health index on facts written by hand: exact values."""

from datetime import date

import pytest

from learnloop.analytics import learning_health as health
from learnloop.analytics import learning_metrics as catalogue
from learnloop.analytics.follow_through import ActionFacts
from learnloop.analytics.learning_metrics import EntryFacts, ExperimentFacts, LessonFacts, LoopFacts, SessionFacts

SINCE, UNTIL, TODAY = date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 10)


def _facts() -> LoopFacts:
    return LoopFacts(
        actions=[
            ActionFacts("done", date(2025, 1, 5), closed_on=date(2025, 1, 15), effect="worked"),  # 10 days
            ActionFacts("done", date(2025, 2, 1), closed_on=date(2025, 2, 21), effect="did_not_work"),  # 20
            ActionFacts("done", date(2025, 3, 1), closed_on=date(2025, 3, 4), effect="unknown"),  # 3
            ActionFacts("not_doing", date(2025, 1, 10), closed_on=date(2025, 1, 12)),
            ActionFacts("open", date(2025, 2, 10), due_on=date(2025, 3, 1), grace_days=3),  # overdue
            ActionFacts("open", date(2025, 3, 15), due_on=date(2025, 4, 30)),  # not yet due
            ActionFacts("done", date(2024, 12, 20), closed_on=date(2025, 1, 2), effect="worked"),  # before
        ],
        sessions=[
            SessionFacts(date(2025, 1, 10), date(2025, 1, 13), cards=10, anonymous_cards=4,
                         actions_created_on=(date(2025, 1, 12), date(2025, 1, 20)), participants=frozenset({1, 2, 9})),
            SessionFacts(date(2025, 2, 15), None, cards=5, anonymous_cards=0, actions_created_on=(date(2025, 2, 15),)),
            SessionFacts(date(2025, 3, 20), date(2025, 4, 2), cards=5, anonymous_cards=5, participants=frozenset({2})),
            SessionFacts(date(2024, 12, 1), date(2024, 12, 2), cards=100, anonymous_cards=100,
                         actions_created_on=(date(2025, 1, 5),), participants=frozenset({3})),
        ],
        lessons=[LessonFacts(date(2025, 1, 5), 2), LessonFacts(date(2025, 2, 1), 0), LessonFacts(date(2025, 3, 31), 1),
                 LessonFacts(date(2024, 12, 31), 5)],
        entries=[EntryFacts(date(2025, 1, 1)), EntryFacts(date(2025, 3, 15)),
                 EntryFacts(date(2024, 6, 1), obsolete=True), EntryFacts(date(2025, 3, 1))],
        experiments=[
            ExperimentFacts("concluded", date(2025, 1, 2), date(2025, 1, 20), "won", lessons=1),
            ExperimentFacts("concluded", date(2025, 2, 1), date(2025, 3, 10), "lost"),
            ExperimentFacts("concluded", date(2025, 1, 15), date(2025, 2, 5), "", lessons=2),
            ExperimentFacts("running", date(2025, 2, 1)),
            ExperimentFacts("concluded", date(2024, 10, 1), date(2024, 11, 1), "won", lessons=1),
        ],
        members=frozenset({1, 2, 3, 4}),
    )


def test_every_metric_of_the_catalogue_on_hand_made_facts():
    values = catalogue.loop_metrics(_facts(), since=SINCE, until=UNTIL, today=TODAY)
    assert {key: (value.value, value.numerator, value.denominator, value.n) for key, value in values.items()} == {
        # done 3 / (done 3 + not doing 1 + overdue 1); the December action is outside the period
        "completion_rate": (0.6, 3, 5, None),
        # worked 1 / (worked 1 + did not work 1): "unknown" is left out
        "effectiveness_rate": (0.5, 1, 2, None),
        # due 1 March + 3 grace days, still open on 10 April; six actions in the period
        "overdue_count": (1, None, None, 6),
        # actions created in the period from a session: 2 and 10 days, 0, and 35 (a December session)
        "median_days_card_to_action": (6.0, None, None, 4),
        # median of 10, 20 and 3 days
        "median_days_action_to_done": (10.0, None, None, 3),
        # sessions held in the period with a lesson: 3 and 13 days
        "time_to_first_lesson": (8.0, None, None, 2),
        # lessons of the period applied at least once: 2 of 3
        "lesson_reuse_rate": (2 / 3, 2, 3, None),
        # "I applied this" records on the three lessons of the period: 2 + 0 + 1 (December's 5 left out)
        "lesson_reuse_count": (3.0, None, None, 3),
        # not obsolete: 3; past review date + 30 days on 31 March: 1 January and 1 March (the boundary)
        "stale_knowledge_share": (2 / 3, 2, 3, None),
        # three concluded in January–March
        "experiment_velocity": (1.0, 3, 3, None),
        # won 1 of the 2 concluded with an outcome
        "win_rate": (0.5, 1, 2, None),
        "experiments_with_lesson_share": (2 / 3, 2, 3, None),
        "session_cadence": (1.0, 3, 3, None),
        # anonymous or alias cards 4 + 0 + 5 of 20, in sessions held in the period
        "anonymous_participation_rate": (0.45, 9, 20, None),
        # members 1–4; 1 and 2 joined a session of the period (9 is no member, 3 joined in December)
        "participation_rate": (0.5, 2, 4, None),
        "theme_recurrence_rate": (None, None, None, None),
        # no team skill needs in these facts: missing, not 0 (tests/strategy/test_skill_coverage.py has figures)
        "skill_coverage": (None, 0, 0, None),
    }


def test_no_data_is_missing_never_zero():
    values = catalogue.loop_metrics(LoopFacts(), since=SINCE, until=UNTIL, today=TODAY)
    for key in ("completion_rate", "effectiveness_rate", "median_days_card_to_action", "median_days_action_to_done",
                "time_to_first_lesson", "lesson_reuse_rate", "stale_knowledge_share", "win_rate",
                "experiments_with_lesson_share", "anonymous_participation_rate", "theme_recurrence_rate",
                "participation_rate"):
        assert values[key].value is None, key
    # Counts and per-month figures are honest zeros: nothing happened.
    assert values["overdue_count"].value == 0
    assert values["session_cadence"].value == 0 and values["experiment_velocity"].value == 0


def test_the_funnel_counts_each_stage_in_the_period():
    assert [(stage["stage"], stage["count"]) for stage in catalogue.funnel(_facts(), since=SINCE, until=UNTIL)] == [
        ("cards", 20), ("actions", 6), ("done", 3), ("effective", 1), ("lessons", 3), ("reused", 2)]


def test_month_periods_and_the_experiment_portfolio():
    periods = catalogue.month_periods(date(2025, 3, 31), 3)
    assert periods == [(date(2025, 1, 1), date(2025, 1, 31)), (date(2025, 2, 1), date(2025, 2, 28)),
                       (date(2025, 3, 1), date(2025, 3, 31))]
    assert catalogue.month_periods(date(2025, 1, 15), 2)[0] == (date(2024, 12, 1), date(2024, 12, 31))
    assert catalogue.experiment_portfolio(_facts().experiments, periods) == [
        {"month": "2025-01", "running": 2, "won": 1, "lost": 0, "inconclusive": 0, "no_outcome": 0},
        {"month": "2025-02", "running": 3, "won": 0, "lost": 0, "inconclusive": 0, "no_outcome": 1},
        {"month": "2025-03", "running": 2, "won": 0, "lost": 1, "inconclusive": 0, "no_outcome": 0},
    ]


def test_every_metric_is_defined_once_with_all_its_parts():
    keys = [metric.key for metric in catalogue.CATALOGUE]
    assert len(keys) == len(set(keys)) == 18
    for metric in catalogue.CATALOGUE:
        assert metric.name and metric.formula and metric.source and metric.unit, metric.key


RAW = {"completion_rate": 0.6, "effectiveness_rate": 0.5, "session_cadence": 1.5, "time_to_first_lesson": 8.0,
       "lesson_reuse_rate": 2 / 3, "stale_knowledge_share": 2 / 3, "survey_scales": 0.5}


def test_health_index_with_every_component():
    index = health.health_index(RAW)
    # 0.15·0.6 + 0.15·0.5 + 0.10·1 (cadence capped) + 0.10·1 (8 days ≤ 14) + 0.10·⅔ + 0.10·⅓ + 0.30·0.5 = 0.615
    assert index.value == pytest.approx(61.5, abs=1e-9)
    assert index.status == "complete" and index.coverage == pytest.approx(1.0)
    assert [part.weight for part in index.components] == [0.15, 0.15, 0.10, 0.10, 0.10, 0.10, 0.30]


def test_a_missing_component_is_reweighted_not_scored_zero():
    index = health.health_index({**RAW, "survey_scales": None})
    assert index.status == "reweighted" and index.coverage == pytest.approx(0.7)
    assert index.value == pytest.approx(100 * 0.465 / 0.7, abs=1e-9)
    survey = next(part for part in index.components if part.key == "survey_scales")
    assert survey.score is None and survey.effective_weight is None
    completion = next(part for part in index.components if part.key == "completion_rate")
    assert completion.effective_weight == pytest.approx(0.15 / 0.7)


def test_too_little_data_makes_the_index_incomplete():
    index = health.health_index({**RAW, "survey_scales": None, "completion_rate": None, "effectiveness_rate": None})
    assert index.value is None and index.status == "incomplete" and index.coverage == pytest.approx(0.4)
    assert health.health_index({}).value is None


def test_component_scores():
    assert health.health_index({**RAW, "time_to_first_lesson": 52.0}).components[3].score == pytest.approx(0.5)
    assert health.health_index({**RAW, "time_to_first_lesson": 200.0}).components[3].score == 0.0
    assert health.survey_score([3.0, 4.0], 1, 5) == pytest.approx(0.625)
    assert health.survey_score([], 1, 5) is None


def test_theme_recurrence_rate_is_the_share_of_active_themes_seen_before():
    from learnloop.analytics.learning_metrics import theme_recurrence_rate

    value = theme_recurrence_rate(4, 1)
    assert (value.value, value.numerator, value.denominator) == (0.25, 1, 4)
    assert theme_recurrence_rate(0, 0).value is None  # nothing came up: missing, not zero
    assert theme_recurrence_rate().value is None
