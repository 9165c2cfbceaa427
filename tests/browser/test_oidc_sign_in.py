"""Signing in through a real OpenID Connect provider (tests/peers/oidc) in the browser, and out
again through the provider's end-session page."""

import re

import pytest
from playwright.sync_api import Page, expect

from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.org.models import Membership
from tests import factories
from tests.oidc_peer import CLIENT_ID, CLIENT_SECRET, running_provider

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(live_server, settings):
    with running_provider(
        redirect_uris=[f"{live_server.url}/integrations/oidc/callback/"],
        post_logout_redirect_uris=[f"{live_server.url}/accounts/login/"],
    ) as issuer:
        settings.OIDC_ISSUER = issuer
        settings.OIDC_CLIENT_ID = CLIENT_ID
        settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_PROVIDER_NAME = "Example SSO"
        settings.OIDC_GROUPS_CLAIM = "groups"
        settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [*settings.SECURE_CSP["form-action"], issuer]}
        yield issuer


def test_sign_in_through_the_provider_and_out_again(page: Page, live_server, provider, settings, team):
    settings.OIDC_GROUP_MAP = [f"eng={team.slug}"]
    factories.person(email="ada@example.org", full_name="Ada Lovelace")

    page.goto("/people/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/people/$"))
    page.get_by_role("button", name="Sign in with Example SSO").click()

    # The provider's own login and consent pages.
    expect(page).to_have_url(re.compile("^" + re.escape(provider) + "/interaction/"))
    page.locator("input[name=login]").fill("ada")
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{live_server.url}/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    assert AuditEvent.objects.get(kind=AuditKind.LOGIN).detail == {"method": "oidc"}
    assert Membership.objects.filter(person__email="ada@example.org", team=team).exists()

    page.locator("details.dropdown > summary", has_text="Ada").click()
    page.get_by_role("button", name="Sign out").click()
    # Single logout: the provider asks, then sends the browser back to Learnloop's sign-in page.
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.goto("/people/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/people/$"))
