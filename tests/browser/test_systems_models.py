"""A stock-and-flow model in a real browser: open Harbourline's knowledge decay model, move a
slider, run, save the run as a scenario and compare it with the demo's scenarios on one chart
(ECharts, from the local copy) with its table; nothing breaks the CSP."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from learnloop.systems import demo_models
from learnloop.systems.stockflow_models import Scenario, StockFlowModel
from tests.systems.conftest import people  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _pysd_loaded():
    # The live server runs in this process: import PySD once here, so the first page doesn't
    # spend the navigation timeout importing it on a loaded machine.
    import pysd  # noqa: F401


def test_move_a_slider_run_save_a_scenario_and_compare(page_as, people):  # noqa: F811
    demo_models.build(SimpleNamespace(extra={}))
    model = StockFlowModel.objects.get(name=demo_models.MODEL_NAME)
    page = page_as(people.member)
    page.goto("/systems/models/")
    page.get_by_role("link", name="Knowledge decay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge decay")
    expect(page.locator("[data-stockflow-chart='stockflow-run-data'] svg").first).to_be_attached()

    slider = page.get_by_label("share of stale lessons reviewed per month (1/Month)")
    slider.focus()
    for _ in range(15):  # the keyboard moves a range input by its step (0.01 here)
        slider.press("ArrowRight")
    expect(page.locator("output[for='c5']")).to_have_text("0.2")
    page.get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(rf"/systems/models/{model.pk}/\?.*c5=0\.2"))
    expect(page.get_by_text("changed", exact=True)).to_be_visible()

    page.get_by_label("Scenario name").fill("Twenty percent reviewed")
    page.get_by_role("button", name="Save as a scenario").click()
    expect(page.get_by_text("Scenario Twenty percent reviewed saved.")).to_be_visible()
    saved = Scenario.objects.get(name="Twenty percent reviewed")
    assert saved.params == {"share of stale lessons reviewed per month": 0.2}

    page.get_by_label("Variable").select_option("Stale lessons")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scenarios compared")
    expect(page.locator("[data-stockflow-chart='stockflow-compare-data'] svg").first).to_be_attached()
    header = page.get_by_test_id("comparison-table").locator("thead")
    for name in ("Baseline", "A lesson from every postmortem", "Monthly review hour", "Twenty percent reviewed"):
        expect(header).to_contain_text(name)
