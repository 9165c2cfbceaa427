from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from learnloop.accounts.services import login_is_throttled
from learnloop.audit.models import AuditKind
from learnloop.audit.request import client_ip
from learnloop.audit.services import record_audit_event


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing to check passwords after too many recent failures."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password don't match an active account.",
        "throttled": (
            "Too many failed sign-ins for this account or from this address. "
            "Wait a few minutes, or reset your password."
        ),
    }

    def clean(self):
        email = (self.cleaned_data.get("username") or "").strip().lower()
        ip_address = client_ip(self.request)
        if email and login_is_throttled(email=email, ip_address=ip_address):
            record_audit_event(kind=AuditKind.LOGIN_THROTTLED, ip_address=ip_address, target=email)
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        return super().clean()


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Name")
    title = forms.CharField(max_length=200, required=False, label="Title")


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Token name", help_text="What will use it, e.g. “CI export”.")
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Expires after (days)",
        help_text="Leave empty for a token that lasts until you revoke it.",
    )


class SetOrResetPasswordForm(PasswordResetForm):
    """Password reset that also serves people added by an admin or an import.

    Such people have no usable password yet; Django's form would silently skip them, leaving
    them no way in. Deactivated people still get nothing.
    """

    def get_users(self, email):
        return get_user_model().objects.filter(email__iexact=email.strip(), is_active=True)
