"""The learning lead sees themes come back on the organization dashboard (the chart is drawn, its
table says the same), then merges two themes and undoes the merge on the corrections page."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from learnloop.insights import themes_services as services
from learnloop.insights.themes_models import ThemeItem
from tests.insights.conftest import DEPLOY, ONCALL, crews, retro  # noqa: F401 (crews is a fixture)

pytestmark = pytest.mark.browser
PERIOD = "?since=2026-01-01&until=2026-06-30"


def test_theme_recurrence_chart_and_undoing_a_merge(page_as, live_server, crews):  # noqa: F811
    retro(crews["Platform"], [DEPLOY[0], ONCALL[0]], held_on=date(2026, 3, 2))
    retro(crews["Payments"], [DEPLOY[1], ONCALL[1]], held_on=date(2026, 4, 6))
    retro(crews["Payments"], [DEPLOY[2], ONCALL[2]], held_on=date(2026, 5, 4))
    services.rebuild()
    deploy = ThemeItem.objects.get(text=DEPLOY[0]).theme
    oncall = ThemeItem.objects.get(text=ONCALL[0]).theme
    assert deploy != oncall

    page = page_as(crews["learning"])
    page.goto(f"/insights/organization/{PERIOD}")
    figure = page.locator("#chart-theme-recurrence")
    expect(figure.locator('.dashboard-chart[data-chart="theme-recurrence"] canvas').first).to_be_attached()
    figure.get_by_text("Data table").click()
    # March: both themes new; April and May: both came up before.
    table = figure.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"^2026-03"))).to_contain_text("2")
    expect(table.get_by_role("row", name=re.compile(r"^2026-05"))).to_contain_text("100")
    expect(figure.get_by_role("link", name="Download CSV")).to_be_visible()

    page.goto(f"/insights/themes/{deploy.pk}/")
    merge = page.get_by_role("form", name="Merge")
    merge.get_by_label("Theme to merge into this one").select_option(label=oncall.title)
    merge.get_by_role("button", name="Merge into this theme").click()
    expect(page.locator(".messages")).to_contain_text("Themes merged")
    expect(page.get_by_role("table").last).to_contain_text(ONCALL[2])

    page.get_by_role("link", name="See and undo corrections").click()
    expect(page).to_have_url(re.compile(r"/insights/themes/corrections/$"))
    row = page.locator("#theme-corrections tbody tr").first
    expect(row).to_contain_text("Lena Learning")
    row.get_by_role("button", name="Undo").click()
    expect(page.locator(".messages")).to_contain_text("Correction undone")
    expect(page.locator("#theme-corrections tbody tr").first).to_contain_text("Undone")
    expect(page.locator("#theme-corrections tbody tr").first.get_by_role("button", name="Undo")).to_have_count(0)

    page.goto(f"/insights/themes/{deploy.pk}/")
    expect(page.get_by_role("table").last).to_contain_text(DEPLOY[2])
    expect(page.get_by_role("table").last).not_to_contain_text(ONCALL[2])
    page.goto(f"/insights/themes/{oncall.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(oncall.title)
    expect(page.get_by_role("table").last).to_contain_text(ONCALL[2])
