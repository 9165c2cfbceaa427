"""SAML 2.0 sign-in against a real identity provider (pysaml2's IdP, tests/saml_peer.py): metadata
exchanged both ways, SP- and IdP-initiated sign-in, and the assertions that must be refused —
unsigned, signed by another key, for another audience, played twice, answering no request."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from learnloop.accounts.models import TotpDevice
from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.integrations.saml_models import SamlIdentity, SamlRequest
from learnloop.org.models import Membership, OrgRole, Person
from tests import factories
from tests.saml_peer import GROUPS_ATTRIBUTE, IdentityProvider

BASE = "https://learnloop.example.org"
ACS = f"{BASE}/integrations/saml/acs/"
SP_ENTITY = f"{BASE}/integrations/saml/metadata/"


@pytest.fixture
def idp(db, settings, tmp_path):
    provider = IdentityProvider(tmp_path)
    settings.BASE_URL = BASE
    settings.SAML_IDP_METADATA = str(provider.metadata_file)
    settings.SAML_PROVIDER_NAME = "Example SAML"
    settings.SAML_IDP_INITIATED = True
    settings.SAML_GROUPS_ATTRIBUTE = GROUPS_ATTRIBUTE
    settings.SAML_GROUP_MAP = []
    metadata = Client().get("/integrations/saml/metadata/")
    assert metadata.status_code == 200
    provider.trust(metadata.content.decode())
    return provider


def start(client: Client, next_url: str = "") -> str:
    """Learnloop's AuthnRequest, as the IdP receives it; returns its ID."""
    response = client.get("/integrations/saml/login/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content
    query = parse_qs(urlsplit(response["Location"]).query)
    return query["SAMLRequest"][0]


def sign_in(client: Client, idp: IdentityProvider, login: str, next_url: str = "", **options):
    request = idp.server.parse_authn_request(start(client, next_url)).message
    assert request.assertion_consumer_service_url == ACS and request.issuer.text == SP_ENTITY
    response = idp.response(login, destination=ACS, audience=SP_ENTITY, in_response_to=request.id, **options)
    return client.post("/integrations/saml/acs/", {"SAMLResponse": response, "RelayState": ""})


def signed_in_as(client: Client):
    return client.session.get("_auth_user_id")


def refusal(response, reason: str) -> str:
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).latest("pk").detail["reason"] == reason
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def test_nothing_of_saml_without_metadata(db, client, settings):
    settings.SAML_IDP_METADATA = ""
    assert client.get("/integrations/saml/metadata/").status_code == 404
    assert client.get("/integrations/saml/login/").status_code == 404
    assert client.post("/integrations/saml/acs/").status_code == 404
    assert "SAML" not in client.get("/accounts/login/").content.decode()


def test_the_service_providers_metadata_asks_for_signed_assertions(idp, client):
    xml = client.get("/integrations/saml/metadata/").content.decode()
    assert f'entityID="{SP_ENTITY}"' in xml and f'Location="{ACS}"' in xml
    assert 'WantAssertionsSigned="true"' in xml
    assert "Sign in with Example SAML" in client.get("/accounts/login/").content.decode()


def test_sp_initiated_sign_in_creates_the_person_and_lands_on_next(idp, client):
    response = sign_in(client, idp, "ada", next_url="/people/")
    assert response.status_code == 302 and response["Location"] == "/people/"
    ada = Person.objects.get(email="ada@example.org")
    assert ada.full_name == "Ada Lovelace" and ada.role == OrgRole.MEMBER
    assert signed_in_as(client) == str(ada.pk)
    assert AuditEvent.objects.get(kind=AuditKind.LOGIN).detail == {"method": "saml", "created": True}
    assert SamlIdentity.objects.get().name_id == "persistent-ada"
    assert not SamlRequest.objects.exists()  # answered once, then gone


def test_idp_initiated_sign_in_is_accepted_unless_turned_off(idp, client, settings):
    factories.person(email="grace@example.org", full_name="Grace Hopper")
    response = client.post("/integrations/saml/acs/", {
        "SAMLResponse": idp.response("grace", destination=ACS, audience=SP_ENTITY), "RelayState": "/actions/",
    })
    assert response["Location"] == "/actions/" and signed_in_as(client)
    settings.SAML_IDP_INITIATED = False
    other = Client()
    response = other.post("/integrations/saml/acs/", {
        "SAMLResponse": idp.response("grace", destination=ACS, audience=SP_ENTITY),
    })
    assert "sign-ins must start here" in refusal(response, "unsolicited")
    assert signed_in_as(other) is None


def test_an_unsigned_assertion_is_refused(idp, client):
    text = refusal(sign_in(client, idp, "ada", sign_assertion=False), "unsigned")
    assert "its assertion was not signed" in text
    assert signed_in_as(client) is None and not Person.objects.exists()


def test_an_assertion_signed_by_another_key_is_refused(idp, client, tmp_path):
    impostor_folder = tmp_path / "impostor"
    impostor_folder.mkdir()
    # Same entity ID and addresses, another key: what an attacker without the IdP's key can make.
    impostor = IdentityProvider(impostor_folder, port=idp.port)
    impostor.trust(client.get("/integrations/saml/metadata/").content.decode())
    request = idp.server.parse_authn_request(start(client)).message
    forged = impostor.response("ada", destination=ACS, audience=SP_ENTITY, in_response_to=request.id)
    text = refusal(client.post("/integrations/saml/acs/", {"SAMLResponse": forged}), "bad_signature")
    assert "its signature did not check out" in text
    assert signed_in_as(client) is None


