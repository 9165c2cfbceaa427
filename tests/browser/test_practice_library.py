"""An admin imports the learning-practice library from the knowledge pages; a member only sees it."""

import pytest
from playwright.sync_api import expect

from learnloop.knowledge.models import Entry
from learnloop.knowledge.practice_library import library

pytestmark = pytest.mark.browser


def test_admin_imports_the_library_once(page_as, live_server, admin):
    page = page_as(admin)
    page.goto("/knowledge/transfer/")
    page.get_by_role("link", name="See the library and import it").click()
    expect(page.get_by_role("heading", name="Learning-practice library")).to_be_visible()
    expect(page.locator("#practices")).to_contain_text("Running a cross-team demo")

    page.get_by_role("button", name=f"Import {len(library())} practice playbooks").click()
    expect(page.get_by_role("main")).to_contain_text(f"{len(library())} practice playbooks were imported")
    expect(page.get_by_text("Every practice of the library is in your knowledge base")).to_be_visible()
    assert Entry.objects.filter(tags__name="practice").count() == len(library())

    page.get_by_role("link", name="Running a cross-team demo").click()
    expect(page.get_by_role("main")).to_contain_text("What good looks like")


def test_members_see_the_library_without_an_import_button(page_as, live_server, member):
    page = page_as(member)
    page.goto("/knowledge/transfer/practices/")
    expect(page.get_by_role("main")).to_contain_text("Only admins can import the library.")
    expect(page.get_by_role("button", name="practice playbooks")).to_have_count(0)
