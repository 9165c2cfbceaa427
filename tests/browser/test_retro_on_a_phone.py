"""A whole retro on a 375 px phone: the facilitator runs a timer, both write, group, react, vote,
discuss, take an action and close, and no board along the way scrolls sideways."""

import pytest
from playwright.sync_api import expect

from learnloop.reflection import services
from tests import factories

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def _fits(page):
    assert page.evaluate(OVERFLOW) <= 0, f"{page.url} scrolls sideways on a phone"


def _write(page, column, text):
    page.get_by_label("Column").select_option(label=column)
    page.get_by_label("Your card", exact=True).fill(text)
    page.get_by_role("button", name="Add card").click()
    expect(page.get_by_text("Card added.")).to_be_visible()


def test_a_full_retro_with_timer_and_reactions_on_a_phone(page_as, team):
    fran = factories.person(full_name="Fran Facilitator")
    factories.membership(fran, team, role="facilitator")
    mo = factories.person(full_name="Mo Member")
    factories.membership(mo, team)
    session = services.create_session(by=fran, team=team, template=services.builtin_template("start-stop-continue"),
                                      title="Sprint 9 retro", anonymity="anonymous")
    facilitator, member = page_as(fran), page_as(mo)
    for page in (facilitator, member):
        page.set_viewport_size(PHONE)
        page.goto(f"/sessions/{session.pk}/")
        _fits(page)

    facilitator.get_by_role("button", name="Next phase: reflect").click()
    expect(member.get_by_test_id("phase")).to_have_text("Reflect")
    facilitator.get_by_label("Timer, minutes").fill("5")
    facilitator.get_by_role("button", name="Start timer").click()
    expect(facilitator.get_by_text("Timer set: 5 minutes.")).to_be_visible()
    expect(member.get_by_test_id("timer")).to_contain_text("left")
    _write(member, "Stop", "Long planning meetings")
    _write(facilitator, "Stop", "Planning meetings run too long")
    _write(facilitator, "Continue", "Demo on Fridays")
    for page in (facilitator, member):
        _fits(page)

    facilitator.get_by_role("button", name="Reveal cards").click()
    expect(member.get_by_text("Demo on Fridays")).to_be_visible()
    # A reaction shows as a count, never as a name, in an anonymous session.
    member.reload()
    members_card = member.locator("li", has_text="Demo on Fridays")
    members_card.get_by_role("button", name="React 🎉").click()
    members_card = member.locator("li", has_text="Demo on Fridays")
    expect(members_card.get_by_role("button", name="React 🎉, 1 so far")).to_be_visible()
    facilitator.reload()
    demo_card = facilitator.locator("li", has_text="Demo on Fridays")
    expect(demo_card.get_by_role("button", name="React 🎉, 1 so far")).to_be_visible()
    expect(demo_card).not_to_contain_text("Mo Member")

    facilitator.get_by_role("button", name="Next phase: group").click()
    expect(member.get_by_test_id("phase")).to_have_text("Group")
    member.get_by_label("Title for this suggested group").fill("Planning")
    member.get_by_role("button", name="Accept suggestion").click()
    expect(member.get_by_role("heading", name="Planning")).to_be_visible()
    _fits(member)

    facilitator.reload()
    facilitator.get_by_role("button", name="Next phase: vote").click()
    expect(member.get_by_test_id("votes-left")).to_have_text("(3 votes left)")
    member.get_by_role("button", name="Vote for Planning").click()
    expect(member.get_by_test_id("votes-left")).to_have_text("(2 votes left)")
    _fits(member)

    facilitator.get_by_role("button", name="Next phase: discuss").click()
    expect(facilitator.get_by_label("Discussion notes for Planning")).to_be_visible()
    facilitator.get_by_label("Discussion notes for Planning").fill("Planning takes two hours.")
    facilitator.get_by_label("Decision for Planning").fill("Cap planning at 45 minutes")
    facilitator.locator("article.group", has_text="Planning").get_by_role("button", name="Save notes").click()
    expect(facilitator.get_by_text("Notes saved for “Planning”.")).to_be_visible()
    _fits(facilitator)

    facilitator.get_by_role("button", name="Next phase: actions").click()
    facilitator.get_by_label("Action", exact=True).fill("Timebox planning to 45 minutes")
    facilitator.get_by_label("Owner").select_option(label="Mo Member")
    facilitator.get_by_role("button", name="Create action").click()
    expect(facilitator.get_by_text("Action created.")).to_be_visible()
    _fits(facilitator)
    facilitator.get_by_role("button", name="Next phase: closed").click()
    member.reload()
    expect(member.get_by_test_id("phase")).to_have_text("Closed")
    expect(member.locator("#actions-heading + ul")).to_contain_text("Timebox planning to 45 minutes")
    _fits(member)
    member.goto(f"/sessions/{session.pk}/summary/")
    expect(member.get_by_test_id("decision")).to_contain_text("Cap planning at 45 minutes")
    _fits(member)
