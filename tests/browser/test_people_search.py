import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories

pytestmark = pytest.mark.browser


def result_names(page: Page):
    return page.locator("#people-results tbody td:first-child > a")


def test_search_as_you_type_narrows_the_list_in_place_and_updates_the_url(page_as, live_server, member):
    factories.person(full_name="Grace Hopper", title="Compiler engineer")
    factories.person(full_name="Alan Turing", title="Mathematician")
    factories.person(full_name="Katherine Johnson", title="Engineer", email="kj@example.org")
    page = page_as(member)

    page.goto("/people/")
    expect(result_names(page)).to_have_text(["Alan Turing", "Grace Hopper", "Katherine Johnson", "Mo Member"])
    # Anything set on the window survives only if the page is not reloaded.
    page.evaluate("window.__stillTheSamePage = true")

    search = page.get_by_label("Search people")
    search.press_sequentially("engin")
    # Titles match as well as names: two titles contain "engin".
    expect(result_names(page)).to_have_text(["Grace Hopper", "Katherine Johnson"])
    expect(page.locator("#people-results")).to_contain_text("2 people")
    expect(page).to_have_url(re.compile(r"/people/\?q=engin(&|$)"))

    search.press_sequentially(" grace")
    expect(result_names(page)).to_have_text(["Grace Hopper"])
    expect(page.locator("#people-results")).to_contain_text("1 person")
    expect(page).to_have_url(re.compile(r"/people/\?q=engin(%20|\+)grace(&|$)"))

    search.fill("nobody-like-this")
    expect(page.locator("#people-results")).to_contain_text("Nobody matches these filters.")
    expect(result_names(page)).to_have_count(0)

    assert page.evaluate("window.__stillTheSamePage") is True
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    # The pushed URL is a real address: loading it shows the same search, server-rendered.
    page.goto("/people/?q=hopper")
    expect(page.get_by_label("Search people")).to_have_value("hopper")
    expect(result_names(page)).to_have_text(["Grace Hopper"])
