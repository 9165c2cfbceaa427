"""Dashboard pages, their CSV exports, the metrics API and `learnloop metrics show`: who may see
what, and that every door shows the catalogue's numbers."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import signed_in_client
from tests.insights.conftest import SINCE, UNTIL

PERIOD = f"since={SINCE}&until={UNTIL}"


def test_learning_lead_opens_every_dashboard_with_charts_and_tables(loop):
    client = signed_in_client(loop.learning_lead)
    index = client.get("/insights/").content.decode()
    for path in ("/insights/organization/", "/insights/teams/engineering/", "/insights/teams/payments/"):
        assert path in index
        page = client.get(f"{path}?{PERIOD}").content.decode()
        assert 'id="dashboard-chart-data"' in page and "vendor/echarts/echarts.min.js" in page
        assert page.count('class="dashboard-chart"') >= 3 and page.count("Data table") >= 4
        assert 'id="health-components"' in page and "Download CSV" in page
    organization = client.get(f"/insights/organization/?{PERIOD}").content.decode()
    assert "Fewer than 5 members: not compared." in organization  # Platform is listed, not compared


def test_team_member_sees_their_team_and_nothing_else(loop):
    client = signed_in_client(loop.payments_members[0])
    assert client.get("/insights/teams/payments/").status_code == 200
    assert client.get("/insights/teams/platform/").status_code == 403
    assert client.get("/insights/teams/engineering/").status_code == 403
    assert client.get("/insights/organization/").status_code == 403
    assert client.get("/insights/teams/platform/funnel.csv").status_code == 403
    index = client.get("/insights/").content.decode()
    assert "/insights/teams/payments/" in index and "/insights/teams/platform/" not in index
    assert "/insights/organization/" not in index


def test_department_lead_sees_the_department_and_its_teams(loop):
    client = signed_in_client(loop.dept_lead)
    for path in ("/insights/teams/engineering/", "/insights/teams/payments/", "/insights/teams/platform/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/insights/organization/").status_code == 403


def test_unknown_team_and_chart_are_404_and_a_bad_period_is_a_form_error(loop):
    client = signed_in_client(loop.learning_lead)
    assert client.get("/insights/teams/nope/").status_code == 404
    assert client.get("/insights/organization/nope.csv").status_code == 404
    response = client.get("/insights/organization/?since=2025-05-01&until=2025-01-01")
    assert response.status_code == 200 and "The period must start before it ends." in response.content.decode()
    response = client.get("/insights/organization/?since=yesterday")
    assert response.status_code == 200 and "Enter a valid date." in response.content.decode()


def test_csv_export_is_the_charts_table(loop):
    client = signed_in_client(loop.learning_lead)
    response = client.get(f"/insights/teams/payments/funnel.csv?{PERIOD}")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Stage", "Count"], ["Cards written", "4"], ["Actions raised", "4"], ["Actions done", "2"],
                    ["Found effective", "1"], ["Lessons kept", "2"], ["Lessons reused", "1"]]
    series = list(csv.reader(io.StringIO(client.get(f"/insights/teams/payments/loop-series.csv?{PERIOD}")
                                         .content.decode())))
    assert series[0][0] == "Month" and [row[0] for row in series[1:]] == [
        "2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12",
        "2025-01", "2025-02", "2025-03"]
    assert series[-2][1] == "50.0"  # February: 1 done of 2 expected (done, overdue)


def test_theme_recurrence_chart_counts_each_month_from_the_themes(loop):
    from datetime import date

    from learnloop.insights.themes_models import Theme, ThemeItem

    first, second = Theme.objects.create(label="deploys"), Theme.objects.create(label="on-call")
    for number, (theme, team, on) in enumerate([
            (first, loop.payments, date(2025, 1, 8)), (first, loop.payments, date(2025, 3, 2)),
            (second, loop.payments, date(2025, 3, 9)), (second, loop.platform, date(2025, 2, 1))]):
        ThemeItem.objects.create(theme=theme, source="action", ref=str(number), key=f"action:t{number}", text="t",
                                 team=team, on=on)
    client = signed_in_client(loop.learning_lead)
    rows = list(csv.reader(io.StringIO(client.get(f"/insights/teams/payments/theme-recurrence.csv?{PERIOD}")
                                       .content.decode())))
    assert rows[0] == ["Month", "Themes", "Came up before", "First time", "Recurrence rate (%)"]
    assert rows[-3:] == [["2025-01", "1", "0", "1", "0.0"], ["2025-02", "0", "0", "0", ""],
                         ["2025-03", "2", "1", "1", "50.0"]]  # Platform's February item is not Payments'
    organization = list(csv.reader(io.StringIO(client.get(f"/insights/organization/theme-recurrence.csv?{PERIOD}")
                                               .content.decode())))
    assert organization[-3:] == [["2025-01", "1", "0", "1", "0.0"], ["2025-02", "1", "0", "1", "0.0"],
                                 ["2025-03", "2", "2", "0", "100.0"]]
    page = client.get(f"/insights/teams/payments/?{PERIOD}").content.decode()
    assert 'data-chart="theme-recurrence"' in page and "Themes coming back, month by month" in page


def test_api_gives_the_catalogue_values_and_refuses_other_teams(loop, api_as):
    lead = api_as(loop.learning_lead)
    body = lead.get(f"/api/v1/insights/metrics?team=payments&{PERIOD}").json()
    values = {item["key"]: item for item in body["metrics"]}
    assert (values["completion_rate"]["value"], values["completion_rate"]["numerator"],
            values["completion_rate"]["denominator"]) == (0.5, 2, 4)
    assert values["theme_recurrence_rate"]["value"] is None
    assert "No theme you may see came up" in values["theme_recurrence_rate"]["missing_reason"]
    catalogue = lead.get("/api/v1/insights/metrics/catalogue").json()
    assert [item["key"] for item in catalogue] == [item["key"] for item in body["metrics"]]
    health = lead.get(f"/api/v1/insights/health?team=payments&{PERIOD}").json()
    assert health["health_index"] == body["health_index"]
    teams = lead.get(f"/api/v1/insights/health/teams?{PERIOD}").json()
    assert [row["team"] for row in teams["teams"]] == ["payments"] and teams["not_compared"][0]["team"] == "platform"

    member = api_as(loop.payments_members[0])
    assert member.get("/api/v1/insights/metrics?team=payments").status_code == 200
    assert member.get("/api/v1/insights/metrics?team=platform").status_code == 403
    assert member.get("/api/v1/insights/metrics").status_code == 403
    assert member.get("/api/v1/insights/health/teams").status_code == 403
    bad = lead.get("/api/v1/insights/metrics?since=2025-05-01&until=2025-01-01")
    assert bad.status_code == 400 and "since" in bad.json()["errors"]
    assert lead.get("/api/v1/insights/metrics?team=nope").status_code == 404


def test_cli_prints_the_same_json_as_the_api(loop, api_as):
    out = io.StringIO()
    call_command("metrics", "show", "--team", "payments", "--since", str(SINCE), "--until", str(UNTIL),
                 "--format", "json", "--as", loop.learning_lead.email, stdout=out)
    printed = json.loads(out.getvalue())
    api = api_as(loop.learning_lead).get(f"/api/v1/insights/metrics?team=payments&{PERIOD}").json()
    assert printed["metrics"] == api["metrics"] and printed["health_index"] == api["health_index"]
    with pytest.raises(CommandError, match="--team"):
        call_command("metrics", "show", "--team", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--since"):
        call_command("metrics", "show", "--since", "2025-05-01", "--until", "2025-01-01", stdout=io.StringIO())
