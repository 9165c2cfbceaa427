"""A team lead clones a built-in template into their team, edits its columns, and starts a session with it."""

import re

import pytest
from playwright.sync_api import expect

from learnloop.reflection.models import Session, Template
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def lead(team):
    person = factories.person(email="lee.lead@example.org", full_name="Lee Lead")
    factories.membership(person, team, role="facilitator")
    return person


def test_clone_a_built_in_template_edit_it_and_use_it(page_as, live_server, lead, team):
    page = page_as(lead)
    page.goto("/sessions/")
    page.get_by_role("link", name="Templates").click()
    expect(page).to_have_url(re.compile(r"/sessions/templates/$"))

    sailboat = page.locator("article.template").filter(has=page.get_by_text("Sailboat", exact=True))
    sailboat.get_by_text("Clone", exact=True).click()
    sailboat.get_by_label("Name of the copy").fill("Quarter-end sailboat")
    sailboat.get_by_label("Belongs to").select_option(label=f"Team: {team.name}")
    sailboat.get_by_role("button", name="Clone Sailboat").click()

    expect(page.get_by_role("heading", name="Edit Quarter-end sailboat")).to_be_visible()
    expect(page.get_by_label("Column 1 title")).to_have_value("Wind")
    page.get_by_label("Column 1 title").fill("Tailwinds")
    page.get_by_label("Column 2 prompt").fill("What held us back this quarter?")
    page.get_by_label("Column 3 title").fill("")  # drop "Rocks"
    page.get_by_label("Column 5 title").fill("Crew")
    page.get_by_label("Column 5 prompt").fill("Who made the difference?")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Template saved.")).to_be_visible()

    template = Template.objects.get(name="Quarter-end sailboat")
    assert [column["title"] for column in template.columns] == ["Tailwinds", "Anchors", "Island", "Crew"]
    assert template.columns[1]["prompt"] == "What held us back this quarter?"
    assert template.team == team

    # The copy is offered when the team starts a session, with its own columns.
    page.goto("/sessions/")
    page.get_by_label("Title").fill("Q3 close")
    page.get_by_label("Template").select_option(label="Quarter-end sailboat")
    page.get_by_role("button", name="Start session").click()
    expect(page.get_by_role("heading", name="Q3 close")).to_be_visible()
    session = Session.objects.get(title="Q3 close")
    assert session.template == template
    expect(page.get_by_role("region", name="Crew")).to_contain_text("Who made the difference?")
