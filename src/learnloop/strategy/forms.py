"""The strategy's HTML forms: they take the typed values in (with the input rules of
web/input_checks.py) and the view hands them to the same services as the API."""

from django import forms

from learnloop.org.models import Person, Team
from learnloop.strategy.measure import BINDABLE, MAX_WINDOW_DAYS
from learnloop.strategy.models import InitiativeStatus, ProposalKind, SpendKind
from learnloop.web.forms import IdField, OfferedChoiceField, OfferedModelChoiceField

DATE = forms.DateInput(attrs={"type": "date"})


def _teams():
    return Team.objects.filter(archived_at=None).order_by("name")


def _people():
    return Person.objects.filter(is_active=True).order_by("full_name")


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    team = OfferedModelChoiceField(queryset=_teams(), required=False, empty_label="The organization",
                                   accepts=Team.objects.all())
    parent = IdField(required=False, what="the objective it aligns with")
    starts_on = forms.DateField(widget=DATE)
    ends_on = forms.DateField(widget=DATE)


METRIC_CHOICES = [("", "Manual: I enter values with a date"), *[(key, key) for key in BINDABLE]]


class KeyResultForm(forms.Form):
    title = forms.CharField(max_length=200)
    target = forms.FloatField()
    baseline = forms.FloatField(required=False)
    unit = forms.CharField(required=False, max_length=30)
    metric_key = OfferedChoiceField(choices=METRIC_CHOICES, required=False, label="Metric")
    dimension = forms.CharField(required=False, max_length=60, help_text="Survey scale scores: the dimension key.")
    scope_team = OfferedModelChoiceField(queryset=_teams(), required=False, label="Scope",
                                         empty_label="The objective's own scope", accepts=Team.objects.all())
    window_days = forms.IntegerField(min_value=7, max_value=MAX_WINDOW_DAYS, initial=90, label="Window (days)")


class BindForm(forms.Form):
    metric_key = OfferedChoiceField(choices=[(key, key) for key in BINDABLE], label="Metric")
    dimension = forms.CharField(required=False, max_length=60)
    scope_team = OfferedModelChoiceField(queryset=_teams(), required=False, label="Scope",
                                         empty_label="The objective's own scope", accepts=Team.objects.all())
    window_days = forms.IntegerField(min_value=7, max_value=MAX_WINDOW_DAYS, initial=90, label="Window (days)")


class ValueForm(forms.Form):
    on = forms.DateField(widget=DATE)
    value = forms.FloatField()
    note = forms.CharField(required=False, max_length=300)


class InitiativeForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    team = OfferedModelChoiceField(queryset=_teams(), required=False, empty_label="The organization",
                                   accepts=Team.objects.all())
    owner = OfferedModelChoiceField(queryset=_people(), required=False, empty_label="Me",
                                    accepts=Person.objects.all())
    status = OfferedChoiceField(choices=InitiativeStatus.choices, initial=InitiativeStatus.PLANNED)
    starts_on = forms.DateField(widget=DATE)
    ends_on = forms.DateField(widget=DATE)
    budget_person_days = forms.DecimalField(min_value=0, max_digits=9, decimal_places=1, initial=0,
                                            label="Budget: person-days")
    budget_money = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, initial=0, label="Budget: money")
    budget_people = forms.IntegerField(min_value=0, max_value=10000, initial=0, label="Budget: people")
    objectives = forms.CharField(required=False, max_length=500, label="Goals served (objective numbers, commas)")
    depends_on = forms.CharField(required=False, max_length=500, label="Depends on (initiative numbers, commas)")

    def _ids(self, name):
        text = self.cleaned_data.get(name) or ""
        ids = []
        for part in text.replace(" ", "").split(","):
            if not part:
                continue
            if not part.isdigit() or len(part) > 18:
                raise forms.ValidationError("Give numbers separated by commas.")
            ids.append(int(part))
        return ids

    def clean_objectives(self):
        return self._ids("objectives")

    def clean_depends_on(self):
        return self._ids("depends_on")


class StatusForm(forms.Form):
    status = OfferedChoiceField(choices=InitiativeStatus.choices)


class SpendForm(forms.Form):
    kind = OfferedChoiceField(choices=SpendKind.choices)
    on = forms.DateField(widget=DATE)
    person_days = forms.DecimalField(min_value=0, max_digits=9, decimal_places=1, initial=0, required=False)
    money = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, initial=0, required=False)
    note = forms.CharField(required=False, max_length=300)


class LinkForm(forms.Form):
    target_type = forms.CharField(max_length=60, label="Type", help_text="e.g. experiments.experiment")
    target_id = forms.CharField(max_length=64, label="Number")


class VisionForm(forms.Form):
    title = forms.CharField(max_length=200)
    team = OfferedModelChoiceField(queryset=_teams(), required=False, empty_label="The organization",
                                   accepts=Team.objects.all())
    draft = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)


class DraftForm(forms.Form):
    draft = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)


class RoundForm(forms.Form):
    question = forms.CharField(required=False, max_length=300)
    anonymous = forms.BooleanField(required=False, label="Anonymous round (no names, no times)")
    support_budget = forms.IntegerField(min_value=1, max_value=50, initial=5, required=False,
                                        label="Supports per person (how many proposals each person may support)")


class ProposalForm(forms.Form):
    kind = OfferedChoiceField(choices=ProposalKind.choices, initial=ProposalKind.CHANGE)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000,
                           label="Your comment, or why this change")
    replace = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000,
                              label="Passage to replace (copy it exactly; empty adds text at the end)")
    with_text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000,
                                label="New text")


class ProposalChoiceForm(forms.Form):
    proposal = forms.CharField(max_length=36)


class DecideForm(forms.Form):
    proposal = forms.CharField(max_length=36)
    decision = OfferedChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    summary = forms.CharField(required=False, max_length=300, label="What changed")


class ConnectForm(forms.Form):
    note = forms.CharField(required=False, max_length=500, label="What it means for my work")


class ChampionForm(forms.Form):
    person = OfferedModelChoiceField(queryset=_people(), accepts=Person.objects.all())
    team = OfferedModelChoiceField(queryset=_teams(), required=False, empty_label="No team (a topic)",
                                   accepts=Team.objects.all())
    topic = forms.CharField(required=False, max_length=120)


class TeamFilterForm(forms.Form):
    team = forms.SlugField(required=False, max_length=140)
