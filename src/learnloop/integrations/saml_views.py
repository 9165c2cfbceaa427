"""Signing in through the organization's SAML 2.0 identity provider (see saml.py for the rules)."""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.errors import OneLogin_Saml2_Error

from learnloop.audit.request import client_ip
from learnloop.integrations import oidc, saml
from learnloop.integrations.saml_forms import SamlResponseForm
from learnloop.integrations.sign_in import complete_sign_in, safe_next

logger = logging.getLogger(__name__)


def _provider() -> dict:
    return {"provider": settings.SAML_PROVIDER_NAME}


def _refused_text(reason: str) -> str:
    texts = {
        "unsigned": gettext("The sign-in from %(provider)s was refused: its assertion was not signed."),
        "bad_signature": gettext("The sign-in from %(provider)s was refused: its signature did not check out."),
        "wrong_audience": gettext("The sign-in from %(provider)s was refused: it was meant for another service."),
        "replay": gettext("The sign-in from %(provider)s was refused: it had already been used. "
                          "Please sign in again."),
        "expired": gettext("The sign-in from %(provider)s was refused: it had expired. Please sign in again."),
        "unknown_request": gettext("The sign-in from %(provider)s was refused: it answers no sign-in started "
                                   "here, or one that took too long. Please sign in again."),
        "unsolicited": gettext("The sign-in from %(provider)s was refused: sign-ins must start here. "
                               "Please sign in again."),
        "no_email": gettext("%(provider)s sent no email address, so the sign-in can't be matched to a person."),
        "deactivated": gettext("This account can't sign in. Ask an admin if you think it should."),
        "unavailable": gettext("Signing in with %(provider)s isn't available right now."),
    }
    text = texts.get(reason) or gettext("Signing in with %(provider)s didn't complete. Please try again.")
    return text % _provider()


@require_GET
def saml_metadata(request):
    """This service provider's metadata, for the identity provider's administrators."""
    if not saml.is_configured():
        raise Http404
    try:
        xml = saml.sp_metadata()
    except OneLogin_Saml2_Error as error:
        # python3-saml refuses base URLs it can't validate (a host without a domain, say).
        logger.warning("SAML metadata could not be made: %s", error)
        return HttpResponse(f"SAML is not set up correctly: {error}. Check LEARNLOOP_BASE_URL and the "
                            "LEARNLOOP_SAML_* settings (docs/integrations.md).", status=503,
                            content_type="text/plain; charset=utf-8")
    return HttpResponse(xml, content_type="application/samlmetadata+xml")


@require_GET
def saml_login(request):
    """Off to the identity provider with an AuthnRequest (HTTP-Redirect binding)."""
    if not saml.is_configured():
        raise Http404
    try:
        auth = OneLogin_Saml2_Auth(saml.request_data(path=request.path, post={}), saml.sp_settings())
        url = auth.login(return_to="")
    except Exception as error:  # metadata unreadable or unreachable, or not valid SAML metadata
        logger.warning("SAML sign-in could not start: %s", error)
        messages.error(request, gettext("Signing in with %(provider)s isn't available right now.") % _provider())
        return redirect("accounts:login")
    saml.remember_request(auth.get_last_request_id(), safe_next(request, request.GET.get("next", "")))
    return redirect(url)


@csrf_exempt  # the identity provider's signed assertion is the proof, not a form token
@require_POST
def saml_acs(request):
    """The assertion consumer service: the identity provider's response, POSTed by the browser."""
    if not saml.is_configured():
        raise Http404
    ip_address = client_ip(request)
    form = SamlResponseForm(request.POST)
    posted = form.cleaned_data if form.is_valid() else {}
    fields = {name: posted[name] for name in ("SAMLResponse", "RelayState") if posted.get(name)}
    data = saml.request_data(path=request.path, post=fields)
    try:
        assertion = saml.validated_assertion(data)
        person, created = saml.person_for_assertion(assertion, ip_address=ip_address)
    except saml.SignInRefused as refused:
        logger.warning("SAML sign-in refused (%s): %s", refused.reason, refused.detail)
        saml.record_refusal(refused, ip_address=ip_address)
        messages.error(request, _refused_text(refused.reason))
        return redirect("accounts:login")
    groups = saml.groups_of(assertion)
    if groups is not None:
        rules = oidc.group_rules(settings.SAML_GROUP_MAP, setting="LEARNLOOP_SAML_GROUP_MAP")
        oidc.sync_teams(person, groups, rules, source="saml")
    # IdP-initiated: the RelayState may name a page here to land on.
    next_url = assertion.next_url or safe_next(request, fields.get("RelayState", ""))
    return complete_sign_in(request, person, method="saml", created=created, next_url=next_url)

