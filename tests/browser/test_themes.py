"""A learning lead opens the recurring themes, a theme, renames it and merges another into it;
both corrections survive a regrouping."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from learnloop.insights import themes_services as services
from learnloop.insights.themes_models import ThemeItem
from tests.insights.conftest import DEPLOY, ONCALL, crews, retro  # noqa: F401 (crews is a fixture)

pytestmark = pytest.mark.browser


def test_learning_lead_corrects_a_theme_and_the_correction_survives_a_regrouping(page_as, live_server, crews):  # noqa: F811
    retro(crews["Platform"], [DEPLOY[0], ONCALL[0]], held_on=date(2026, 3, 2))
    retro(crews["Payments"], [DEPLOY[1], ONCALL[1]], held_on=date(2026, 4, 6), anonymity="anonymous")
    retro(crews["Payments"], [DEPLOY[2], ONCALL[2]], held_on=date(2026, 5, 4))
    services.rebuild()
    deploy = ThemeItem.objects.get(text=DEPLOY[0]).theme
    oncall = ThemeItem.objects.get(text=ONCALL[0]).theme

    page = page_as(crews["learning"])
    page.goto("/insights/themes/")
    expect(page.get_by_role("table")).to_contain_text("This came up in 3 retros across 2 teams.")
    page.get_by_role("link", name=deploy.title).click()
    expect(page).to_have_url(re.compile(rf"/insights/themes/{deploy.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(deploy.title)
    # The month bars are drawn by ECharts (a canvas), with the figures in the tables beside them.
    expect(page.locator('.dashboard-chart[data-chart="theme-trend"] canvas')).to_have_count(1)

    rename = page.get_by_role("form", name="Rename")
    rename.get_by_label("New name").fill("Friday deploys break production")
    rename.get_by_role("button", name="Rename").click()
    expect(page.locator(".messages")).to_contain_text("Theme renamed")
    merge = page.get_by_role("form", name="Merge")
    merge.get_by_label("Theme to merge into this one").select_option(label=oncall.title)
    merge.get_by_role("button", name="Merge into this theme").click()
    expect(page.locator(".messages")).to_contain_text("Themes merged")
    expect(page.get_by_role("table").last).to_contain_text(ONCALL[2])

    services.rebuild()  # the nightly regrouping: the algorithm alone keeps the two apart
    page.goto(f"/insights/themes/{deploy.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Friday deploys break production")
    expect(page.get_by_role("table").last).to_contain_text(ONCALL[2])
    expect(page.get_by_role("table").last).to_contain_text(DEPLOY[1])
