"""The network report in a real browser: the heat map, the admins' people map and the quarterly
chart draw (ECharts, from the local copy) beside their tables, and nothing breaks the CSP."""

import pytest
from playwright.sync_api import expect

from tests.network.test_report import org  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _libraries_loaded():
    # The live server runs in this process: load igraph and scipy once here, so the first page
    # doesn't spend the navigation timeout importing them on a loaded machine.
    import igraph  # noqa: F401
    import scipy.sparse  # noqa: F401


def test_admin_sees_the_heat_map_people_map_and_trend(page_as, org):  # noqa: F811
    page = page_as(org["admin"])
    page.goto("/network/?since=2026-01-01&until=2026-07-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge network")
    expect(page.locator('[data-chart="flow-matrix"] svg').first).to_be_attached()
    expect(page.locator('[data-chart="quarters"] svg').first).to_be_attached()
    expect(page.locator('[data-chart="people-map"] canvas').first).to_be_attached()
    page.select_option("[data-map-colour]", "community")
    expect(page.get_by_role("row", name="Alpha 6 3.0 2.0 0.0")).to_be_visible()


def test_a_facilitator_gets_no_people_map(page_as, org):  # noqa: F811
    page = page_as(org["people"]["b0"])
    page.goto("/network/?since=2026-01-01&until=2026-07-01")
    expect(page.locator('[data-chart="flow-matrix"] svg').first).to_be_attached()
    expect(page.locator('[data-chart="team-map"] canvas').first).to_be_attached()  # teams, not people
    expect(page.locator('[data-chart="people-map"]')).to_have_count(0)
