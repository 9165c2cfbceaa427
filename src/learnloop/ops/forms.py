"""Forms of the operators' pages."""

import uuid

from django import forms
from django.utils.translation import gettext


class RetryForm(forms.Form):
    """Retry one dead-lettered task (its id), or all of them (no id)."""

    task = forms.CharField(required=False, max_length=64)

    def clean_task(self) -> uuid.UUID | None:
        value = self.cleaned_data["task"].strip()
        if not value:
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            raise forms.ValidationError(gettext("That is not a task id.")) from None
