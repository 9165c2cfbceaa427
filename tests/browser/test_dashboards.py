"""The dashboards in a real browser, as the learning lead and as a team lead: charts draw
(ECharts canvases, from the local copy), each has its data table, and nothing breaks the CSP."""

import pytest
from playwright.sync_api import expect

from tests.insights.conftest import SINCE, UNTIL, loop  # noqa: F401 (loop is a fixture)

pytestmark = pytest.mark.browser
PERIOD = f"?since={SINCE}&until={UNTIL}"


def _charts_drawn(page, chart_ids):
    for chart_id in chart_ids:
        expect(page.locator(f'.dashboard-chart[data-chart="{chart_id}"] canvas').first).to_be_attached()
        figure = page.locator(f"#chart-{chart_id}")
        expect(figure.get_by_text("Data table")).to_be_visible()
        expect(figure.get_by_role("link", name="Download CSV")).to_be_visible()


def test_learning_lead_and_team_lead_walk_their_dashboards(page_as, loop):  # noqa: F811
    page = page_as(loop.learning_lead)
    page.goto("/insights/")
    page.get_by_role("link", name="Whole organization").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("organization dashboard")
    page.goto(f"/insights/organization/{PERIOD}")
    _charts_drawn(page, ["loop-series", "funnel", "portfolio", "health"])
    funnel = page.locator("#chart-funnel")
    funnel.get_by_text("Data table").click()
    expect(funnel.get_by_role("row", name="Cards written 4")).to_be_visible()
    expect(page.locator("#not-compared")).to_contain_text("Platform")
    expect(page.locator("#health-components")).to_contain_text("Survey scales (released)")

    team_lead = page_as(loop.payments_lead)
    team_lead.goto("/insights/")
    expect(team_lead.get_by_role("link", name="Whole organization")).to_have_count(0)
    team_lead.get_by_role("link", name="Payments").click()
    expect(team_lead.get_by_role("heading", level=1)).to_contain_text("Payments")
    team_lead.goto(f"/insights/teams/payments/{PERIOD}")
    _charts_drawn(team_lead, ["loop-series", "funnel", "portfolio"])
    expect(team_lead.locator('tr[data-metric="completion_rate"]')).to_contain_text("50.0%")
    expect(team_lead.locator('tr[data-metric="theme_recurrence_rate"]')).to_contain_text("missing")
