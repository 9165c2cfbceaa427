from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from learnloop.accounts import throttle
from learnloop.audit.models import AuditKind
from learnloop.audit.request import client_ip
from learnloop.audit.services import record_audit_event_if_possible
from learnloop.web.language import for_person


def audit_triggered(triggered, *, ip_address, target="", actor=None):
    for limit in triggered:
        record_audit_event_if_possible(
            kind=AuditKind.LOGIN_THROTTLED,
            actor=actor,
            ip_address=ip_address,
            target=target,
            detail={"limit": limit.scope, "failures": limit.failures, "delay_seconds": limit.delay_seconds},
        )


def wait_message(refused: throttle.TooManyAttempts) -> str:
    return ngettext(
        "Too many failed attempts. Try again in %(count)s second.",
        "Too many failed attempts. Try again in %(count)s seconds.", refused.wait_seconds,
    ) % {"count": refused.wait_seconds}


class SignInForm(AuthenticationForm):
    """Django's sign-in form, charging each attempt to the sign-in limits before the password is checked."""

    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email and password don't match an active account."),
    }

    def clean(self):
        email = (self.cleaned_data.get("username") or "").strip().lower()
        if not email or not self.cleaned_data.get("password"):
            return super().clean()
        ip_address = client_ip(self.request)
        limits = throttle.sign_in_limits(
            email=email, ip_address=ip_address, device=throttle.known_device(self.request, email)
        )
        try:
            attempt = throttle.admit(limits)
        except throttle.TooManyAttempts as refused:
            raise forms.ValidationError(wait_message(refused), code="throttled") from refused
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            audit_triggered(attempt.failed(), ip_address=ip_address, target=email)
            raise
        attempt.succeeded()
        return cleaned


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        max_length=32,
        label=_("Code from your authenticator app, or a recovery code"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "text"}),
    )


class SecondFactorActionForm(forms.Form):
    """Which button of the two-factor page was pressed."""

    action = forms.ChoiceField(
        choices=[("confirm", _("Turn on")), ("disable", _("Remove")), ("recovery-codes", _("Make new recovery codes"))],
        error_messages={"required": _("Choose what to do."), "invalid_choice": _("Unknown action.")},
    )


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Token name"), help_text=_("What will use it, e.g. “CI export”."))
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label=_("Expires after (days)"),
        help_text=_("Leave empty for a token that lasts until you revoke it."),
    )


class SetOrResetPasswordForm(PasswordResetForm):
    """Password reset that also serves people added by an admin or an import.

    Such people have no usable password yet; Django's form would silently skip them, leaving
    them no way in. Deactivated people still get nothing.
    """

    def get_users(self, email):
        return get_user_model().objects.filter(email__iexact=email.strip(), is_active=True)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # Written in the language the person chose, not the one of whoever asked for the link.
        with for_person(context["user"]):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
