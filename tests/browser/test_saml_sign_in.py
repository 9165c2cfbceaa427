"""Signing in through a real SAML identity provider (pysaml2's IdP, tests/saml_peer.py) in the
browser: from Learnloop's sign-in page (SP-initiated) and from the provider's portal (IdP-initiated).
Learnloop reads the provider's metadata from its URL; the provider reads Learnloop's."""

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.org.models import Membership
from tests import factories
from tests.saml_peer import GROUPS_ATTRIBUTE, IdentityProvider, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(live_server, settings, tmp_path):
    with serving(IdentityProvider(tmp_path)) as idp:
        settings.BASE_URL = live_server.url
        settings.SAML_IDP_METADATA = f"{idp.url}/metadata"
        settings.SAML_PROVIDER_NAME = "Example SAML"
        settings.SAML_GROUPS_ATTRIBUTE = GROUPS_ATTRIBUTE
        idp.trust(requests.get(f"{live_server.url}/integrations/saml/metadata/", timeout=10).text)
        yield idp


def test_sign_in_from_learnloop_and_from_the_providers_portal(page: Page, live_server, provider, settings, team):
    settings.SAML_GROUP_MAP = [f"eng={team.slug}"]
    factories.person(email="ada@example.org", full_name="Ada Lovelace")

    page.goto("/people/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/people/$"))
    page.get_by_role("button", name="Sign in with Example SAML").click()

    # The provider's own sign-in page; its answer is POSTed back by the browser.
    expect(page).to_have_url(re.compile("^" + re.escape(provider.url) + "/sso/redirect"))
    page.get_by_label("User name").fill("ada")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    assert AuditEvent.objects.get(kind=AuditKind.LOGIN).detail == {"method": "saml"}
    assert Membership.objects.filter(person__email="ada@example.org", team=team).exists()

    # Grace starts at the provider's portal: no request to answer, a page to land on.
    other = page.context.browser.new_context(base_url=live_server.url, locale="en-GB")
    portal = other.new_page()
    acs, audience = f"{live_server.url}/integrations/saml/acs/", f"{live_server.url}/integrations/saml/metadata/"
    portal.goto(f"{provider.url}/sso/start?login=grace&acs={acs}&audience={audience}&relay=/actions/")
    expect(portal).to_have_url(f"{live_server.url}/actions/")
    expect(portal.get_by_role("heading", level=1)).to_have_text("My actions")
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN).count() == 2
    other.close()
