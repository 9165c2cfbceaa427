"""The strategy's HTML forms: they take the typed values in (with the input rules of
web/input_checks.py) and the view hands them to the same services as the API."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from learnloop.insights.metric_texts import metric_name
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
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  max_length=5000)
    team = OfferedModelChoiceField(queryset=_teams(), required=False, empty_label=_("The organization"),
                                   accepts=Team.objects.all())
    parent = IdField(label=_("Parent"), required=False, what="the objective it aligns with")
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)


METRIC_CHOICES = [("", _("Manual: I enter values with a date")),
                  *[(key, lazy(metric_name, str)(key)) for key in BINDABLE]]


class KeyResultForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    target = forms.FloatField(label=pgettext_lazy("value", "Target"))
    baseline = forms.FloatField(label=_("Baseline"), required=False)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=30)
    metric_key = OfferedChoiceField(choices=METRIC_CHOICES, required=False, label=_("Metric"))
    dimension = forms.CharField(label=_("Dimension"), required=False, max_length=60,
                                help_text=_("Survey scale scores: the dimension key."))
    scope_team = OfferedModelChoiceField(queryset=_teams(), required=False, label=_("Scope"),
                                         empty_label=_("The objective's own scope"), accepts=Team.objects.all())
    window_days = forms.IntegerField(min_value=7, max_value=MAX_WINDOW_DAYS, initial=90, label=_("Window (days)"))


class BindForm(forms.Form):
    metric_key = OfferedChoiceField(choices=[(key, lazy(metric_name, str)(key)) for key in BINDABLE],
                                    label=_("Metric"))
    dimension = forms.CharField(label=_("Dimension"), required=False, max_length=60)
    scope_team = OfferedModelChoiceField(queryset=_teams(), required=False, label=_("Scope"),
                                         empty_label=_("The objective's own scope"), accepts=Team.objects.all())
    window_days = forms.IntegerField(min_value=7, max_value=MAX_WINDOW_DAYS, initial=90, label=_("Window (days)"))


class ValueForm(forms.Form):
    on = forms.DateField(label=_("On"), widget=DATE)
    value = forms.FloatField(label=_("Value"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class InitiativeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  max_length=5000)
    team = OfferedModelChoiceField(queryset=_teams(), required=False, empty_label=_("The organization"),
                                   accepts=Team.objects.all())
    owner = OfferedModelChoiceField(queryset=_people(), required=False, empty_label=_("Me"),
                                    accepts=Person.objects.all())
    status = OfferedChoiceField(label=_("Status"), choices=InitiativeStatus.choices, initial=InitiativeStatus.PLANNED)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    budget_person_days = forms.DecimalField(min_value=0, max_digits=9, decimal_places=1, initial=0,
                                            label=_("Budget: person-days"))
    budget_money = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, initial=0, label=_("Budget: money"))
    budget_people = forms.IntegerField(min_value=0, max_value=10000, initial=0, label=_("Budget: people"))
    objectives = forms.CharField(required=False, max_length=500, label=_("Goals served (objective numbers, commas)"))
    depends_on = forms.CharField(required=False, max_length=500, label=_("Depends on (initiative numbers, commas)"))

    def _ids(self, name):
        text = self.cleaned_data.get(name) or ""
        ids = []
        for part in text.replace(" ", "").split(","):
            if not part:
                continue
            if not part.isdigit() or len(part) > 18:
                raise forms.ValidationError(_("Give numbers separated by commas."))
            ids.append(int(part))
        return ids

    def clean_objectives(self):
        return self._ids("objectives")

    def clean_depends_on(self):
        return self._ids("depends_on")


class StatusForm(forms.Form):
    status = OfferedChoiceField(label=_("Status"), choices=InitiativeStatus.choices)


class SpendForm(forms.Form):
    kind = OfferedChoiceField(label=_("Kind"), choices=SpendKind.choices)
    on = forms.DateField(label=_("On"), widget=DATE)
    person_days = forms.DecimalField(label=_("Person-days"), min_value=0, max_digits=9, decimal_places=1, initial=0,
                                     required=False)
    money = forms.DecimalField(label=_("Money"), min_value=0, max_digits=12, decimal_places=2, initial=0,
                               required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class LinkForm(forms.Form):
    target_type = forms.CharField(max_length=60, label=_("Type"), help_text=_("e.g. experiments.experiment"))
    target_id = forms.CharField(max_length=64, label=_("Number"))


class VisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    team = OfferedModelChoiceField(queryset=_teams(), required=False, empty_label=_("The organization"),
                                   accepts=Team.objects.all())
    draft = forms.CharField(label=_("Draft"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                            max_length=20000)


class DraftForm(forms.Form):
    draft = forms.CharField(label=_("Draft"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)


class RoundForm(forms.Form):
    question = forms.CharField(label=_("Question"), required=False, max_length=300)
    anonymous = forms.BooleanField(required=False, label=_("Anonymous round (no names, no times)"))
    support_budget = forms.IntegerField(min_value=1, max_value=50, initial=5, required=False,
                                        label=_("Supports per person (how many proposals each person may support)"))


class ProposalForm(forms.Form):
    kind = OfferedChoiceField(label=_("Kind"), choices=ProposalKind.choices, initial=ProposalKind.CHANGE)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000,
                           label=_("Your comment, or why this change"))
    replace = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000,
                              label=_("Passage to replace (copy it exactly; empty adds text at the end)"))
    with_text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000,
                                label=_("New text"))


class ProposalChoiceForm(forms.Form):
    proposal = forms.CharField(max_length=36)


class DecideForm(forms.Form):
    proposal = forms.CharField(max_length=36)
    decision = OfferedChoiceField(label=_("Decision"), choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    summary = forms.CharField(required=False, max_length=300, label=_("What changed"))


class ConnectForm(forms.Form):
    note = forms.CharField(required=False, max_length=500, label=_("What it means for my work"))


class ChampionForm(forms.Form):
    person = OfferedModelChoiceField(label=_("Champion"), queryset=_people(), accepts=Person.objects.all())
    team = OfferedModelChoiceField(queryset=_teams(), required=False, empty_label=_("No team (a topic)"),
                                   accepts=Team.objects.all())
    topic = forms.CharField(label=_("Topic"), required=False, max_length=120)


class TeamFilterForm(forms.Form):
    team = forms.SlugField(label=_("Team"), required=False, max_length=140)
