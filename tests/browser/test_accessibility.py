import pytest
from playwright.sync_api import Page, expect

from learnloop.org.invitations import invite_person
from tests import factories

pytestmark = pytest.mark.browser

# Every visible form control needs a label a screen reader announces, a group of radio buttons
# needs a legend naming the question, and every <label> has to belong to a control (a label
# pointing nowhere names nothing).
FIND_LABEL_PROBLEMS = """() => {
  const problems = [];
  for (const field of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (field.closest("noscript")) continue;
    const named = field.labels.length > 0 || field.getAttribute("aria-label")
      || field.getAttribute("aria-labelledby");
    if (!named) problems.push(`${field.tagName.toLowerCase()} "${field.name}" has no label`);
  }
  for (const radio of document.querySelectorAll("input[type=radio]")) {
    const group = radio.closest("fieldset");
    if (!group || !group.querySelector(":scope > legend")?.textContent.trim()) {
      problems.push(`radio group "${radio.name}" has no legend`);
    }
  }
  for (const label of document.querySelectorAll("label")) {
    if (!label.control) problems.push(`label "${label.textContent.trim()}" belongs to no field`);
  }
  return problems;
}"""


def label_problems(page: Page, path: str) -> list[str]:
    response = page.goto(path)
    assert response.ok, f"{path} answered {response.status}"
    return [f"{path}: {problem}" for problem in page.evaluate(FIND_LABEL_PROBLEMS)]


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page_as, live_server, member):
    page = page_as(member)
    page.goto("/people/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    # Hidden off-screen until focused, then shown where sighted keyboard users can see it.
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The next Tab continues inside the content, past the header's navigation.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Search people")).to_be_focused()


def test_signing_in_works_with_the_keyboard_alone(page: Page, live_server, member):
    page.goto("/accounts/login/")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mo")


def test_every_form_field_has_a_label(page_as, new_context, live_server, admin, team):
    factories.membership(admin, team, role="facilitator")
    factories.membership(factories.person(full_name="Pat Peer"), team)
    _, invitation_link = invite_person(by=admin, email="new@example.org", base_url=live_server.url)

    visitor = new_context().new_page()
    problems = []
    for path in ["/accounts/login/", "/accounts/password/reset/", invitation_link]:
        problems += label_problems(visitor, path)

    page = page_as(admin)
    for path in [
        "/people/",
        "/people/new/",
        f"/people/{admin.pk}/edit/",
        "/teams/new/",
        f"/teams/{team.slug}/",
        "/invitations/",
        "/import/",
        "/audit/",
        "/accounts/profile/",
        "/accounts/tokens/",
        "/accounts/password/",
    ]:
        problems += label_problems(page, path)

    assert problems == []
