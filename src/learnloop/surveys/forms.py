from django import forms
from django.utils.translation import gettext_lazy as _

from learnloop.org.forms import team_named
from learnloop.org.membership import active_people
from learnloop.org.models import Person, Team
from learnloop.surveys.models import Instrument, ItemKind
from learnloop.web.input_checks import bound_field


class InstrumentForm(forms.Form):
    source = forms.CharField(
        label=_("Instrument (YAML)"), widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        max_length=200_000,
    )


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Name"))
    instrument = forms.ModelChoiceField(queryset=Instrument.objects.all(), label=_("Instrument"))
    whole_organization = forms.BooleanField(required=False, initial=True, label=_("Whole organization"))
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.filter(archived_at__isnull=True), required=False,
                                           label=_("Teams"),
                                           help_text=_("Or choose teams (a department brings its teams)."))
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}))


class FocusForm(forms.Form):
    dimension = forms.ChoiceField(label=_("Dimension"))
    owner = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Owner"),
                                   help_text=_("Who carries it: they own the action and get the re-measure."))
    title = forms.CharField(max_length=200, required=False, label=_("Action (optional)"))
    due_on = forms.DateField(required=False, label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, dimensions=(), team=None, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = [(d.key, d.name) for d in dimensions]
        # The team's people and the one choosing (a lead from a department above, a learning
        # lead); the service decides whether the one chosen may carry it.
        people = active_people().filter(memberships__team=team) if team is not None else Person.objects.none()
        if viewer is not None:
            people = people | active_people().filter(pk=viewer.pk)
        self.fields["owner"].queryset = people.distinct()


class FocusTeamForm(forms.Form):
    """The team a focus area is chosen for (the report's group, sent as a hidden field)."""

    team = forms.CharField(error_messages={"required": _("Choose one of your teams.")})

    def clean_team(self) -> Team:
        return team_named(self.cleaned_data["team"])


class ThresholdForm(forms.Form):
    # As the API's (a 32-bit integer); the service sets the lower bound in its own words.
    k = forms.IntegerField(max_value=2**31 - 1, error_messages={
        "required": _("k must be a whole number."), "invalid": _("k must be a whole number.")})


class AttributeKeysField(forms.MultipleChoiceField):
    """The attribute keys ticked; which keys exist is the service's rule (as for the API)."""

    def validate(self, value):
        forms.Field.validate(self, value)


class LaunchForm(forms.Form):
    # The launch page always sends choosing_attributes, so none ticked means record none; without
    # it (a bare POST) the service records tenure and role.
    choosing_attributes = forms.BooleanField(required=False)
    attributes = AttributeKeysField(required=False)

    def attributes_to_record(self) -> list[str] | None:
        return self.cleaned_data["attributes"] if self.cleaned_data["choosing_attributes"] else None


class ResponseForm(forms.Form):
    """One answer per question (by the item's key) and the comment, as sent; the service checks
    what they mean."""

    comment = forms.CharField(required=False, strip=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.answer_keys = [item.key for item in items if item.kind != ItemKind.COMMENT]
        for key in self.answer_keys:
            self.fields[key] = forms.CharField(required=False, strip=False)
            bound_field(key, self.fields[key])

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in self.answer_keys}


class AdviceForm(forms.Form):
    """The named advice questions: for each, the colleagues chosen (person ids, as sent; the
    service checks them), the consent box, and the withdraw button."""

    consent = forms.BooleanField(required=False)
    withdraw = forms.CharField(required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = [item.key for item in items]
        for key in self.keys:
            self.fields[key] = forms.Field(required=False, widget=forms.SelectMultiple)

    def answers(self) -> dict[str, list]:
        withdraw = bool(self.cleaned_data.get("withdraw"))
        return {key: [] if withdraw else list(self.cleaned_data.get(key) or []) for key in self.keys}

    def consented(self) -> bool:
        return bool(self.cleaned_data.get("consent")) and not self.cleaned_data.get("withdraw")
