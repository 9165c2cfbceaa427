"""Forms of the action pages. They parse what was typed; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from learnloop.actions.models import Effect, Priority, Status
from learnloop.org.membership import active_people, led_team_ids, member_team_ids
from learnloop.org.models import Person, Team
from learnloop.web.forms import ExportForm, IdField

LATER = gettext_lazy("later")


def teams_for(viewer):
    """Teams the viewer may file actions for: their own and those they lead (all, for leads)."""
    teams = Team.objects.filter(archived_at__isnull=True).order_by("name")
    if viewer.is_learning_lead:
        return teams
    return teams.filter(pk__in=member_team_ids(viewer) | led_team_ids(viewer))


class ActionForm(forms.Form):
    title = forms.CharField(max_length=300, label=gettext_lazy("What will be done?"),
                            widget=forms.TextInput(attrs={"autocomplete": "off"}))
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label=gettext_lazy("Details")
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("No team (personal)"),
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody yet"),
    )
    due_on = forms.DateField(
        required=False, label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    # Chosen in the "agreed before" warning (actions/_similar.html): "this is the same as #123".
    repeat_of = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams_for(viewer)
        self.fields["owner"].queryset = active_people()
        self.fields["owner"].help_text = gettext_lazy(
            "Members can only take actions themselves; facilitators can assign anyone."
        )

    def service_arguments(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ("title", "description", "team", "owner", "due_on", "priority")
        }


class SimilarForm(forms.Form):
    """What the action form sends while the title is typed (the "agreed before" warning)."""

    title = forms.CharField(label=gettext_lazy("Title"), required=False, max_length=300)
    team = forms.IntegerField(label=gettext_lazy("Team"), required=False, min_value=1)
    repeat_of = forms.IntegerField(required=False, min_value=1)


class CompleteForm(forms.Form):
    """Marking done asks "did it work?": answer now, or choose a date to be asked."""

    effect = forms.ChoiceField(
        label=gettext_lazy("Did it work?"),
        choices=[*Effect.choices, (LATER, gettext_lazy("Too early to tell: ask me on a date"))],
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        label=gettext_lazy("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What shows it? A number, an incident that didn't happen, what people said."),
    )
    check_on = forms.DateField(
        required=False,
        label=gettext_lazy("Check on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Only when it's too early to tell: the owner is reminded on this date."),
    )

    def clean(self):
        data = super().clean()
        if data.get("effect") == LATER and not data.get("check_on"):
            self.add_error("check_on", gettext("Pick the date on which to check whether it worked."))
        return data

    def service_arguments(self) -> dict:
        if self.cleaned_data["effect"] == LATER:
            return {"check_on": self.cleaned_data["check_on"]}
        return {"effect": self.cleaned_data["effect"], "evidence": self.cleaned_data["evidence"]}


class CheckForm(forms.Form):
    effect = forms.ChoiceField(label=gettext_lazy("Did it work?"), choices=Effect.choices, widget=forms.RadioSelect)
    evidence = forms.CharField(label=gettext_lazy("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AcceptEvidenceForm(forms.Form):
    prefix = "accept"  # its radios sit on the page beside "Mark as done"'s: ids must differ
    effect = forms.ChoiceField(
        label=gettext_lazy("Did it work, given this evidence?"), choices=Effect.choices, widget=forms.RadioSelect
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why won't this be done?"), widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Your comment"), widget=forms.Textarea(attrs={"rows": 3}))


class PolicyForm(forms.Form):
    overdue_grace_days = forms.IntegerField(
        min_value=0,
        max_value=90,
        label=gettext_lazy("Grace days"),
        help_text=gettext_lazy("An action counts as overdue this many days after its due date."),
    )
    remind_days_before = forms.IntegerField(
        min_value=0,
        max_value=60,
        label=gettext_lazy("Remind days before"),
        help_text=gettext_lazy("The owner gets a reminder this many days before the due date (0: none)."),
    )


class ActionExportForm(ExportForm):
    """The filters of an actions export link (the API's `GET /actions/export` takes the same)."""

    team = IdField(required=False, what="the team")
    owner = IdField(required=False, what="the owner")
    status = forms.MultipleChoiceField(label=gettext_lazy("Status"), choices=Status.choices, required=False)
    overdue = forms.NullBooleanField(required=False)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"team": data["team"], "owner": data["owner"], "status": data["status"], "overdue": data["overdue"]}
