from django import forms

from learnloop.org.membership import active_people
from learnloop.org.models import Person, Team
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
    owner = forms.ModelChoiceField(queryset=Person.objects.none(), label="Owner",
                                   help_text="Who carries it: they own the action and get the re-measure.")
    title = forms.CharField(max_length=200, required=False, label="Action (optional)")
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, dimensions=(), team=None, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = [(d.key, d.name) for d in dimensions]
        # The team's people and the one choosing (a lead from a department above, a learning
        # lead); the service decides whether the one chosen may carry it.
        people = active_people().filter(memberships__team=team) if team is not None else Person.objects.none()
        if viewer is not None:
            people = people | active_people().filter(pk=viewer.pk)
        self.fields["owner"].queryset = people.distinct()
