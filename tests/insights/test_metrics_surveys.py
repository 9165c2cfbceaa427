"""Survey scale scores reach the metrics, the health index and the heat map only as the
disclosure gate releases them: a team below the threshold is missing, never zero, never drawn."""

from learnloop.insights import dashboard_data, metrics
from learnloop.surveys.disclosure_gate import GroupKey
from learnloop.surveys.reports import CampaignReport
from tests.surveys.conftest import run_campaign, survey_org  # noqa: F401 (survey_org is a fixture)


def _survey_metric(report):
    return next(item for item in report["metrics"] if item["key"] == "survey_scale_scores")


def test_released_team_scales_and_withheld_small_team(survey_org):  # noqa: F811
    campaign = run_campaign(survey_org)
    admin = survey_org.admin
    since, until = metrics.default_period()
    payments, search = survey_org.teams["Payments"], survey_org.teams["Search"]

    report = metrics.metrics_report(viewer=admin, scope=metrics.scope_for(payments), since=since, until=until)
    released = CampaignReport(campaign, admin).group(GroupKey(str(payments.pk)))
    assert _survey_metric(report)["value"] == [{"key": s.key, "name": s.name, "mean": s.mean} for s in released.scores]
    assert _survey_metric(report)["n"] == 6
    survey_part = next(part for part in report["health_index"]["components"] if part["key"] == "survey_scales")
    means = [score.mean for score in released.scores]
    assert abs(survey_part["score"] - (sum(means) / len(means) - 1) / 4) < 1e-9

    small = metrics.metrics_report(viewer=admin, scope=metrics.scope_for(search), since=since, until=until)
    assert _survey_metric(small)["value"] is None and _survey_metric(small)["missing_reason"]
    assert next(part for part in small["health_index"]["components"]
                if part["key"] == "survey_scales")["score"] is None

    data = dashboard_data.dashboard(viewer=admin, scope=metrics.scope_for(None), teams=metrics.all_teams(),
                                    since=since, until=until)
    heatmap = next(chart for chart in data["charts"] if chart["id"] == "survey-heatmap")
    assert "Payments" in heatmap["y"] and "Search" not in heatmap["y"]
    assert any("Search" in item["label"] for item in heatmap["withheld"])
    assert all(row[0] != "Search" for row in heatmap["rows"])


def test_a_team_member_sees_only_the_groups_released_to_them(survey_org):  # noqa: F811
    run_campaign(survey_org)
    member = survey_org.people["Platform"][1]
    since, until = metrics.default_period()
    platform = survey_org.teams["Platform"]
    data = dashboard_data.dashboard(viewer=member, scope=metrics.scope_for(platform), teams=metrics.all_teams(),
                                    since=since, until=until)
    heatmap = next(chart for chart in data["charts"] if chart["id"] == "survey-heatmap")
    assert heatmap["y"] == ["Platform"]
    assert "Sales" not in str(heatmap) and "Payments" not in str(heatmap)
