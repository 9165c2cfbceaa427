"""An admin sets up an authenticator app, signs in with it, and with a recovery code."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from learnloop.accounts import totp
from learnloop.audit.models import AuditEvent, AuditKind
from tests import factories

pytestmark = pytest.mark.browser

CODE_LABEL = "Code from your authenticator app, or a recovery code"


def _password_step(page: Page, person) -> None:
    # The live server's very first request loads every URLconf and the API (measured 7–11 s on
    # a busy two-core machine, the same before this feature); later ones take milliseconds.
    page.goto("/accounts/login/", timeout=60_000)
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _sign_out(page: Page) -> None:
    page.locator("details.dropdown > summary", has_text="Ada").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_an_admin_sets_up_an_authenticator_and_signs_in_with_it(page: Page, live_server, admin):
    _password_step(page, admin)
    expect(page).to_have_url(f"{live_server.url}/")

    page.goto("/accounts/profile/")
    page.get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    secret = page.get_by_test_id("totp-secret").inner_text()
    expect(page.get_by_test_id("totp-uri")).to_have_text(re.compile(rf"^otpauth://totp/Learnloop.*secret={secret}"))
    page.get_by_label(CODE_LABEL).fill("000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("alert")).to_contain_text("That code doesn't match")

    page.get_by_label(CODE_LABEL).fill(totp.code_at(secret))
    page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    expect(page.get_by_text("An authenticator app is set up")).to_be_visible()

    _sign_out(page)
    _password_step(page, admin)
    expect(page).to_have_url(f"{live_server.url}/accounts/login/verify/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step")
    # Not signed in yet: the home page still asks for a sign-in.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.goto("/accounts/login/verify/")
    page.get_by_label(CODE_LABEL).fill(totp.code_at(secret, time.time() + 30))  # the setup used this step's code
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ada")

    _sign_out(page)
    _password_step(page, admin)
    page.get_by_label(CODE_LABEL).fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert AuditEvent.objects.filter(kind=AuditKind.RECOVERY_CODE_USED, actor=admin).count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.TWO_FACTOR_ENABLED, actor=admin).count() == 1


def test_when_required_an_admin_sets_it_up_before_getting_in(page: Page, live_server, admin, settings):
    settings.ADMIN_2FA = "required"
    _password_step(page, admin)
    expect(page).to_have_url(f"{live_server.url}/accounts/two-factor/")
    expect(page.get_by_text("Admins on this instance sign in with a second step")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label(CODE_LABEL).fill(totp.code_at(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/two-factor/")
    expect(page.get_by_test_id("recovery-codes").get_by_role("listitem")).to_have_count(10)
    expect(page.get_by_role("button", name="Remove")).to_have_count(0)
    page.get_by_role("button", name="I saved them, continue").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ada")
    # The codes were shown once.
    page.goto("/accounts/two-factor/")
    expect(page.get_by_test_id("recovery-codes")).to_have_count(0)
