"""OpenID Connect sign-in through a real provider (npm's oidc-provider, tests/peers/oidc)."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from learnloop.accounts.models import TotpDevice
from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.integrations import oidc
from learnloop.integrations.oidc_models import OidcIdentity
from learnloop.org.models import Membership, Person
from tests import factories
from tests.oidc_peer import CLIENT_ID, CLIENT_SECRET, running_provider, sign_in_at_provider

CALLBACK = "http://testserver/integrations/oidc/callback/"
AFTER_SIGN_OUT = "http://testserver/accounts/login/"


@pytest.fixture(scope="module")
def issuer():
    with running_provider(redirect_uris=[CALLBACK], post_logout_redirect_uris=[AFTER_SIGN_OUT]) as url:
        yield url


@pytest.fixture
def configured(settings, issuer):
    settings.OIDC_ISSUER = issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Example SSO"
    settings.OIDC_DEFAULT_ROLE = "member"
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_MAP = []
    settings.OIDC_TRUST_EMAIL = False
    return settings


def sign_in(client: Client, login: str, next_url: str = ""):
    start = client.get("/integrations/oidc/login/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content
    back = sign_in_at_provider(start["Location"], login=login, stop_at=CALLBACK)
    parts = urlsplit(back)
    return client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})


def signed_in_as(client: Client):
    return client.session.get("_auth_user_id")


def test_nothing_changes_without_an_issuer(db, client, settings):
    settings.OIDC_ISSUER = ""
    assert "Sign in with" not in client.get("/accounts/login/").text
    assert client.get("/integrations/oidc/login/").status_code == 404
    assert client.get("/integrations/oidc/callback/").status_code == 404


def test_the_sign_in_page_offers_the_provider(db, client, configured):
    page = client.get("/accounts/login/?next=/people/")
    assert "Sign in with Example SSO" in page.text
    assert "/integrations/oidc/login/?next=/people/" in page.text


def test_first_sign_in_creates_the_person_with_the_default_role(db, client, configured):
    configured.OIDC_DEFAULT_ROLE = "learning_lead"
    response = sign_in(client, "ada", next_url="/people/")
    assert response.status_code == 302 and response["Location"] == "/people/"
    ada = Person.objects.get(email="ada@example.org")
    assert (ada.full_name, ada.role) == ("Ada Lovelace", "learning_lead")
    assert not ada.has_usable_password()
    assert signed_in_as(client) == str(ada.pk)
    login = AuditEvent.objects.get(kind=AuditKind.LOGIN)
    assert login.actor == ada and login.detail == {"method": "oidc", "created": True}
    # The request asked for a PKCE challenge and the ID token was checked by the library.
    assert OidcIdentity.objects.get(person=ada).issuer == configured.OIDC_ISSUER


def test_a_verified_email_links_to_the_existing_person(db, client, configured):
    ada = factories.person(email="ada@example.org", full_name="Ada L.", role="admin")
    sign_in(client, "ada")
    assert signed_in_as(client) == str(ada.pk)
    assert Person.objects.count() == 1
    assert OidcIdentity.objects.get().person == ada
    # Later sign-ins find the person by the provider's subject.
    client.logout()
    sign_in(client, "ada")
    assert signed_in_as(client) == str(ada.pk)


def test_an_unverified_email_never_links_nor_creates(db, client, configured):
    una = factories.person(email="una@example.org")
    response = sign_in(client, "una")
    assert response["Location"] == "/accounts/login/"
    assert signed_in_as(client) is None
    assert not OidcIdentity.objects.exists()
    refused = AuditEvent.objects.get(kind=AuditKind.LOGIN_FAILED)
    assert refused.detail == {"method": "oidc", "reason": "email_not_verified"}
    una.delete()
    sign_in(client, "una")
    assert signed_in_as(client) is None and not Person.objects.exists()


def test_a_provider_trusted_for_its_addresses_links_without_email_verified(db, client, configured):
    # Entra ID sends no email_verified; its own tenant may be trusted (LEARNLOOP_OIDC_TRUST_EMAIL).
    configured.OIDC_TRUST_EMAIL = True
    una = factories.person(email="una@example.org")
    sign_in(client, "una")
    assert signed_in_as(client) == str(una.pk)


def test_a_deactivated_person_cannot_sign_in(db, client, configured):
    ada = factories.person(email="ada@example.org")
    ada.is_active, ada.deactivated_at = False, timezone.now()
    ada.save()
    response = sign_in(client, "ada")
    assert response["Location"] == "/accounts/login/" and signed_in_as(client) is None
    assert AuditEvent.objects.get(kind=AuditKind.LOGIN_FAILED).detail["reason"] == "deactivated"
    # Nor once linked.
    ada.is_active, ada.deactivated_at = True, None
    ada.save()
    sign_in(client, "ada")
    client.logout()
    ada.is_active, ada.deactivated_at = False, timezone.now() - timedelta(minutes=1)
    ada.save()
    sign_in(client, "ada")
    assert signed_in_as(client) is None


def test_groups_map_to_team_memberships_and_roles(db, client, configured, team, department):
    other = factories.team(name="Platform", parent=department)
    untouched = factories.team(name="Design")
    ada = factories.person(email="ada@example.org")
    factories.membership(ada, other)
    factories.membership(ada, untouched)
    configured.OIDC_GROUP_MAP = [f"eng={team.slug}", f"eng-leads={team.slug}:facilitator", f"ops={other.slug}"]
    sign_in(client, "ada")
    roles = {m.team.slug: m.role for m in Membership.objects.filter(person=ada)}
    # eng and eng-leads both map to Payments: the stronger role wins; not in ops: out of Platform;
    # Design is not in the map, so the provider doesn't manage it.
    assert roles == {team.slug: "facilitator", untouched.slug: "member"}
    change = AuditEvent.objects.get(kind=AuditKind.ROLE_CHANGED)
    assert change.detail == {"scope": f"team:{team.slug}", "from": None, "to": "facilitator"}


def test_group_map_entries_are_checked():
    assert oidc.group_rules(["a=b", "c d=e:facilitator"]) == [
        oidc.GroupRule("a", "b", "member"), oidc.GroupRule("c d", "e", "facilitator"),
    ]
    for wrong in ["nogroup", "=team", "g=team:owner", "g="]:
        with pytest.raises(ImproperlyConfigured):
            oidc.group_rules([wrong])


def test_sign_out_continues_at_the_providers_end_session_page(db, client, configured):
    sign_in(client, "ada")
    response = client.post("/accounts/logout/")
    assert signed_in_as(client) is None
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == configured.OIDC_ISSUER
    assert parse_qs(location.query) == {"client_id": [CLIENT_ID], "post_logout_redirect_uri": [AFTER_SIGN_OUT]}


def test_password_sign_out_is_unchanged(db, client, configured, member):
    client.force_login(member)
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_a_discovery_document_of_another_issuer_is_refused(db, client, configured):
    # Same server under another name: the document names 127.0.0.1, not localhost.
    configured.OIDC_ISSUER = configured.OIDC_ISSUER.replace("127.0.0.1", "localhost")
    response = client.get("/integrations/oidc/login/")
    assert response["Location"] == "/accounts/login/"


def test_a_forged_callback_is_refused(db, client, configured):
    client.get("/integrations/oidc/login/")
    response = client.get("/integrations/oidc/callback/", {"code": "made-up", "state": "made-up"})
    assert response["Location"] == "/accounts/login/" and signed_in_as(client) is None
    assert AuditEvent.objects.get(kind=AuditKind.LOGIN_FAILED).detail["reason"] == "token_refused"


def test_learnloops_second_factor_still_applies(db, client, configured):
    ada = factories.person(email="ada@example.org")
    TotpDevice.objects.create(person=ada, secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now())
    response = sign_in(client, "ada")
    assert response["Location"] == "/accounts/login/verify/"
    assert signed_in_as(client) is None
