"""The diagram pages' forms: the table view's forms work without the canvas (add or remove a
variable or link, bind a variable), and the editor posts its whole model through SaveForm."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from learnloop.org.models import Team
from learnloop.systems.bound_public import SURVEY, scale_choices
from learnloop.systems.diagram_bindings import CHOICES as METRIC_CHOICES
from learnloop.systems.diagram_models import InterventionKind
from learnloop.systems.diagram_services import ATTACHABLE
from learnloop.web.forms import IdField, OfferedChoiceField, OfferedModelChoiceField

POLARITY_CHOICES = [("+", _("+ (same direction)")), ("-", _("− (opposite direction)"))]
ATTACH_LABELS = {"reflection.session": _("Session (retro, review or postmortem)"),
                 "insights.theme": _("Recurring theme"), "experiments.experiment": _("Experiment")}


class _Form(forms.Form):
    """Several of these forms share a page: each names its fields' ids after itself."""

    id_prefix = "diagram"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


def _teams():
    return Team.objects.filter(archived_at=None).order_by("name")


class DiagramForm(_Form):
    id_prefix = "new"
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    team = OfferedModelChoiceField(queryset=_teams(), required=False, empty_label=_("The organization"),
                                   accepts=Team.objects.all())


class SaveForm(_Form):
    """The editor's save: the whole model as JSON, and the version it started from."""

    id_prefix = "save"

    content = forms.CharField(widget=forms.HiddenInput, max_length=2_000_000)
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    note = forms.CharField(required=False, max_length=300, label=_("What changed (optional)"))

    def clean_content(self):
        try:
            return json.loads(self.cleaned_data["content"])
        except json.JSONDecodeError:
            raise ValidationError(_("The editor sent a model that is not JSON; nothing was saved.")) from None


class VariableForm(_Form):
    id_prefix = "variable"
    name = forms.CharField(max_length=120, label=_("Variable name"))


class LinkForm(_Form):
    id_prefix = "link"
    source = OfferedChoiceField(label=_("From (cause)"))
    target = OfferedChoiceField(label=_("To (effect)"))
    polarity = forms.ChoiceField(label=_("Polarity"), choices=POLARITY_CHOICES)
    delay = forms.BooleanField(required=False, label=_("Delayed (its effect takes noticeably longer)"))

    def __init__(self, *args, names=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(name, name) for name in names]
        self.fields["source"].choices = choices
        self.fields["target"].choices = choices


class RemoveForm(_Form):
    """A table row's Remove button: a variable (name) or a link (source and target)."""

    id_prefix = "remove"
    name = forms.CharField(label=_("Name"), required=False, max_length=120)
    source = forms.CharField(label=_("Source"), required=False, max_length=120)
    target = forms.CharField(label=_("Target"), required=False, max_length=120)


class BindForm(_Form):
    id_prefix = "bind"
    name = OfferedChoiceField(label=_("Variable"))
    metric = forms.ChoiceField(choices=[("", _("Not bound")), *METRIC_CHOICES], required=False, label=_("Metric"))
    theme = IdField(required=False, what="the theme", label=_("Theme number (for theme items)"))
    scale = OfferedChoiceField(required=False, label=_("Survey scale (for a survey scale score)"))

    def __init__(self, *args, names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].choices = [(name, name) for name in names]
        self.fields["scale"].choices = [("", "—"), *scale_choices()]

    def clean(self):
        data = super().clean()
        if data.get("metric") == SURVEY and not data.get("scale"):
            self.add_error("scale", "Choose the survey scale the variable is bound to.")
        return data

    def binding(self):
        data = self.cleaned_data
        if not data["metric"]:
            return None
        if data["metric"] == "theme_items":
            return {"metric": "theme_items", "theme": data["theme"]}
        if data["metric"] == SURVEY:
            return {"metric": SURVEY, "scale": data["scale"]}
        return {"metric": data["metric"]}


class CommentForm(_Form):
    id_prefix = "comment"
    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Comment"))


class AttachForm(_Form):
    id_prefix = "attach"
    target_type = forms.ChoiceField(choices=[(key, ATTACH_LABELS[key]) for key in ATTACHABLE], label=_("Attach to a"))
    target_id = forms.CharField(max_length=64, label=_("Its number"))


class InterventionForm(_Form):
    id_prefix = "intervention"
    variable = OfferedChoiceField(label=_("Intervene on the variable"))
    link_target = OfferedChoiceField(required=False, label=_("…or on its link to (optional)"))
    kind = forms.ChoiceField(choices=InterventionKind.choices, label=_("Turn it into"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Left empty: “Intervene on <variable>”."))
    description = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                  label=_("The change you propose"))
    team = OfferedModelChoiceField(queryset=_teams(), required=False, empty_label=_("The diagram's team"),
                                   accepts=Team.objects.all(), label=_("Team that runs it"))

    def __init__(self, *args, names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variable"].choices = [(name, name) for name in names]
        self.fields["link_target"].choices = [("", "—"), *[(name, name) for name in names]]
