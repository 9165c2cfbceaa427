"""SAML 2.0 sign-in: the service provider's settings, and whom a validated assertion signs in as.

The protocol (XML signatures, audience, destination, times, InResponseTo) is python3-saml's, in
strict mode; this module adds what it leaves to the application:

- signed assertions are required (a signed response around an unsigned assertion is not enough),
  with SHA-256 or better;
- a response that answers a request must answer one this server sent, unanswered and recent;
  a response that answers none is IdP-initiated and accepted only while LEARNLOOP_SAML_IDP_INITIATED
  is on;
- an assertion signs in once: its ID is kept until it expires, and a second use is a replay;
- a persistent NameID seen before signs in as the person it was linked to; otherwise the asserted
  email links to the person with that address or creates one with LEARNLOOP_SAML_DEFAULT_ROLE (the
  identity provider is the organization's own, so its addresses are trusted as verified);
- group attributes map to team memberships as for OpenID Connect (oidc.sync_teams).
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from onelogin.saml2.constants import OneLogin_Saml2_Constants as Saml
from onelogin.saml2.errors import OneLogin_Saml2_Error, OneLogin_Saml2_ValidationError
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.integrations.saml_models import SamlAssertionUse, SamlIdentity, SamlRequest
from learnloop.org.models import Person, normalize_email
from learnloop.org.services import create_person

# An answer must come back within this time of its request (the provider's own sign-in page,
# a password manager, a second factor).
REQUEST_VALID_FOR = timedelta(minutes=15)
# How long a remote metadata document is trusted before it is fetched again.
METADATA_CACHE_SECONDS = 3600
# Attribute names tried, in order, when no attribute is configured: the common short names, the
# LDAP OIDs (Shibboleth, Keycloak, SimpleSAMLphp) and the claim URIs of Entra ID and ADFS.
EMAIL_ATTRIBUTES = (
    "email", "mail", "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
)
NAME_ATTRIBUTES = (
    "displayName", "name", "urn:oid:2.16.840.1.113730.3.1.241",
    "http://schemas.microsoft.com/identity/claims/displayname",
)

# python3-saml's validation error codes, grouped by what a person (and the audit log) is told.
_REASONS = {
    "unsigned": {
        OneLogin_Saml2_ValidationError.NO_SIGNED_ASSERTION, OneLogin_Saml2_ValidationError.NO_SIGNATURE_FOUND,
        OneLogin_Saml2_ValidationError.NO_SIGNED_MESSAGE,
    },
    "bad_signature": {
        OneLogin_Saml2_ValidationError.INVALID_SIGNATURE, OneLogin_Saml2_ValidationError.INVALID_SIGNED_ELEMENT,
        OneLogin_Saml2_ValidationError.WRONG_SIGNED_ELEMENT,
        OneLogin_Saml2_ValidationError.ID_NOT_FOUND_IN_SIGNED_ELEMENT,
        OneLogin_Saml2_ValidationError.DUPLICATED_ID_IN_SIGNED_ELEMENTS,
        OneLogin_Saml2_ValidationError.DUPLICATED_REFERENCE_IN_SIGNED_ELEMENTS,
        OneLogin_Saml2_ValidationError.UNEXPECTED_SIGNED_ELEMENTS,
        OneLogin_Saml2_ValidationError.WRONG_NUMBER_OF_SIGNATURES_IN_RESPONSE,
        OneLogin_Saml2_ValidationError.WRONG_NUMBER_OF_SIGNATURES_IN_ASSERTION,
        OneLogin_Saml2_ValidationError.WRONG_NUMBER_OF_SIGNATURES,
    },
    "wrong_audience": {OneLogin_Saml2_ValidationError.WRONG_AUDIENCE},
    "wrong_destination": {
        OneLogin_Saml2_ValidationError.WRONG_DESTINATION, OneLogin_Saml2_ValidationError.EMPTY_DESTINATION,
        OneLogin_Saml2_ValidationError.WRONG_SUBJECTCONFIRMATION,
    },
    "expired": {
        OneLogin_Saml2_ValidationError.ASSERTION_EXPIRED, OneLogin_Saml2_ValidationError.ASSERTION_TOO_EARLY,
        OneLogin_Saml2_ValidationError.SESSION_EXPIRED,
    },
    "wrong_issuer": {
        OneLogin_Saml2_ValidationError.WRONG_ISSUER, OneLogin_Saml2_ValidationError.ISSUER_NOT_FOUND_IN_ASSERTION,
        OneLogin_Saml2_ValidationError.ISSUER_MULTIPLE_IN_RESPONSE,
    },
    "unknown_request": {OneLogin_Saml2_ValidationError.WRONG_INRESPONSETO},
    "idp_refused": {OneLogin_Saml2_ValidationError.STATUS_CODE_IS_NOT_SUCCESS},
}


class SignInRefused(Exception):
    def __init__(self, reason: str, *, target: str = "", detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.target = target
        self.detail = detail


def is_configured() -> bool:
    return bool(settings.SAML_IDP_METADATA)


def base_url() -> str:
    return settings.BASE_URL


def entity_id() -> str:
    return settings.SAML_SP_ENTITY_ID or f"{base_url()}{reverse('integrations:saml-metadata')}"


def acs_url() -> str:
    return f"{base_url()}{reverse('integrations:saml-acs')}"


_metadata_cache: dict[str, tuple[float, dict]] = {}


def identity_provider() -> dict:
    """The identity provider's part of the settings, read from its metadata (a file or an URL)."""
    source = settings.SAML_IDP_METADATA
    if source.startswith(("https://", "http://")):
        cached = _metadata_cache.get(source)
        if cached is None or time.monotonic() - cached[0] > METADATA_CACHE_SECONDS:
            xml = OneLogin_Saml2_IdPMetadataParser.get_metadata(source, timeout=10)
            parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml, entity_id=settings.SAML_IDP_ENTITY_ID or None)
            cached = _metadata_cache[source] = (time.monotonic(), parsed)
        return cached[1]
    path = Path(source)
    key = f"{path}:{path.stat().st_mtime_ns}"
    if key not in _metadata_cache:
        xml = path.read_text(encoding="utf-8")
        _metadata_cache[key] = (0.0, OneLogin_Saml2_IdPMetadataParser.parse(
            xml, entity_id=settings.SAML_IDP_ENTITY_ID or None,
        ))
    return _metadata_cache[key][1]