def test_an_assertion_for_another_audience_is_refused(idp, client):
    request = idp.server.parse_authn_request(start(client)).message
    response = idp.response("ada", destination=ACS, audience="https://other-service.example/saml",
                            in_response_to=request.id)
    text = refusal(client.post("/integrations/saml/acs/", {"SAMLResponse": response}), "wrong_audience")
    assert "meant for another service" in text and signed_in_as(client) is None


def test_a_replayed_assertion_is_refused(idp, client):
    factories.person(email="grace@example.org")
    response = idp.response("grace", destination=ACS, audience=SP_ENTITY)
    assert signed_in_as(client) is None
    client.post("/integrations/saml/acs/", {"SAMLResponse": response})
    assert signed_in_as(client)
    # Whoever copied the POST (a proxy log, the browser's history) tries it again.
    attacker = Client()
    text = refusal(attacker.post("/integrations/saml/acs/", {"SAMLResponse": response}), "replay")
    assert "already been used" in text and signed_in_as(attacker) is None


def test_a_response_to_a_request_not_sent_here_is_refused(idp, client):
    response = idp.response("ada", destination=ACS, audience=SP_ENTITY, in_response_to="id-never-sent")
    refusal(client.post("/integrations/saml/acs/", {"SAMLResponse": response}), "unknown_request")
    # Nor can an answered request be answered twice.
    request = idp.server.parse_authn_request(start(client)).message
    first = idp.response("ada", destination=ACS, audience=SP_ENTITY, in_response_to=request.id)
    second = idp.response("ada", destination=ACS, audience=SP_ENTITY, in_response_to=request.id)
    client.post("/integrations/saml/acs/", {"SAMLResponse": first})
    attacker = Client()
    refusal(attacker.post("/integrations/saml/acs/", {"SAMLResponse": second}), "unknown_request")


def test_garbage_is_refused_cleanly(idp, client):
    refusal(client.post("/integrations/saml/acs/", {"SAMLResponse": "bm90IFhNTA=="}), "invalid")
    refusal(client.post("/integrations/saml/acs/", {}), "no_response")


def test_the_persistent_name_id_keeps_signing_in_the_same_person(idp, client):
    ada = factories.person(email="ada@example.org", full_name="Ada L.")
    sign_in(client, idp, "ada")
    assert signed_in_as(client) == str(ada.pk)
    # The address changes here; the provider's stable NameID still finds her.
    ada.email = "ada.lovelace@example.org"
    ada.save()
    again = Client()
    sign_in(again, idp, "ada")
    assert signed_in_as(again) == str(ada.pk) and Person.objects.count() == 1


def test_a_transient_name_id_links_by_email_only(idp, client):
    grace = factories.person(email="grace@example.org")
    sign_in(client, idp, "grace", transient=True)
    assert signed_in_as(client) == str(grace.pk) and not SamlIdentity.objects.exists()


def test_without_an_email_no_one_is_matched_or_created(idp, client):
    text = refusal(sign_in(client, idp, "noemail"), "no_email")
    assert "sent no email address" in text and not Person.objects.exists()


def test_a_deactivated_person_cannot_sign_in(idp, client):
    ada = factories.person(email="ada@example.org")
    ada.is_active, ada.deactivated_at = False, timezone.now()
    ada.save()
    refusal(sign_in(client, idp, "ada"), "deactivated")
    assert signed_in_as(client) is None


def test_group_attributes_map_to_team_memberships(idp, client, settings, team):
    settings.SAML_GROUP_MAP = [f"eng-leads={team.slug}:facilitator"]
    sign_in(client, idp, "ada")
    membership = Membership.objects.get(person__email="ada@example.org", team=team)
    assert membership.role == "facilitator"
    event = AuditEvent.objects.get(kind=AuditKind.ROLE_CHANGED)
    assert event.actor_label == "saml" and event.detail["to"] == "facilitator"


def test_learnloops_second_factor_still_applies(idp, client):
    ada = factories.person(email="ada@example.org")
    TotpDevice.objects.create(person=ada, secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now())
    response = sign_in(client, idp, "ada")
    assert response["Location"] == "/accounts/login/verify/" and signed_in_as(client) is None


def test_an_unreadable_provider_metadata_is_a_clear_refusal_not_an_error(idp, client, settings, tmp_path):
    settings.SAML_IDP_METADATA = str(tmp_path / "missing.xml")
    response = client.get("/integrations/saml/login/")
    assert response["Location"] == "/accounts/login/"
    text = refusal(client.post("/integrations/saml/acs/", {"SAMLResponse": "bm90IFhNTA=="}), "unavailable")
    assert "isn't available right now" in text


def test_a_base_url_python3_saml_cannot_use_is_explained(idp, client, settings):
    settings.BASE_URL = "http://learnloop:8000"  # no domain: python3-saml refuses such addresses
    response = client.get("/integrations/saml/metadata/")
    assert response.status_code == 503 and b"LEARNLOOP_BASE_URL" in response.content
