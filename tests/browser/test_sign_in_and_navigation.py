import re

import pytest
from playwright.sync_api import Page, expect

from learnloop.audit.models import AuditEvent, AuditKind
from tests import factories

pytestmark = pytest.mark.browser


def open_account_menu(page: Page, short_name: str) -> None:
    page.locator("details.dropdown > summary", has_text=short_name).click()


def test_sign_in_walk_the_main_pages_and_sign_out(page: Page, live_server, member, team):
    factories.membership(member, team)
    colleague = factories.person(email="cy.colleague@example.org", full_name="Cy Colleague", title="Analyst")
    factories.membership(colleague, team)

    page.goto("/")
    # Signed out, the home page sends people to the sign-in form and back afterwards.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))

    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mo")
    my_teams = page.get_by_role("article").filter(has=page.get_by_role("heading", name="My teams"))
    expect(my_teams.get_by_role("link", name="Payments")).to_be_visible()
    expect(my_teams).to_contain_text("2 members · Engineering")
    expect(page.get_by_role("heading", name="Organization")).to_be_visible()

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="People").click()
    expect(page).to_have_url(f"{live_server.url}/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(nav.get_by_role("link", name="People")).to_have_attribute("aria-current", "page")
    expect(page.locator("#people-results").get_by_role("link", name="Cy Colleague")).to_be_visible()

    nav.get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    expect(nav.get_by_role("link", name="Teams")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name=re.compile(r"^Engineering"))).to_be_visible()

    page.get_by_role("link", name="Payments").click()
    expect(page).to_have_url(f"{live_server.url}/teams/payments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments")
    members = page.get_by_role("region", name=re.compile(r"^Members"))
    expect(members.get_by_role("row")).to_have_count(3)  # header + two members
    # A member who doesn't lead the team sees roles as text, not as controls.
    expect(members.get_by_role("combobox")).to_have_count(0)

    members.get_by_role("link", name="Cy Colleague").click()
    expect(page).to_have_url(f"{live_server.url}/people/{colleague.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cy Colleague")
    expect(page.get_by_text("Analyst")).to_be_visible()
    expect(page.get_by_role("link", name="cy.colleague@example.org")).to_be_visible()

    open_account_menu(page, "Mo")
    page.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    expect(page.get_by_label("Name")).to_have_value("Mo Member")
    expect(page.get_by_role("region", name="In the organization")).to_contain_text(member.email)

    open_account_menu(page, "Mo")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    # The session is really gone: the home page asks for a sign-in again.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))

    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN, actor=member).count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.LOGOUT, actor=member).count() == 1


def test_a_wrong_password_keeps_you_on_the_sign_in_page(page: Page, live_server, member):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text("That email and password don't match an active account.")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    # The address stays filled in so a typo in the password is quick to fix; the password doesn't.
    expect(page.get_by_label("Email")).to_have_value(member.email)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="People")).to_have_count(0)

    failures = AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED)
    assert list(failures.values_list("target", flat=True)) == [member.email]


def test_after_too_many_wrong_passwords_the_page_says_how_long_to_wait_and_then_lets_you_in(
    page: Page, live_server, member, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from learnloop.accounts.models import LoginCounter

    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 2
    settings.LOGIN_DELAY_SECONDS = 30
    page.goto("/accounts/login/")
    for _ in range(2):
        page.get_by_label("Email").fill(member.email)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_have_text("That email and password don't match an active account.")

    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Too many failed attempts. Try again in 30 seconds.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # Half a minute later (the delay passes in the database, not in the test's time)...
    LoginCounter.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_THROTTLED).count() == 1
