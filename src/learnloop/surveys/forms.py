from django import forms

from learnloop.org.models import Team
from learnloop.surveys.models import Instrument


class InstrumentForm(forms.Form):
    source = forms.CharField(
        label="Instrument (YAML)", widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}), max_length=200_000,
    )


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    instrument = forms.ModelChoiceField(queryset=Instrument.objects.all())
    whole_organization = forms.BooleanField(required=False, initial=True, label="Whole organization")
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.filter(archived_at__isnull=True), required=False,
                                           help_text="Or choose teams (a department brings its teams).")
    opens_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class FocusForm(forms.Form):
    dimension = forms.ChoiceField()
    title = forms.CharField(max_length=200, required=False, label="Action (optional)")
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, dimensions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = [(d.key, d.name) for d in dimensions]
