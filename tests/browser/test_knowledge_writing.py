import re

import pytest
from playwright.sync_api import expect

from learnloop.knowledge import services
from learnloop.knowledge.models import Entry

pytestmark = pytest.mark.browser


def test_the_editor_points_at_similar_entries_while_the_title_is_typed(page_as, live_server, member):
    existing = services.create_entry(
        by=member, kind="lesson", title="Roll back database migrations in two steps",
        body="Ship the code change first, then the schema change, so a rollback never meets a missing column.",
    )
    page = page_as(member)
    page.goto("/knowledge/")
    page.get_by_role("button", name="New entry").click()
    page.get_by_role("link", name="A lesson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New lesson")
    page.evaluate("window.__stillTheSamePage = true")

    warning = page.locator("#similar-entries")
    expect(warning).to_be_empty()
    page.get_by_label("Title").press_sequentially("Rolling back database migrations")
    expect(warning).to_contain_text("Similar entries already exist")
    # It opens in a new tab, so what is being written isn't lost.
    expect(warning.get_by_role("link", name=existing.title)).to_have_attribute("target", "_blank")
    assert page.evaluate("window.__stillTheSamePage") is True
    expect(page.get_by_label("Title")).to_have_value("Rolling back database migrations")


def test_write_a_lesson_edit_it_compare_versions_and_restore_one(page_as, live_server, member, team):
    page = page_as(member)
    page.goto("/knowledge/new/?kind=lesson")

    # A mistake is shown on its field and nothing typed is lost.
    page.get_by_label("Title").fill("Expand, then contract")
    page.get_by_label("Tags").fill("deploys, databases")
    page.get_by_role("group", name="Who can read it").get_by_label("Its teams only").check()
    page.get_by_role("button", name="Save lesson").click()
    expect(page.locator("#id_body_error")).to_have_text("Write the lesson or playbook itself.")
    expect(page.get_by_label("Its teams only")).to_be_checked()
    expect(page.get_by_label("Title")).to_have_value("Expand, then contract")
    expect(page.get_by_label("Tags")).to_have_value("deploys, databases")

    page.get_by_label("The lesson").fill("Add the new column.\nDeploy code that writes both.\nDrop the old one.")
    page.get_by_role("group", name="Teams it belongs to").get_by_label("Payments").check()
    page.get_by_role("button", name="Save lesson").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Expand, then contract")
    expect(page.locator(".messages")).to_contain_text("“Expand, then contract” was saved.")
    entry = Entry.objects.get(title="Expand, then contract")
    expect(page).to_have_url(re.compile(rf"/knowledge/{entry.pk}/$"))
    about = page.get_by_role("complementary", name="About this entry")
    expect(about).to_contain_text("Its teams only")
    expect(about.get_by_role("link", name="Payments")).to_be_visible()
    expect(about.get_by_role("link", name="Mo Member")).to_have_count(2)  # owner and author

    # Edit: a second version, with a note for the history.
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("The lesson").fill("Add the new column.\nDeploy code that writes both.\nBackfill.\n"
                                         "Drop the old one.")
    page.get_by_label("What changed?").fill("Backfill step")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("main").get_by_text("Backfill.")).to_be_visible()

    page.get_by_role("button", name="History").click()
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Backfill step")).to_contain_text("Mo Member")
    expect(rows.filter(has_text="Created")).to_have_count(1)

    page.get_by_role("link", name="Changes in version 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from version 1 to version 2")
    added = page.locator(".diff-added")
    expect(added).to_have_count(1)
    expect(added).to_have_text(re.compile(r"Added:\s*Backfill\.$"))
    expect(page.locator(".diff-removed")).to_have_count(0)

    page.get_by_role("link", name="Back to the history").click()
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.locator(".messages")).to_contain_text("Version 1 was restored as version 3.")
    expect(page.get_by_role("main").get_by_text("Backfill.")).to_have_count(0)
    entry.refresh_from_db()
    assert entry.version == 3
    assert "Backfill" not in entry.body
