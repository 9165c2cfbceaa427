"""Forms of the provisioning tokens page."""

from django import forms


class ProvisioningTokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name",
                           help_text="Which identity provider uses it, e.g. “Entra ID (production)”.")


class RevokeProvisioningTokenForm(forms.Form):
    prefix = forms.CharField(max_length=16)
