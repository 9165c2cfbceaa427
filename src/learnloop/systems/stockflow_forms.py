"""Forms of the stock-and-flow pages: upload, edit (name, team, bindings), constants (sliders),
scenarios, sensitivity runs."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from learnloop.org.models import Team
from learnloop.systems import stockflow_permissions as permissions
from learnloop.systems.stockflow_bindings import LIVE_NUMBERS
from learnloop.systems.stockflow_models import Sampling, ScenarioInterventionKind
from learnloop.systems.stockflow_services import MAX_SENSITIVITY_RUNS, MAX_UPLOAD_BYTES


class UploadForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False,
                                  empty_label=_("The organization"), label=_("Owned by"))
    file = forms.FileField(label=_("Model file (.mdl, .xmile, .xml, .stmx)"),
                           help_text=format_lazy(_("Vensim or XMILE text, at most {megabytes} MB. External data "
                                                   "files and macros are not accepted."),
                                                 megabytes=MAX_UPLOAD_BYTES // 1_000_000))

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(archived_at=None).order_by("name", "pk")
        self.fields["team"].queryset = teams if person is not None and permissions.can_upload(person, None) else (
            teams.filter(pk__in=[team.pk for team in teams if permissions.can_upload(person, team)]))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext("The file is larger than %(megabytes)s MB.") % {
                "megabytes": MAX_UPLOAD_BYTES // 1_000_000})
        return upload


class ScenarioForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Scenario name"))
    note = forms.CharField(required=False, max_length=500, label=_("Note (optional)"))


def constant_key(index: int) -> str:
    return f"c{index}"


def params_from(data, sliders) -> tuple[dict[str, float], list[str]]:
    """The constants changed in a query or form (keys c0, c1, ...), and any problems."""
    params, problems = {}, []
    for index, slider in enumerate(sliders):
        raw = data.get(constant_key(index))
        if raw in (None, ""):
            continue
        try:
            value = float(raw)
        except ValueError:
            problems.append(gettext("%(name)s: %(raw)r is not a number.") % {"name": slider.name, "raw": raw})
            continue
        if value != value or value in (float("inf"), float("-inf")):
            problems.append(gettext("%(name)s: the value must be a finite number.") % {"name": slider.name})
            continue
        if value != slider.value:
            params[slider.name] = value
    return params, problems


class SensitivityForm(forms.Form):
    runs = forms.IntegerField(label=_("Runs"), min_value=2, max_value=MAX_SENSITIVITY_RUNS, initial=200)
    sampling = forms.ChoiceField(label=_("Sampling"), choices=Sampling.choices, initial=Sampling.LATIN_HYPERCUBE)
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=2**31 - 1, initial=0)

    def ranges(self, data, sliders) -> dict[str, list]:
        """The constants ticked to vary, with their low and high (vary_i, low_i, high_i)."""
        found = {}
        for index, slider in enumerate(sliders):
            if data.get(f"vary_{index}"):
                found[slider.name] = [data.get(f"low_{index}", slider.low), data.get(f"high_{index}", slider.high)]
        return found


class EditForm(forms.Form):
    """A model's name, description, owning team, and one choice per constant: its live number."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False,
                                  empty_label=_("The organization"), label=_("Owned by"))

    def __init__(self, *args, model, person=None, **kwargs):
        kwargs.setdefault("initial", {"name": model.name, "description": model.description, "team": model.team})
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(archived_at=None).order_by("name", "pk")
        offered = [team.pk for team in teams if team.pk == model.team_id or permissions.can_upload(person, team)]
        self.fields["team"].queryset = teams.filter(pk__in=offered)
        choices = [("", _("The model's own value")), *[(number.key, number.label) for number in LIVE_NUMBERS.values()]]
        self.constants = [constant["name"] for constant in model.outline.get("constants", [])]
        for index, constant in enumerate(self.constants):
            self.fields[binding_key(index)] = forms.ChoiceField(
                choices=choices, required=False, label=gettext("%(constant)s starts from") % {"constant": constant},
                initial=model.bindings.get(constant, ""))

    def bindings(self) -> dict[str, str]:
        return {constant: self.cleaned_data[binding_key(index)] for index, constant in enumerate(self.constants)
                if self.cleaned_data.get(binding_key(index))}

    def binding_fields(self):
        return [self[binding_key(index)] for index in range(len(self.constants))]


def binding_key(index: int) -> str:
    return f"bind_{index}"


class InterventionForm(forms.Form):
    """Turn a saved scenario into a proposed experiment or an action (the button pressed is the kind)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ScenarioInterventionKind.choices)
    variable = forms.ChoiceField(required=False, label=_("Expected to move"),
                                 help_text=_("The variable the hypothesis is about (its value at the final time)."))
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label=_("The model's team"),
                                  label=_("Team that runs it"))

    def __init__(self, *args, variables=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variable"].choices = [(name, name) for name in variables]
        self.fields["team"].queryset = Team.objects.filter(archived_at=None).order_by("name", "pk")
