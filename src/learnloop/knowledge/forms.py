"""Forms of the knowledge pages. They parse what was typed; the services decide what is valid."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from learnloop.knowledge.models import (
    DEFAULT_REVIEW_DAYS,
    ApplicationOutcome,
    DecisionStatus,
    EntryKind,
    Freshness,
    LinkKind,
    Visibility,
)
from learnloop.knowledge.references import NOT_A_PLACE
from learnloop.knowledge.search import SearchFilters
from learnloop.links.registry import known_types, link_type
from learnloop.org.models import Person, Team
from learnloop.web.forms import IdField

DECISION_FIELDS = ("context", "options", "decision", "consequences")
STRUCTURE_FIELDS = ("owner", "teams", "visibility", "review_interval_days")
# The link types' names (links.registry, registered by each app) as the application form offers them.
PLACE_NAMES = (
    gettext_noop("action"), gettext_noop("experiment decision"), gettext_noop("experiment"),
    gettext_noop("recurring theme"), gettext_noop("knowledge entry"), gettext_noop("card"), gettext_noop("session"),
    gettext_noop("initiative"), gettext_noop("objective"), gettext_noop("focus area"),
    gettext_noop("causal loop diagram"), gettext_noop("effectiveness check (a done action with its answer)"),
)
BODY_LABELS = {
    EntryKind.LESSON: gettext_lazy("The lesson"),
    EntryKind.PLAYBOOK: gettext_lazy("The playbook"),
    EntryKind.QUESTION: gettext_lazy("Details"),
    EntryKind.DECISION: gettext_lazy("Summary"),
}
MARKDOWN_HELP = gettext_lazy("Markdown: **bold**, _italic_, lists, `code`, [links](https://example.org).")


def split_names(text: str) -> list[str]:
    """ "deploys, Databases ,, ops" -> ["deploys", "Databases", "ops"]; the service normalizes."""
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def _ints(values) -> tuple[int, ...]:
    return tuple(dict.fromkeys(int(value) for value in values if str(value).isdigit()))


def search_filters(params) -> SearchFilters:
    """The facet filters of a search page's query string; unknown values are dropped."""
    return SearchFilters(
        kinds=tuple(dict.fromkeys(v for v in params.getlist("kind") if v in EntryKind.values)),
        team_ids=_ints(params.getlist("team")),
        tags=tuple(dict.fromkeys(v.strip().lower() for v in params.getlist("tag") if v.strip()))[:20],
        states=tuple(dict.fromkeys(v for v in params.getlist("state") if v in Freshness.values)),
        author_ids=_ints(params.getlist("author")),
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Search the knowledge base"),
        widget=forms.SearchInput(
            attrs={"placeholder": gettext_lazy("What do you want to know?"), "autocomplete": "off"}
        ),
    )


def _owner_choices(viewer) -> list:
    people = Person.objects.filter(is_active=True).exclude(pk=viewer.pk).order_by("full_name")
    teams = Team.objects.filter(archived_at__isnull=True).order_by("name")
    return [
        ("me", gettext("Me (%(name)s)") % {"name": viewer.full_name}),
        (gettext("People"), [(f"person:{person.pk}", person.full_name) for person in people]),
        (gettext("Teams"), [(f"team:{team.pk}", team.name) for team in teams]),
    ]


