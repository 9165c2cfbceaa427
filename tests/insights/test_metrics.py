"""The catalogue through the database: hand-made rows (tests/insights/conftest.py), exact values
for a team, a department and the organization, and the same figures on the sessions page."""

from learnloop.insights import metrics
from tests.insights.conftest import SINCE, TODAY, UNTIL


def _values(loop, team):
    scope = metrics.scope_for(team)
    report = metrics.metrics_report(viewer=loop.learning_lead, scope=scope, since=SINCE, until=UNTIL, today=TODAY)
    return report, {item["key"]: (item["value"], item["numerator"], item["denominator"], item["n"])
                    for item in report["metrics"]}


def test_team_metrics_are_exact(loop):
    report, values = _values(loop, loop.payments)
    assert report["scope"] == {"kind": "team", "team": "payments", "name": "Payments"}
    assert values["completion_rate"] == (0.5, 2, 4, None)  # done 2 / (2 + not doing 1 + overdue 1)
    assert values["effectiveness_rate"] == (0.5, 1, 2, None)
    assert values["overdue_count"] == (1, None, None, 4)
    assert values["median_days_card_to_action"] == (2.0, None, None, 1)  # held 10 Jan, action 12 Jan
    assert values["median_days_action_to_done"] == (15.0, None, None, 2)  # 10 and 20 days
    assert values["time_to_first_lesson"] == (3.0, None, None, 1)
    assert values["lesson_reuse_rate"] == (0.5, 1, 2, None)
    assert values["stale_knowledge_share"] == (1 / 3, 1, 3, None)
    assert values["experiment_velocity"] == (2 / 3, 2, 3, None)
    assert values["win_rate"] == (0.5, 1, 2, None)
    assert values["experiments_with_lesson_share"] == (0.5, 1, 2, None)
    assert values["session_cadence"] == (1 / 3, 1, 3, None)
    assert values["anonymous_participation_rate"] == (0.5, 2, 4, None)
    assert values["theme_recurrence_rate"] == (None, 0, 0, None)  # no theme came up: missing, not zero
    # No survey campaign: the scales and so the index's survey component are missing, not zero.
    assert values["survey_scale_scores"][0] is None
    survey = next(part for part in report["health_index"]["components"] if part["key"] == "survey_scales")
    assert survey["score"] is None and report["health_index"]["status"] == "reweighted"


def test_department_and_organization_merge_their_teams(loop):
    for team in (loop.department, None):
        _, values = _values(loop, team)
        assert values["completion_rate"] == (0.6, 3, 5, None)  # Platform's done action joins
        assert values["effectiveness_rate"] == (2 / 3, 2, 3, None)
        assert values["median_days_action_to_done"] == (10.0, None, None, 3)  # 10, 20, 10


def test_health_index_components_by_hand(loop):
    report, _ = _values(loop, loop.payments)
    index = report["health_index"]
    scores = {part["key"]: part["score"] for part in index["components"]}
    assert scores == {"completion_rate": 0.5, "effectiveness_rate": 0.5, "session_cadence": 1 / 3,
                      "time_to_first_lesson": 1.0, "lesson_reuse_rate": 0.5, "stale_knowledge_share": 1 - 1 / 3,
                      "survey_scales": None}
    present = 0.7
    expected = 100 * (0.15 * 0.5 + 0.15 * 0.5 + 0.1 / 3 + 0.1 + 0.1 * 0.5 + 0.1 * 2 / 3) / present
    assert abs(index["value"] - expected) < 1e-9 and abs(index["coverage"] - present) < 1e-9


def test_comparison_leaves_out_teams_below_the_threshold(loop):
    teams = [loop.payments, loop.platform]
    facts = metrics.gather_facts([team.pk for team in teams], since=SINCE)
    comparison = metrics.health_comparison(viewer=loop.learning_lead, teams=teams, facts=facts, since=SINCE,
                                           until=UNTIL, today=TODAY, survey=metrics.survey_view(loop.learning_lead))
    assert [row["team"] for row in comparison["teams"]] == ["payments"]
    assert comparison["not_compared"] == [{"team": "platform", "name": "Platform", "size": 1,
                                           "reason": "Fewer than 5 members: not compared."}]
    assert "index" not in comparison["not_compared"][0]


def test_the_sessions_page_figures_come_from_the_catalogue(loop):
    from learnloop.reflection.metrics import team_learning_metrics

    figures = team_learning_metrics(team=loop.payments, since=SINCE, until=UNTIL, today=TODAY)
    _, values = _values(loop, loop.payments)
    assert figures["sessions_per_month"] == round(values["session_cadence"][0], 2) == 0.33
    assert figures["median_days_session_to_lesson"] == values["time_to_first_lesson"][0] == 3.0
    assert figures["completion_rate"] == values["completion_rate"][0]


def test_docs_state_every_metric_as_the_catalogue_defines_it():
    from pathlib import Path

    from learnloop.analytics import learning_health
    from learnloop.analytics.learning_metrics import CATALOGUE

    text = (Path(__file__).resolve().parents[2] / "docs" / "metrics.md").read_text()
    for metric in CATALOGUE:
        assert f"| `{metric.key}` | {metric.name} | {metric.unit} | {metric.formula} |" in text, metric.key
    for component in learning_health.COMPONENTS:
        assert f"| `{component.key}` | {component.name} | {component.weight:.2f} | {component.rule} |" in text
