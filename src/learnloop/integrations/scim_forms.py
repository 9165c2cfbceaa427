"""Forms of the provisioning tokens page."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ProvisioningTokenForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"),
                           help_text=_("Which identity provider uses it, e.g. “Entra ID (production)”."))


class RevokeProvisioningTokenForm(forms.Form):
    prefix = forms.CharField(max_length=16)
