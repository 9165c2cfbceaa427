"""The end of a sign-in through an identity provider (OpenID Connect or SAML): Learnloop's own
second step when the person has one, then the session."""

import time

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from learnloop.accounts import throttle, two_factor
from learnloop.accounts.views import PENDING_SESSION_KEY, SIGN_OUT_CONTINUES_AT
from learnloop.org.models import Person

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def complete_sign_in(request, person: Person, *, method: str, created: bool, next_url: str,
                     sign_out_url: str | None = None):
    request.learnloop_sign_in = {"method": method, **({"created": True} if created else {})}
    if two_factor.has_second_factor(person) or two_factor.must_enrol(person):
        # Learnloop's own second step still applies: the provider's policy is not known here.
        request.session.cycle_key()
        request.session[PENDING_SESSION_KEY] = {
            "person": person.pk, "backend": MODEL_BACKEND, "at": time.time(), "next": next_url, "method": method,
        }
        if sign_out_url:
            request.session[SIGN_OUT_CONTINUES_AT] = sign_out_url
        if two_factor.must_enrol(person):
            return redirect("accounts:two-factor")
        return redirect("accounts:login-verify")
    auth_login(request, person, backend=MODEL_BACKEND)
    if sign_out_url:
        request.session[SIGN_OUT_CONTINUES_AT] = sign_out_url
    response = redirect(safe_next(request, next_url))
    throttle.remember_device(request, response, person.email)
    return response
