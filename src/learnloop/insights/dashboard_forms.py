from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from learnloop.insights.metrics import default_period

LONGEST_PERIOD = timedelta(days=3 * 366)


class PeriodForm(forms.Form):
    """The period a dashboard or the metrics API covers; both ends included, a year by default."""

    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=pgettext_lazy("date", "To"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        default_until = default_period()[1]
        until = data.get("until") or default_until
        since = data.get("since") or default_period(until)[0]
        if since > until:
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
