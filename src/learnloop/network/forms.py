from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from learnloop.network.services import default_period

LONGEST_PERIOD = timedelta(days=3 * 366)


class NetworkPeriodForm(forms.Form):
    """The period the network covers: [since, until), the last year by default."""

    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("From"))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Until"))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        default_since, default_until = default_period()
        since, until = data.get("since") or default_since, data.get("until") or default_until
        if since >= until:
            self.add_error("since", _("The period must start before it ends."))
        elif until - since > LONGEST_PERIOD:
            self.add_error("since", _("A period can be at most three years long."))
        data["since"], data["until"] = since, until
        return data

    def period(self):
        """(since, until) when valid, else the default year."""
        if self.is_valid():
            return self.cleaned_data["since"], self.cleaned_data["until"]
        return default_period()
