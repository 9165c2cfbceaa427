"""A retro and a survey answer done with the keyboard alone (issue 21, item 6): every step is
reached with Tab and worked with Enter, Space, arrows and typing, never with the mouse."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from learnloop.reflection import services as reflection
from learnloop.reflection.models import Card, Group
from learnloop.surveys import services as surveys
from learnloop.surveys.models import Instrument, Invitation, Response
from learnloop.surveys.tokens import token_for
from tests import factories

pytestmark = pytest.mark.browser

TABS_AT_MOST = 120
FOCUSED = """() => {
  const element = document.activeElement;
  return {tag: element.tagName.toLowerCase(), type: element.type || "", name: element.name || "",
          label: element.getAttribute("aria-label") || (element.labels && element.labels[0]
                 ? element.labels[0].textContent.trim() : "") || element.textContent.trim()};
}"""


def tab_to(page: Page, wanted) -> dict:
    """Press Tab until the focused element satisfies `wanted(focused)`; fail after TABS_AT_MOST."""
    for _ in range(TABS_AT_MOST):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError("never reached by Tab")


def test_a_retro_with_the_keyboard_alone(page_as, team):
    fran = factories.person(full_name="Fran Facilitator")
    factories.membership(fran, team, role="facilitator")
    mo = factories.person(full_name="Mo Member")
    factories.membership(mo, team)
    session = reflection.create_session(by=fran, team=team, template=reflection.builtin_template(
        "start-stop-continue"), title="Keyboard retro", anonymity="named")
    reflection.join_session(by=fran, session=session)
    session = reflection.set_phase(by=fran, session=session, phase="reflect")
    page = page_as(mo)
    page.goto(f"/sessions/{session.pk}/")

    tab_to(page, lambda focused: focused["tag"] == "select" and "Column" in focused["label"])
    page.keyboard.press("ArrowDown")  # Start → Stop
    tab_to(page, lambda focused: focused["tag"] == "textarea")
    page.keyboard.type("Long planning meetings")
    tab_to(page, lambda focused: focused["label"] == "Add card")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Card added.")).to_be_visible()
    card = Card.objects.get(session=session)
    assert (card.column, card.text, card.author_id) == ("stop", "Long planning meetings", mo.pk)

    session.refresh_from_db()
    session = reflection.reveal(by=fran, session=session)
    session = reflection.set_phase(by=fran, session=session, phase="group")
    session = reflection.set_phase(by=fran, session=session, phase="vote")
    page.goto(f"/sessions/{session.pk}/")
    tab_to(page, lambda focused: focused["label"].startswith("Vote for"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("votes-left")).to_have_text("(2 votes left)")
    assert sum(Group.objects.filter(session=session).values_list("votes", flat=True)) == 1


def test_a_survey_answered_with_the_keyboard_alone(new_context, survey_org_small):
    admin, person = survey_org_small
    instrument = Instrument.objects.get(slug="pulse")
    today = timezone.localdate()
    campaign = surveys.create_campaign(by=admin, name="Keyboard pulse", instrument=instrument, opens_on=today,
                                       closes_on=today, whole_organization=True)
    surveys.launch_campaign(by=admin, campaign=campaign)
    page = new_context().new_page()
    page.goto(f"/surveys/respond/{token_for(Invitation.objects.get(campaign=campaign, person=person))}/")

    groups = page.locator("fieldset:has(input[type=radio])").count()
    assert groups > 0
    tab_to(page, lambda focused: focused["type"] == "radio")
    for number in range(groups):
        page.keyboard.press("ArrowRight")  # moves to the next choice and picks it
        if number < groups - 1:
            page.keyboard.press("Tab")
            assert page.evaluate(FOCUSED)["type"] == "radio"
    tab_to(page, lambda focused: focused["label"] == "Send my answers")
    page.keyboard.press("Enter")
    expect(page.locator("#respond-message")).to_contain_text("without your name")
    assert Response.objects.filter(campaign=campaign).count() == 1


@pytest.fixture
def survey_org_small(db):
    factories.organization(anonymity_threshold=3)
    admin = factories.person(full_name="Ada Admin", role="admin")
    crew = factories.team(name="Payments")
    people = [factories.person(full_name=f"Pay {number}") for number in range(4)]
    for person in people:
        factories.membership(person, crew)
    surveys.install_built_in_instruments()
    return admin, people[0]
