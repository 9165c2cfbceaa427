"""Forms of the themes pages: the list's filters and the three corrections."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from learnloop.insights.themes_models import Source
from learnloop.org.models import Team
from learnloop.web.forms import OfferedModelChoiceField, required_in_practice

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ThemeFilterForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.filter(archived_at__isnull=True).order_by("name"),
                                  required=False, empty_label=_("Any team"))
    source = forms.ChoiceField(label=_("Source"), choices=[("", _("Any source")), *Source.choices], required=False)
    month = forms.CharField(label=_("Month"), required=False, max_length=7, help_text=_("YYYY-MM"),
                            widget=forms.TextInput(attrs={"placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"}))

    def clean_month(self) -> date | None:
        return parse_month(self.cleaned_data["month"])


def parse_month(text: str) -> date | None:
    """"2026-03" -> 1 March 2026; "" -> None; anything else is refused in words."""
    text = (text or "").strip()
    if not text:
        return None
    match = MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 9999:
        raise ValidationError(_("Give a month as YYYY-MM, for example 2026-03."))
    return date(int(match[1]), int(match[2]), 1)


class RenameForm(forms.Form):
    name = required_in_practice(forms.CharField(max_length=200, required=False, label=_("New name")))


class MergeForm(forms.Form):
    other = OfferedModelChoiceField(queryset=None, required=False, label=_("Theme to merge into this one"),
                                    empty_label=_("Choose a theme"))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        from learnloop.insights.themes_models import Theme

        self.fields["other"].queryset = Theme.objects.filter(pk__in=[theme.pk for theme in choices])
        self.fields["other"].choices = [("", _("Choose a theme")), *((theme.pk, theme.title) for theme in choices)]
        self.fields["other"].accepts = Theme.objects.all()
        required_in_practice(self.fields["other"])


class SplitForm(forms.Form):
    items = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                      label=_("Items to move into a new theme"))
    name = required_in_practice(forms.CharField(max_length=200, required=False, label=_("Name of the new theme")))

    def __init__(self, *args, keys: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(key, key) for key in keys]
