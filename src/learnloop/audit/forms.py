from django import forms

from learnloop.audit.models import AuditKind


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All events"), *AuditKind.choices], required=False, label="Event")
    actor = forms.CharField(required=False, label="Person or address")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Until")
