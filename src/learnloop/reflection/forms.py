"""The retrospective board's forms. Each takes one form's fields in (with the input rules of
web/input_checks.py); the services check the values in their own words. On the board a problem
comes back as a message (each form is its own, so nothing typed elsewhere is lost)."""

from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from learnloop.org.forms import team_named
from learnloop.org.models import Person
from learnloop.reflection.models import Anonymity, Mode
from learnloop.web.forms import OfferedChoiceField, OfferedModelChoiceField, required_in_practice
from learnloop.web.input_checks import bound_field

NOT_OF_THIS_SESSION = gettext_lazy("Choose a card or group of this session.")
# More rows than a template may have columns are read as garbage, not as columns to check.
MAX_ROWS = 100


def _text(label: str = "", *, rows: int | None = None, **attrs) -> forms.CharField:
    """A text the service checks (required or not, in its own words)."""
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, required=False, strip=False, widget=widget)


class ReferenceField(forms.CharField):
    """A card or group named in the form body (never in the URL: see views.py), as a UUID.
    A text field first, so the input rules apply to what was sent before it is read."""

    widget = forms.HiddenInput

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return UUID(value)
        except ValueError:
            raise ValidationError(NOT_OF_THIS_SESSION, code="invalid") from None


def _reference(*, required: bool = True) -> ReferenceField:
    return ReferenceField(required=required, error_messages={"required": NOT_OF_THIS_SESSION})


class UUIDListField(forms.Field):
    """Several cards chosen at once (checkboxes sharing one name)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": NOT_OF_THIS_SESSION}

    def to_python(self, value):
        try:
            return [UUID(str(item)) for item in value or ()]
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def cleaned(form: forms.Form) -> dict:
    """The form's values, or its problems raised as the ValidationError a service would raise."""
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    return form.cleaned_data


# --- starting a session ------------------------------------------------------------------------------


