"""Signing in through the organization's OpenID Connect provider (see oidc.py for the rules)."""

import logging

from authlib.common.errors import AuthlibBaseError
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext
from requests import RequestException

from learnloop.audit.request import client_ip
from learnloop.integrations import oidc
from learnloop.integrations.sign_in import complete_sign_in, safe_next

logger = logging.getLogger(__name__)

NEXT_SESSION_KEY = "learnloop_oidc_next"


def _failed(request, text: str):
    messages.error(request, text)
    return redirect("accounts:login")


def _incomplete(request):
    return _failed(request, gettext("Signing in with %(provider)s didn't complete. Please try again.") % _provider())


def _provider() -> dict:
    return {"provider": settings.OIDC_PROVIDER_NAME}


def oidc_login(request):
    """Off to the provider's sign-in page, with a PKCE challenge, a state and a nonce."""
    if not oidc.is_configured():
        raise Http404
    provider = oidc.client()
    try:
        metadata = provider.load_server_metadata()
    except (RequestException, ValueError) as error:
        logger.warning("OIDC discovery at %s failed: %s", settings.OIDC_ISSUER, error)
        return _failed(request, gettext("Signing in with %(provider)s isn't available right now.") % _provider())
    if metadata.get("issuer", "").rstrip("/") != settings.OIDC_ISSUER:
        # OpenID Connect Discovery: the document must name the issuer it was fetched from.
        logger.warning("OIDC discovery at %s names another issuer: %s", settings.OIDC_ISSUER, metadata.get("issuer"))
        return _failed(request, gettext("Signing in with %(provider)s isn't available right now.") % _provider())
    request.session[NEXT_SESSION_KEY] = safe_next(request, request.GET.get("next", ""))
    callback = request.build_absolute_uri(reverse("integrations:oidc-callback"))
    return provider.authorize_redirect(request, callback, scope=oidc.requested_scope(metadata))


def oidc_callback(request):
    """Back from the provider: Authlib checks the code, the state and the ID token; then the person."""
    if not oidc.is_configured():
        raise Http404
    provider = oidc.client()
    ip_address = client_ip(request)
    try:
        token = provider.authorize_access_token(
            request, claims_options=oidc.id_token_claims_options(provider.load_server_metadata())
        )
    except (AuthlibBaseError, RequestException, ValueError, KeyError) as error:
        logger.warning("OIDC sign-in did not complete: %s", error)
        oidc.record_refusal(oidc.SignInRefused("token_refused"), ip_address=ip_address)
        return _incomplete(request)
    claims = dict(token.get("userinfo") or {})
    if not claims:
        oidc.record_refusal(oidc.SignInRefused("no_id_token"), ip_address=ip_address)
        return _incomplete(request)
    metadata = provider.load_server_metadata()
    if "email" not in claims and metadata.get("userinfo_endpoint"):
        # Some providers put the address only at the userinfo endpoint; its subject must match.
        try:
            extra = dict(provider.userinfo(token=token))
        except (AuthlibBaseError, RequestException, ValueError) as error:
            logger.warning("OIDC userinfo failed: %s", error)
            extra = {}
        if extra.get("sub") == claims.get("sub"):
            claims = {**extra, **claims}
    try:
        person, created = oidc.person_for_claims(claims, issuer=metadata["issuer"], ip_address=ip_address)
    except oidc.SignInRefused as refused:
        oidc.record_refusal(refused, ip_address=ip_address)
        if refused.reason == "email_not_verified":
            return _failed(request, gettext("%(provider)s hasn't verified your email address, so it can't be "
                                            "used to sign in here.") % _provider())
        return _failed(request, gettext("This account can't sign in. Ask an admin if you think it should."))
    groups = oidc.groups_in(claims)
    if groups is not None:
        oidc.sync_teams(person, groups, oidc.group_rules())
    next_url = request.session.pop(NEXT_SESSION_KEY, "") or resolve_url(settings.LOGIN_REDIRECT_URL)
    after_sign_out = request.build_absolute_uri(reverse("accounts:login"))
    sign_out_url = oidc.end_session_url(metadata, after_sign_out=after_sign_out)
    return complete_sign_in(request, person, method="oidc", created=created, next_url=next_url,
                            sign_out_url=sign_out_url)
