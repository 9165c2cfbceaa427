import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from learnloop.accounts import throttle, totp, two_factor
from learnloop.accounts.forms import (
    SecondFactorActionForm,
    SecondFactorForm,
    SetOrResetPasswordForm,
    SignInForm,
    TokenForm,
    audit_triggered,
    wait_message,
)
from learnloop.accounts.models import ApiToken
from learnloop.accounts.selectors import revocable_token, tokens_of
from learnloop.accounts.services import create_api_token, revoke_api_token
from learnloop.audit.models import AuditKind
from learnloop.audit.request import client_ip
from learnloop.audit.services import record_audit_event, record_audit_event_if_possible
from learnloop.web.forms import apply_validation_error

PENDING_SESSION_KEY = "learnloop_pending_sign_in"
# The second step must follow the password soon; a half-finished sign-in doesn't wait forever.
PENDING_SECONDS = 10 * 60
ENROLMENT_SESSION_KEY = "learnloop_totp_enrolment"
RECOVERY_CODES_SESSION_KEY = "learnloop_new_recovery_codes"
CONTINUE_SESSION_KEY = "learnloop_continue_after_codes"
# Set by a sign-in through an identity provider that wants to hear of the sign-out too (single
# logout): signing out here then continues at this URL, the provider's end-session page.
SIGN_OUT_CONTINUES_AT = "learnloop_sign_out_continues_at"


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.OIDC_ISSUER:
            context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME
        if settings.SAML_IDP_METADATA:
            context["saml_provider_name"] = settings.SAML_PROVIDER_NAME
        return context

    def form_valid(self, form):
        person = form.get_user()
        if not (two_factor.has_second_factor(person) or two_factor.must_enrol(person)):
            response = super().form_valid(form)
            throttle.remember_device(self.request, response, person.email)
            return response
        # The password was right, but the sign-in is not complete: remember who is half-way,
        # without signing them in, until the second step.
        self.request.session.cycle_key()
        self.request.session[PENDING_SESSION_KEY] = {
            "person": person.pk,
            "backend": person.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        if two_factor.must_enrol(person):
            return redirect("accounts:two-factor")
        return redirect("accounts:login-verify")


def _pending_person(request):
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, None
    person = get_user_model().objects.filter(pk=pending["person"], is_active=True).first()
    return person, pending


def _finish_sign_in(request, person, pending):
    request.session.pop(PENDING_SESSION_KEY, None)
    if pending.get("method"):
        request.learnloop_sign_in = {"method": pending["method"]}
    auth_login(request, person, backend=pending["backend"])
    next_url = pending.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    response = redirect(next_url)
    throttle.remember_device(request, response, person.email)
    return response


def login_verify(request):
    """The second sign-in step: a code from the authenticator app or a recovery code."""
    person, pending = _pending_person(request)
    if person is None:
        messages.info(request, gettext("Please sign in again."))
        return redirect("accounts:login")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip_address = client_ip(request)
        try:
            attempt = throttle.admit(throttle.second_factor_limits(person_id=person.pk))
        except throttle.TooManyAttempts as refused:
            form.add_error(None, wait_message(refused))
        else:
            if two_factor.verify(person=person, code=form.cleaned_data["code"], ip_address=ip_address):
                attempt.succeeded()
                return _finish_sign_in(request, person, pending)
            record_audit_event_if_possible(
                kind=AuditKind.LOGIN_SECOND_FACTOR_FAILED, actor=person, ip_address=ip_address
            )
            audit_triggered(attempt.failed(), ip_address=ip_address, actor=person)
            form.add_error("code", "That code doesn't match, or was already used.")
    return render(request, "accounts/login_verify.html", {"form": form})


def two_factor_page(request):
    """Set up, renew or remove the authenticator; also the forced set-up step for admins."""
    pending_person, pending = _pending_person(request)
    if request.user.is_authenticated:
        person, enrolling_to_sign_in = request.user, False
    elif pending_person is not None and two_factor.must_enrol(pending_person):
        person, enrolling_to_sign_in = pending_person, True
    else:
        return redirect_to_login(request.get_full_path())
    ip_address = client_ip(request)
    form = SecondFactorForm(request.POST or None)
    chosen = SecondFactorActionForm(request.POST or None)
    action = chosen.cleaned_data["action"] if chosen.is_valid() else ""
    if request.method == "POST" and not action:
        form.add_error(None, " ".join(chosen.errors["action"]))
    new_codes = None
    if request.method == "POST" and action == "confirm" and form.is_valid():
        secret = request.session.get(ENROLMENT_SESSION_KEY)
        try:
            if not secret:
                raise ValidationError({"code": gettext("Start again: the set-up expired.")})
            new_codes = two_factor.confirm_enrolment(
                person=person, secret=secret, code=form.cleaned_data["code"], ip_address=ip_address
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            if enrolling_to_sign_in:
                response = _finish_sign_in(request, person, pending)
                # Shown once, on this page, before going on to where the sign-in was headed.
                request.session[RECOVERY_CODES_SESSION_KEY] = new_codes
                request.session[CONTINUE_SESSION_KEY] = response["Location"]
                response["Location"] = reverse("accounts:two-factor")
                return response
            form = SecondFactorForm()
    elif request.method == "POST" and action == "disable" and form.is_valid():
        try:
            # Codes are short: guessing one to remove the authenticator is limited like signing in.
            attempt = throttle.admit(throttle.second_factor_limits(person_id=person.pk))
            two_factor.disable(person=person, code=form.cleaned_data["code"], ip_address=ip_address)
        except throttle.TooManyAttempts as refused:
            form.add_error(None, wait_message(refused))
        except ValidationError as error:
            audit_triggered(attempt.failed(), ip_address=ip_address, actor=person)
            apply_validation_error(form, error)
        else:
            attempt.succeeded()
            messages.success(request, gettext("Your authenticator was removed."))
            return redirect("accounts:two-factor")
    elif request.method == "POST" and action == "recovery-codes" and request.user.is_authenticated:
        new_codes = two_factor.regenerate_recovery_codes(person=person, ip_address=ip_address)
        form = SecondFactorForm()
    continue_url = None
    if new_codes is None:
        new_codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
        continue_url = request.session.pop(CONTINUE_SESSION_KEY, None)
    enrolled = two_factor.has_second_factor(person)
    context = {
        "form": form,
        "enrolled": enrolled,
        "enrolling_to_sign_in": enrolling_to_sign_in,
        "new_codes": new_codes,
        "continue_url": continue_url,
        "codes_left": two_factor.unused_recovery_codes(person) if enrolled else 0,
        "required": settings.ADMIN_2FA == "required" and person.is_admin,
    }
    if not enrolled:
        secret = request.session.get(ENROLMENT_SESSION_KEY) or totp.new_secret()
        request.session[ENROLMENT_SESSION_KEY] = secret
        context["secret"] = secret
        context["uri"] = totp.provisioning_uri(secret, account=person.email)
    return render(request, "accounts/two_factor.html", context, status=400 if chosen.errors else 200)



class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        continue_at = request.session.get(SIGN_OUT_CONTINUES_AT)
        response = super().post(request, *args, **kwargs)
        return redirect(continue_at) if continue_at else response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("org:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        record_audit_event(kind=AuditKind.PASSWORD_CHANGED, actor=self.request.user, ip_address=client_ip(self.request))
        messages.success(self.request, gettext("Your password was changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = SetOrResetPasswordForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        # Recorded whether or not the address exists; the page says the same either way so it
        # can't be used to find out who has an account.
        record_audit_event(
            kind=AuditKind.PASSWORD_RESET_REQUESTED,
            ip_address=client_ip(self.request),
            target=form.cleaned_data["email"].strip().lower(),
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        record_audit_event(kind=AuditKind.PASSWORD_RESET_DONE, actor=form.user, ip_address=client_ip(self.request))
        throttle.forget_account_failures(email=form.user.email, ip_address=client_ip(self.request))
        return response


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_secret = create_api_token(
                person=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_secret": new_secret,
            "tokens": tokens_of(request.user),
        },
    )


@login_required
@require_POST
def revoke_token(request, token_id: int):
    try:
        token = revocable_token(viewer=request.user, token_id=token_id)
    except ApiToken.DoesNotExist as error:
        raise Http404("No such token.") from error
    revoke_api_token(by=request.user, token=token, ip_address=client_ip(request))
    messages.success(request, gettext("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