class SessionForm(forms.Form):
    title = _text(gettext_lazy("Title"))
    goal = _text(gettext_lazy("Goal"), rows=2)
    team = OfferedChoiceField(
        label=gettext_lazy("Team"), error_messages={"required": gettext_lazy("Choose one of your teams.")}
    )
    template = forms.ChoiceField(
        label=gettext_lazy("Template"),
        error_messages={
            "required": gettext_lazy("Choose one of the templates."),
            "invalid_choice": gettext_lazy("Choose one of the templates."),
        },
    )
    anonymity = required_in_practice(
        forms.CharField(label=gettext_lazy("Anonymity"), required=False, widget=forms.Select(choices=Anonymity.choices))
    )
    mode = required_in_practice(
        forms.CharField(label=gettext_lazy("Mode"), required=False, widget=forms.Select(choices=Mode.choices))
    )
    vote_budget = forms.IntegerField(
        label=gettext_lazy("Votes per person"),
        required=False,
        initial=3,
        error_messages={"invalid": gettext_lazy("Check the numbers.")},
        widget=forms.NumberInput(attrs={"min": 1, "max": 50}),
    )
    reflect_deadline = forms.CharField(
        label=gettext_lazy("Writing deadline (asynchronous)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    checkin_question = forms.CharField(
        label=gettext_lazy("Check-in question (optional)"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Asked while the session prepares, e.g. “One word for how you arrive today?”"),
        error_messages={"max_length": gettext_lazy("Keep the question under 200 characters.")},
    )

    def __init__(self, *args, teams, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {str(team.pk): team for team in teams}
        self.fields["team"].choices = [(pk, team.name) for pk, team in self.teams.items()]
        self.fields["template"].choices = [(str(template.pk), template.shown_name) for template in templates]
        self.fields["title"].max_length = 200
        self.fields["title"].widget.attrs["maxlength"] = "200"
        required_in_practice(self.fields["title"])

    def clean_team(self):
        # Any team may be named; the service decides whether this person may start a session there.
        return team_named(self.cleaned_data["team"])

    def session(self) -> dict:
        """create_session's keyword arguments, but the template (looked up with the viewer's rights)."""
        data = self.cleaned_data
        deadline = data["reflect_deadline"].strip()
        return {
            "team": data["team"],
            "title": data["title"],
            "goal": data["goal"],
            "mode": data["mode"] or Mode.LIVE,
            "anonymity": data["anonymity"] or Anonymity.NAMED,
            "vote_budget": 3 if data["vote_budget"] is None else data["vote_budget"],
            "phase_deadlines": {"reflect": deadline} if deadline else {},
            "checkin_question": data["checkin_question"],
        }


# --- the board's forms -------------------------------------------------------------------------------


class PhaseForm(forms.Form):
    phase = _text()


class AnonymityForm(forms.Form):
    anonymity = _text()


class VoteBudgetForm(forms.Form):
    vote_budget = forms.IntegerField(
        error_messages={
            "required": gettext_lazy("Give a whole number of votes."),
            "invalid": gettext_lazy("Give a whole number of votes."),
        }
    )


class TimerForm(forms.Form):
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"),
        min_value=1,
        max_value=120,
        error_messages={
            "required": gettext_lazy("Give the minutes, a whole number from 1 to 120."),
            "invalid": gettext_lazy("Give the minutes, a whole number from 1 to 120."),
        },
    )
    auto_advance = forms.BooleanField(label=gettext_lazy("Move on when time is up"), required=False)


class ReactionForm(forms.Form):
    card = _reference()
    emoji = _text()


class CheckInQuestionForm(forms.Form):
    question = forms.CharField(
        required=False,
        max_length=200,
        error_messages={"max_length": gettext_lazy("Keep the question under 200 characters.")},
    )


class CheckInAnswerForm(forms.Form):
    text = forms.CharField(
        max_length=280,
        error_messages={
            "required": gettext_lazy("Write an answer first."),
            "max_length": gettext_lazy("Keep the answer under 280 characters."),
        },
    )


class StopForm(forms.Form):
    """ "Stop the timer" / "Stop sharing": the same URL as starting, with stop set."""

    stop = forms.BooleanField(required=False)


class GroupNotesForm(forms.Form):
    group = _reference()
    notes = _text(gettext_lazy("Discussion notes"), rows=3)
    decision = _text(gettext_lazy("Decision"), rows=2)


class CardForm(forms.Form):
    column = _text()
    text = _text(rows=3)


class CardReferenceForm(forms.Form):
    card = _reference()


class CardTextForm(CardReferenceForm):
    text = _text(rows=3)


class GroupRenameForm(forms.Form):
    group = _reference()
    title = _text()


class GroupCardsForm(forms.Form):
    cards = UUIDListField(required=False)
    group = _reference(required=False)
    title = _text()


class VoteForm(forms.Form):
    group = _reference()
    op = forms.ChoiceField(
        choices=[("add", "add"), ("withdraw", "withdraw")],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Vote with op=add or op=withdraw.")},
    )


class WhyForm(CardReferenceForm):
    text = _text(rows=2)


class NoteDecisionForm(CardReferenceForm):
    decision = _text()
    reason = _text(rows=2)


class SessionActionForm(forms.Form):
    title = _text()
    # Any person may be named; whether they may own an action (active) is the actions service's rule.
    owner = OfferedModelChoiceField(label=gettext_lazy("Owner"),
        queryset=Person.objects.filter(is_active=True),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose someone from the list.")},
    )
    due_on = forms.DateField(label=gettext_lazy("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("The due date is not a date.")},
    )
    group = _reference(required=False)


class PromoteForm(forms.Form):
    title = _text()
    body = _text(rows=3)
    group = _reference(required=False)
    card = _reference(required=False)


class ReviewForm(forms.Form):
    outcome = _text()
    reason = _text(rows=2)


# --- templates ---------------------------------------------------------------------------------------


class CloneForm(forms.Form):
    scope = forms.ChoiceField(
        error_messages={
            "required": gettext_lazy("Choose where the copy belongs: the organization or one of your teams."),
            "invalid_choice": gettext_lazy("Choose where the copy belongs: the organization or one of your teams."),
        }
    )
    name = forms.CharField(label=gettext_lazy("Name"), required=False)

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes


class TemplateForm(forms.Form):
    """A template's name, description and columns: `rows` numbered rows of key (hidden), title,
    prompt and "5 whys"; a row whose title was cleared is a column removed."""

    name = _text(gettext_lazy("Name"))
    description = _text(gettext_lazy("Description"), rows=2)
    rows = forms.IntegerField(
        required=False,
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={"invalid": gettext_lazy("The form's rows were garbled: reload the page.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            count = int(self.data.get("rows") or 0)
        except ValueError:
            count = 0
        for index in range(max(0, min(count, MAX_ROWS))):
            self.fields[f"key_{index}"] = _text()
            self.fields[f"title_{index}"] = _text()
            self.fields[f"prompt_{index}"] = _text()
            self.fields[f"whys_{index}"] = forms.BooleanField(required=False)
            for name in ("key", "title", "prompt"):
                bound_field(name, self.fields[f"{name}_{index}"])
        self.row_count = max(0, min(count, MAX_ROWS))

    def columns(self) -> list[dict]:
        """The columns as checked by the form (call after is_valid)."""
        return self._columns(self.cleaned_data.get)

    def typed(self) -> tuple[str, str, list[dict]]:
        """Name, description and columns as typed, to show them again when they are refused."""
        return (
            self.data.get("name", ""),
            self.data.get("description", ""),
            self._columns(lambda name: self.data.get(name) or ""),
        )

    def _columns(self, value) -> list[dict]:
        columns = []
        for index in range(self.row_count):
            title = (value(f"title_{index}") or "").strip()
            if not title:
                continue
            column = {"key": value(f"key_{index}") or "", "title": title, "prompt": value(f"prompt_{index}") or ""}
            if value(f"whys_{index}"):
                column["whys"] = True
            columns.append(column)
        return columns
