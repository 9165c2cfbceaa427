from django import forms
from django.utils.translation import gettext_lazy as _

from learnloop.audit.models import AuditKind


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", _("All events")), *AuditKind.choices], required=False, label=_("Event"))
    actor = forms.CharField(required=False, label=_("Person or address"))
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("From"))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Until"))
