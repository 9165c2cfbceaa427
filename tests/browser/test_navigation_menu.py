"""The module menu folds behind a "Menu" button on a phone or a narrow window and is a plain row
of links on a wide one (issue 21, item 5); Escape closes it and gives the focus back."""

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_menu_folds_on_a_phone_and_opens_with_its_button(page_as):
    people, _ = factories.small_organization()
    page = page_as(people["admin"])
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/")
    menu_button = page.get_by_role("button", name="Menu")
    knowledge = page.get_by_role("navigation", name="Main").get_by_role("link", name="Knowledge")
    expect(menu_button).to_be_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(knowledge).to_be_hidden()

    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(knowledge).to_be_visible()
    page.keyboard.press("Escape")
    expect(knowledge).to_be_hidden()
    expect(menu_button).to_be_focused()

    menu_button.press("Enter")  # the keyboard opens it too
    knowledge.click()
    page.wait_for_url("**/knowledge/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_wide_window_shows_the_links_and_no_button(page_as):
    people, _ = factories.small_organization()
    page = page_as(people["admin"])
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Knowledge")).to_be_visible()
