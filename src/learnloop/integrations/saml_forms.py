"""What the identity provider's browser POST carries to the assertion consumer service."""

from django import forms


class SamlResponseForm(forms.Form):
    # A signed response with a group list is a few tens of kilobytes; a megabyte leaves room for
    # large groups claims while refusing a body made to exhaust the XML parser.
    SAMLResponse = forms.CharField(required=False, max_length=1_000_000, strip=True)
    RelayState = forms.CharField(required=False, max_length=2000, strip=True)
