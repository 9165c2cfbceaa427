import re

import pytest
from playwright.sync_api import Page, expect

from learnloop.knowledge import services

pytestmark = pytest.mark.browser


def result_titles(page: Page):
    return page.locator("#knowledge-results .hits h3 a")


def test_find_an_entry_by_typing(page_as, live_server, member):
    lesson = services.create_entry(
        by=member, kind="lesson", title="Roll back database migrations in two steps",
        body="Ship the code change first, then the schema change.", tags=["deploys"],
    )
    decision = services.create_entry(
        by=member, kind="decision", title="Run database migrations before the deploy",
        context="Deploys failed halfway.", decision="Migrations run in their own pipeline step.",
    )
    services.create_entry(by=member, kind="lesson", title="Pair on incident reviews", body="Two people, one pen.")
    page = page_as(member)
    page.goto("/knowledge/")
    expect(result_titles(page)).to_have_count(3)
    page.evaluate("window.__stillTheSamePage = true")

    page.get_by_label("Search the knowledge base").press_sequentially("migrations")
    expect(result_titles(page)).to_have_count(2)
    expect(page.locator("#knowledge-status")).to_have_text(re.compile(r"2 entries for “migrations”"))
    expect(page).to_have_url(re.compile(r"/knowledge/\?q=migrations$"))
    # The matching words are highlighted in the titles.
    expect(result_titles(page).filter(has_text=lesson.title).locator("mark")).to_have_text(re.compile("migrations"))
    hit = page.locator("#knowledge-results .hits > li").filter(has_text=lesson.title)
    expect(hit).to_contain_text("Fresh")
    expect(hit).to_contain_text("Owner: Mo Member")
    expect(hit).to_contain_text("Applied 0 times")

    assert page.evaluate("window.__stillTheSamePage") is True
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    # The pushed address is a real page: loading it shows the same search, server-rendered.
    page.goto("/knowledge/?q=migrations")
    expect(page.get_by_label("Search the knowledge base")).to_have_value("migrations")
    expect(result_titles(page)).to_have_count(2)
    result_titles(page).filter(has_text=decision.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(decision.title)


def test_narrow_a_search_with_a_facet(page_as, live_server, member):
    services.create_entry(by=member, kind="lesson", title="Roll back database migrations in two steps",
                          body="Ship the code change first, then the schema change.")
    decision = services.create_entry(
        by=member, kind="decision", title="Run database migrations before the deploy",
        context="Deploys failed halfway.", decision="Migrations run in their own pipeline step.",
    )
    page = page_as(member)
    page.goto("/knowledge/?q=migrations")
    expect(result_titles(page)).to_have_count(2)
    page.evaluate("window.__stillTheSamePage = true")

    # A facet narrows the results in place, with the filter in the address.
    decisions = page.get_by_role("group", name="Kind").get_by_role("checkbox", name=re.compile(r"^Decision record"))
    expect(decisions).to_have_accessible_name(re.compile(r"^Decision record \(1\)$"))  # with its count
    decisions.check()
    expect(result_titles(page)).to_have_text([decision.title])
    expect(page).to_have_url(re.compile(r"/knowledge/\?q=migrations&kind=decision$"))
    # The region was replaced; the checkbox in it keeps its state and the keyboard focus.
    expect(decisions).to_be_checked()
    expect(decisions).to_be_focused()

    decisions.uncheck()
    expect(result_titles(page)).to_have_count(2)
    assert page.evaluate("window.__stillTheSamePage") is True

    # The pushed address is a real page: loading it shows the same filter, server-rendered.
    page.goto("/knowledge/?q=migrations&kind=decision")
    expect(result_titles(page)).to_have_text([decision.title])
    expect(decisions).to_be_checked()