class EntryForm(forms.Form):
    """The editor. Which fields it has depends on the kind and on what the viewer may change:
    `content` (title, text, tags) and `structure` (owner, teams, visibility, review interval)."""

    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label=gettext_lazy("Text"), required=False, widget=forms.Textarea(attrs={"rows": 10}), help_text=MARKDOWN_HELP
    )
    context = forms.CharField(
        label=gettext_lazy("Context"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What forces the decision?"),
    )
    options = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label=gettext_lazy("Options considered")
    )
    decision = forms.CharField(label=gettext_lazy("Decision"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    consequences = forms.CharField(
        label=gettext_lazy("Consequences"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What becomes easier or harder."),
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Separate them with commas."),
    )
    skills = forms.CharField(
        label=gettext_lazy("Skills"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Separate them with commas."),
    )
    owner = forms.ChoiceField(
        label=gettext_lazy("Owner"), help_text=gettext_lazy("Who answers for this entry and reviews it.")
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.filter(archived_at__isnull=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Teams it belongs to"),
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices, widget=forms.RadioSelect, label=gettext_lazy("Who can read it")
    )
    review_interval_days = forms.IntegerField(
        min_value=1,
        max_value=3650,
        label=gettext_lazy("Review every (days)"),
        help_text=gettext_lazy("After this long the entry is due for review by its owner."),
    )
    change_note = forms.CharField(
        max_length=300,
        required=False,
        label=gettext_lazy("What changed?"),
        help_text=gettext_lazy("Shown in the history."),
    )

    def __init__(
        self, *args, kind: str, viewer, content: bool = True, structure: bool = True, editing: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.viewer = viewer
        self.fields["body"].label = BODY_LABELS.get(kind, gettext_lazy("Text"))
        # The services say what is missing (in the domain's words); the form only must not
        # label these "(optional)".
        for name in ("title", "body", "decision"):
            self.fields[name].required_in_practice = True
        if kind == EntryKind.DECISION:
            self.fields["body"].required_in_practice = False
        else:
            for name in DECISION_FIELDS:
                del self.fields[name]
        if kind == EntryKind.QUESTION:
            self.fields["body"].required_in_practice = False
        if not content:
            for name in ("title", "body", "tags", "skills", "change_note", *DECISION_FIELDS):
                self.fields.pop(name, None)
        if structure:
            self.fields["owner"].choices = _owner_choices(viewer)
        else:
            for name in STRUCTURE_FIELDS:
                del self.fields[name]
        if not editing:
            self.fields.pop("change_note", None)

    @classmethod
    def initial_for_new(cls, kind: str) -> dict:
        return {"owner": "me", "visibility": Visibility.EVERYONE, "review_interval_days": DEFAULT_REVIEW_DAYS[kind]}

    @classmethod
    def initial_for(cls, entry, *, viewer) -> dict:
        if entry.owner_person_id == viewer.pk:
            owner = "me"
        elif entry.owner_person_id:
            owner = f"person:{entry.owner_person_id}"
        else:
            owner = f"team:{entry.owner_team_id}"
        return {
            **{name: getattr(entry, name) for name in ("title", "body", *DECISION_FIELDS)},
            "tags": ", ".join(tag.name for tag in entry.tags.all()),
            "skills": ", ".join(skill.name for skill in entry.skills.all()),
            "owner": owner,
            "teams": list(entry.teams.all()),
            "visibility": entry.visibility,
            "review_interval_days": entry.review_interval_days,
        }

    def service_arguments(self) -> dict:
        """cleaned_data as keyword arguments for create_entry / update_entry."""
        data = self.cleaned_data
        arguments = {}
        for name in ("title", "body", "change_note", *DECISION_FIELDS):
            if name in self.fields:
                arguments[name] = data[name]
        for name in ("tags", "skills"):
            if name in self.fields:
                arguments[name] = split_names(data[name])
        if "owner" in self.fields:
            kind, _, pk = data["owner"].partition(":")
            arguments["owner_person"] = Person.objects.get(pk=pk) if kind == "person" else None
            arguments["owner_team"] = Team.objects.get(pk=pk) if kind == "team" else None
            if kind == "me":
                arguments["owner_person"] = self.viewer
            arguments["teams"] = list(data["teams"])
            arguments["visibility"] = data["visibility"]
            arguments["review_interval_days"] = data["review_interval_days"]
        return arguments

    def content_fields(self):
        return [self[name] for name in ("body", *DECISION_FIELDS) if name in self.fields]

    def structure_fields(self):
        return [self[name] for name in STRUCTURE_FIELDS if name in self.fields]


class ApplicationForm(forms.Form):
    context = forms.CharField(
        max_length=300,
        required=False,
        label=gettext_lazy("Where did you apply it?"),
        help_text=gettext_lazy("A project, a team, a release, an incident…"),
    )
    context_type = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Or name it in Learnloop"),
        choices=(),
        help_text=gettext_lazy("A session, an action, an experiment… with its id (the number in its address)."),
    )
    context_id = forms.CharField(max_length=64, required=False, label=gettext_lazy("Its id"))
    applied_on = forms.DateField(label=gettext_lazy("When"), widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=ApplicationOutcome.choices, initial=ApplicationOutcome.TOO_EARLY
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "apply_%s")
        super().__init__(*args, **kwargs)
        self.fields["context"].required_in_practice = True
        self.fields["context_type"].choices = [("", "—")] + [
            (key, gettext(str(link_type(key).label)).capitalize()) for key in known_types() if key not in NOT_A_PLACE
        ]
        if not self.is_bound:
            self.initial.setdefault("applied_on", timezone.localdate())


class AnswerForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label=gettext_lazy("Your answer"),
        help_text=MARKDOWN_HELP,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "answer_%s")
        super().__init__(*args, **kwargs)
        self.fields["body"].required_in_practice = True


# An entry is named by its number, "#42", or its address ("https://…/knowledge/42/").
ENTRY_REFERENCE = re.compile(r"^(?:#?(\d+)|.*/knowledge/(\d+)/?(?:[?#].*)?)$")


class LinkForm(forms.Form):
    kind = forms.ChoiceField(choices=LinkKind.choices, label=gettext_lazy("This entry"))
    target = forms.CharField(
        max_length=500,
        label=gettext_lazy("Other entry"),
        help_text=gettext_lazy("Its number (as in #42) or its address."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "link_%s")
        super().__init__(*args, **kwargs)

    def clean_target(self) -> int:
        match = ENTRY_REFERENCE.match(self.cleaned_data["target"].strip())
        if not match:
            raise forms.ValidationError(gettext("Give the other entry's number or paste its address."))
        return int(match.group(1) or match.group(2))


class ObsoleteForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label=gettext_lazy("Why is it obsolete?"),
        help_text=gettext_lazy("Readers see this; say what to do instead."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "obsolete_%s")
        super().__init__(*args, **kwargs)
        self.fields["reason"].required_in_practice = True


# --- small forms of single buttons and background checks -----------------------------------------


class NextForm(forms.Form):
    """Where to go after a button on another page (the review queue); the view checks the host."""

    next = forms.CharField(required=False, max_length=2000)


class SimilarForm(forms.Form):
    """What the editor has typed so far, for the "similar entries already exist" warning.
    Only the start of a long text is compared."""

    title = forms.CharField(label=gettext_lazy("Title"), required=False, strip=False)
    body = forms.CharField(label=gettext_lazy("Text"), required=False, strip=False)
    entry = IdField(required=False, what="the entry")

    def clean_title(self) -> str:
        return self.cleaned_data["title"][:300]

    def clean_body(self) -> str:
        return self.cleaned_data["body"][:20_000]


class FeedbackForm(forms.Form):
    helpful = forms.ChoiceField(
        label=gettext_lazy("Helpful"),
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages={"required": gettext_lazy("Say yes or no."), "invalid_choice": gettext_lazy("Say yes or no.")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=500,
        strip=True,
        error_messages={"max_length": gettext_lazy("Keep the comment under 500 characters.")},
    )


class FollowForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("follow", "Follow"), ("unfollow", "Unfollow")],
        error_messages={
            "required": gettext_lazy("Choose follow or unfollow."),
            "invalid_choice": gettext_lazy("Choose follow or unfollow."),
        },
    )


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(
        choices=[("1", "Up"), ("-1", "Down"), ("0", "Withdraw")],
        coerce=int,
        error_messages={
            "required": gettext_lazy("Vote 1, -1 or 0."),
            "invalid_choice": gettext_lazy("Vote 1, -1 or 0."),
        },
    )


class MarkReadForm(forms.Form):
    """Mark one notification read (`notification`), or all of them (no id)."""

    notification = IdField(what="a notification", required=False)


class UnansweredForm(forms.Form):
    team = IdField(what="the team", required=False)


class AcceptAnswerForm(forms.Form):
    """Accept an answer, or clear the accepted one ("clear"); no action means accept."""

    action = forms.ChoiceField(
        choices=[("", "Accept"), ("accept", "Accept"), ("clear", "Unaccept")],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose accept or clear.")},
    )


class AnswerChangeForm(forms.Form):
    """An answer rewritten (body) or hidden (reason); the services check both."""

    body = forms.CharField(label=gettext_lazy("Text"), required=False, strip=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, strip=False)


class DecisionStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=DecisionStatus.choices,
        error_messages={
            "required": gettext_lazy("Choose a status."),
            "invalid_choice": gettext_lazy("%(value)s is not a decision status."),
        },
    )
    superseded_by = IdField(required=False, what="the superseding entry")


class OutcomeLessonForm(forms.Form):
    """Turn an action's answered check into a new lesson (outcomes.lesson_from_outcome)."""

    title = forms.CharField(max_length=300, required=False, label=gettext_lazy("Title of the lesson"))
    body = forms.CharField(max_length=20_000, required=False, widget=forms.Textarea, label=gettext_lazy("The lesson"))


class OutcomeAddForm(forms.Form):
    """Keep an action's answered check as evidence for an existing lesson (outcomes.add_outcome)."""

    entry = forms.IntegerField(min_value=1, max_value=2**31 - 1, label=gettext_lazy("Lesson"))


class EntryTemplateForm(forms.Form):
    """A template's fields; `team` offers the organization (learning leads and admins) and the
    teams the person may manage templates for."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=120,
        error_messages={
            "required": gettext_lazy("Give the template a name."),
            "max_length": gettext_lazy("Keep the name under 120 characters."),
        },
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=EntryKind.choices)
    team = forms.ChoiceField(label=gettext_lazy("For"), required=False)
    description = forms.CharField(max_length=300, required=False, label=gettext_lazy("What it is for"))
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        strip=False,
        label=gettext_lazy("Text (Markdown; decision records: the summary)"),
    )
    context = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        strip=False,
        label=gettext_lazy("Context (decision records)"),
    )
    options = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        strip=False,
        label=gettext_lazy("Options considered (decision records)"),
    )
    decision = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        strip=False,
        label=gettext_lazy("Decision (decision records)"),
    )
    consequences = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        strip=False,
        label=gettext_lazy("Consequences (decision records)"),
    )

    def __init__(self, *args, teams, organization: bool, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "The whole organization")] if organization else []
        choices += [(str(team.pk), team.name) for team in teams]
        self.fields["team"].choices = choices
        self._teams = {str(team.pk): team for team in teams}
        if editing:  # kind and team stay what they were
            del self.fields["kind"]
            del self.fields["team"]

    def clean_team(self):
        value = self.cleaned_data.get("team") or ""
        return self._teams.get(value)

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("kind", "team")}


class TemplateChoiceForm(forms.Form):
    """`?template=ID` on the new-entry page; a bad or unknown one simply pre-fills nothing."""

    template = IdField(what="the template", required=False)