def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8") if path else ""


def sp_settings(*, with_idp: bool = True) -> OneLogin_Saml2_Settings:
    signing_key = _read(settings.SAML_SP_KEY_FILE)
    data = {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": entity_id(),
            "assertionConsumerService": {"url": acs_url(), "binding": Saml.BINDING_HTTP_POST},
            "NameIDFormat": Saml.NAMEID_UNSPECIFIED,
            "x509cert": _read(settings.SAML_SP_CERT_FILE),
            "privateKey": signing_key,
        },
        "security": {
            "wantAssertionsSigned": True,
            "wantMessagesSigned": False,
            "authnRequestsSigned": bool(signing_key),
            "signMetadata": False,
            "wantNameId": True,
            "wantAttributeStatement": False,
            # A PasswordProtectedTransport context would refuse people who sign in with a
            # passkey or a second factor at providers that check it (Entra ID).
            "requestedAuthnContext": False,
            "rejectDeprecatedAlgorithm": True,
            "signatureAlgorithm": Saml.RSA_SHA256,
            "digestAlgorithm": Saml.SHA256,
        },
    }
    if with_idp:
        data = OneLogin_Saml2_IdPMetadataParser.merge_settings(data, identity_provider())
    return OneLogin_Saml2_Settings(data, sp_validation_only=not with_idp)


def sp_metadata() -> str:
    saml_settings = sp_settings(with_idp=False)
    xml = saml_settings.get_sp_metadata()
    errors = saml_settings.validate_metadata(xml)
    if errors:
        raise OneLogin_Saml2_Error(f"the service provider metadata is not valid: {errors}")
    return xml.decode() if isinstance(xml, bytes) else xml


def request_data(*, path: str, post: dict, get: dict | None = None) -> dict:
    """The request as python3-saml sees it, at LEARNLOOP_BASE_URL: the addresses it checks a
    response's Destination against are the ones the metadata announced, whatever proxy is between."""
    base = urlsplit(base_url())
    return {
        "https": "on" if base.scheme == "https" else "off",
        "http_host": base.netloc,
        "script_name": path,
        "get_data": get or {},
        "post_data": post,
    }


def remember_request(request_id: str, next_url: str) -> None:
    SamlRequest.objects.filter(created_at__lt=timezone.now() - REQUEST_VALID_FOR).delete()
    SamlRequest.objects.create(request_id=request_id, next_url=next_url)


@dataclass(frozen=True)
class Assertion:
    idp_entity_id: str
    name_id: str
    name_id_format: str
    attributes: dict
    next_url: str


def validated_assertion(data: dict) -> Assertion:
    """The assertion in a POSTed SAMLResponse, after every check; SignInRefused otherwise."""
    encoded = data["post_data"].get("SAMLResponse", "")
    if not encoded:
        raise SignInRefused("no_response")
    try:
        saml_settings = sp_settings()
    except Exception as error:  # the provider's metadata unreadable or unreachable, or a bad setting
        raise SignInRefused("unavailable", detail=str(error)[:300]) from error
    try:
        response = OneLogin_Saml2_Response(saml_settings, encoded)
        answers = response.get_in_response_to()
    except Exception as error:  # python3-saml raises plain exceptions for undecodable input
        raise SignInRefused("invalid", detail=str(error)[:300]) from error
    next_url = ""
    if answers:
        pending = SamlRequest.objects.filter(
            request_id=answers, created_at__gte=timezone.now() - REQUEST_VALID_FOR,
        ).first()
        if pending is None:
            raise SignInRefused("unknown_request")
        next_url = pending.next_url
    elif not settings.SAML_IDP_INITIATED:
        raise SignInRefused("unsolicited")
    try:
        response.is_valid(data, request_id=answers or None, raise_exceptions=True)
    except OneLogin_Saml2_ValidationError as error:
        reason = next((name for name, codes in _REASONS.items() if error.code in codes), "invalid")
        raise SignInRefused(reason, detail=str(error)[:300]) from error
    except Exception as error:
        raise SignInRefused("invalid", detail=str(error)[:300]) from error
    idp = saml_settings.get_idp_data()["entityId"]
    if answers and SamlRequest.objects.filter(request_id=answers).delete()[0] != 1:
        raise SignInRefused("replay")  # another request consumed it first
    _use_once(idp, response)
    return Assertion(
        idp_entity_id=idp, name_id=response.get_nameid() or "", name_id_format=response.get_nameid_format() or "",
        attributes=response.get_attributes(), next_url=next_url,
    )


def _use_once(idp: str, response: OneLogin_Saml2_Response) -> None:
    assertion_id = response.get_assertion_id()
    if not assertion_id:
        raise SignInRefused("invalid", detail="the assertion has no ID")
    now = timezone.now()
    # The assertion is void after its subject confirmation's NotOnOrAfter (checked above), so it
    # need only be remembered that long; an hour when the provider sends none.
    not_after = response.get_assertion_not_on_or_after()
    expires_at = (
        datetime.fromtimestamp(not_after, tz=UTC) if not_after else now + timedelta(hours=1)
    )
    SamlAssertionUse.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            SamlAssertionUse.objects.create(idp_entity_id=idp, assertion_id=assertion_id, expires_at=expires_at)
    except IntegrityError as error:
        raise SignInRefused("replay", detail=assertion_id[:100]) from error


def _first(attributes: dict, configured: str, fallbacks: tuple[str, ...]) -> str:
    for name in ([configured] if configured else fallbacks):
        values = attributes.get(name) or []
        if values and str(values[0]).strip():
            return str(values[0]).strip()
    return ""


def email_of(assertion: Assertion) -> str:
    email = _first(assertion.attributes, settings.SAML_EMAIL_ATTRIBUTE, EMAIL_ATTRIBUTES)
    if not email and assertion.name_id_format == Saml.NAMEID_EMAIL_ADDRESS:
        email = assertion.name_id
    return normalize_email(email) if "@" in email else ""


def groups_of(assertion: Assertion) -> set[str] | None:
    name = settings.SAML_GROUPS_ATTRIBUTE
    if not name or name not in assertion.attributes:
        return None
    return {str(value) for value in assertion.attributes[name] or []}


def person_for_assertion(assertion: Assertion, *, ip_address: str | None = None) -> tuple[Person, bool]:
    """The person a validated assertion signs in as, and whether they were just created."""
    # A transient NameID changes at every sign-in: it identifies no one, so only the email links.
    stable = assertion.name_id and assertion.name_id_format != Saml.NAMEID_TRANSIENT
    email = email_of(assertion)
    with transaction.atomic():
        identity = None
        if stable:
            identity = SamlIdentity.objects.select_related("person").filter(
                idp_entity_id=assertion.idp_entity_id, name_id=assertion.name_id,
            ).first()
        created = False
        if identity is not None:
            person = identity.person
        else:
            if not email:
                raise SignInRefused("no_email")
            person = Person.objects.filter(email__iexact=email).first()
            if person is None:
                full_name = _first(assertion.attributes, settings.SAML_NAME_ATTRIBUTE, NAME_ATTRIBUTES)
                person = create_person(
                    by=None, email=email, full_name=(full_name or email.split("@")[0])[:200],
                    role=settings.SAML_DEFAULT_ROLE, ip_address=ip_address,
                )
                created = True
            elif not person.is_active:
                raise SignInRefused("deactivated", target=person.email)
            if stable:
                SamlIdentity.objects.create(
                    idp_entity_id=assertion.idp_entity_id, name_id=assertion.name_id, person=person,
                )
    if not person.is_active:
        raise SignInRefused("deactivated", target=person.email)
    return person, created


def record_refusal(refused: SignInRefused, *, ip_address: str | None) -> None:
    detail = {"method": "saml", "reason": refused.reason}
    if refused.detail:
        detail["detail"] = refused.detail
    record_audit_event(
        kind=AuditKind.LOGIN_FAILED, actor_label="", ip_address=ip_address, target=refused.target, detail=detail,
    )
