"""The registry's HTML forms. They take the typed values in (with the input rules of
web/input_checks.py) and turn them into service arguments; the services check the values and
their ValidationErrors are shown on the field they name (web.forms.apply_validation_error), so
the page keeps everything that was typed."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from learnloop.experiments.models import Correction, Decision, Design, Engine, Kind, MetricRole, MetricType
from learnloop.org.forms import team_named
from learnloop.org.models import Person
from learnloop.web.forms import ExportForm, IdField, OfferedChoiceField, OfferedModelChoiceField, required_in_practice
from learnloop.web.input_checks import bound_field

DIRECTIONS = {"lower": True, "higher": False, "lower is better": True, "higher is better": False}
MAX_UPLOAD_BYTES = 1_000_000
DATE_INVALID = "That is not a date (YYYY-MM-DD)."
# Figures of the results form, one input per variant and column; the denominator columns of
# ratio metrics come in a CSV upload.
TYPED_COLUMNS = ("users", "sum", "sum_squares")
ROW_COLUMNS = (*TYPED_COLUMNS, "denominator_sum", "denominator_sum_squares", "denominator_sum_product")


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _percent(value: str, *, line: str) -> float:
    try:
        return float(value.strip().rstrip("%")) / 100
    except ValueError:
        raise ValidationError(f"“{line}”: the threshold is a percentage such as 5%.") from None


def percent_or_none(value: str) -> float | None:
    """A percentage typed into a form (5 or 5%) as a share (0.05); empty is None."""
    value = (value or "").strip()
    return None if not value else _percent(value, line=value)


def parse_guardrails(text: str) -> list[dict]:
    """One guardrail a line: `name; type; lower|higher; threshold%` (type, direction and threshold optional)."""
    guardrails = []
    for line in lines(text):
        parts = [part.strip() for part in line.split(";")]
        spec = {"name": parts[0], "metric_type": MetricType.BINOMIAL, "lower_is_better": False, "threshold": 0.0}
        if len(parts) > 1 and parts[1]:
            if parts[1].lower() not in MetricType.values:
                raise ValidationError(f"“{line}”: the type is mean, binomial or ratio.")
            spec["metric_type"] = parts[1].lower()
        if len(parts) > 2 and parts[2]:
            if parts[2].lower() not in DIRECTIONS:
                raise ValidationError(f"“{line}”: say whether lower or higher is better.")
            spec["lower_is_better"] = DIRECTIONS[parts[2].lower()]
        if len(parts) > 3 and parts[3]:
            spec["threshold"] = _percent(parts[3], line=line)
        if len(parts) > 4:
            raise ValidationError(f"“{line}”: expected name; type; lower|higher; threshold%.")
        guardrails.append(spec)
    return guardrails


def _text(label: str, *, max_length: int | None = None, rows: int | None = None, **attrs) -> forms.CharField:
    """A text the service checks (required or not, in its own words)."""
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, max_length=max_length, required=False, strip=False, widget=widget)


def _choice(label: str, choices, **attrs) -> forms.CharField:
    """A select whose value the service checks (it names the allowed values in its message)."""
    return required_in_practice(forms.CharField(label=label, required=False,
                                                widget=forms.Select(choices=choices, attrs=attrs)))


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}),
                           error_messages={"invalid": DATE_INVALID}, **kwargs)


def _owner(label: str = _("Owner")) -> forms.ModelChoiceField:
    return OfferedModelChoiceField(label=label, queryset=Person.objects.none(), required=False,
                                  empty_label=_("The team"))


def _requiring(form: forms.Form, *names: str) -> None:
    for name in names:
        required_in_practice(form.fields[name])


class RegisterForm(forms.Form):
    title = _text(_("Title"), max_length=200)
    team = OfferedChoiceField(label=_("Team"), error_messages={"required": "Choose one of your teams."})
    kind = _choice(_("Type"), Kind.choices)
    design = _choice(_("Design"), Design.choices)
    change = _text(_("We believe…"), max_length=1000, placeholder=_("a one-page checkout"))
    effect = _text(_("…will cause…"), max_length=1000, placeholder=_("more completed orders"))
    population = _text(_("…for…"), max_length=300, placeholder=_("returning web customers"))
    success_metric = _text(_("We will know when…"), max_length=200, placeholder=_("checkout conversion"))
    expected_delta = _text(_("…moves by"), max_length=100, placeholder="+2%")
    variants = _text(_("Variants, one a line, the control first"), rows=3, placeholder=_("Control\nOne-page checkout"))
    primary_name = _text(_("Primary metric"), max_length=120)
    primary_type = _choice(_("Metric type"), MetricType.choices)
    primary_lower = forms.BooleanField(label=_("Lower is better"), required=False)
    guardrails = _text(_("Guardrail metrics, one a line: name; type; lower|higher; threshold%"), rows=2,
                       placeholder=_("refund rate; binomial; lower; 5%"))
    engine = _choice(_("Engine"), Engine.choices)
    alpha = _text(_("Alpha"), inputmode="decimal")
    planned_sample_per_variant = _text(_("Planned sample per variant"), inputmode="numeric")
    correction = _choice(_("Multiple-testing correction"), Correction.choices)
    stopping_rule = _text(_("Stopping rule"), max_length=2000, rows=2,
                          placeholder=_("Run two full weeks and until 10,000 users per variant; no peeking."))

    def __init__(self, *args, teams, **kwargs):
        kwargs.setdefault("initial", {"primary_type": MetricType.BINOMIAL, "alpha": "0.05"})
        super().__init__(*args, **kwargs)
        self.teams = {str(team.pk): team for team in teams}
        self.fields["team"].choices = [(pk, team.name) for pk, team in self.teams.items()]
        self.fields["guardrails"].help_text = _("A guardrail is breached when a variant is confidently worse on it "
                                               "by more than the threshold.")
        self.fields["design"].help_text = _(
            "Before / after: figures per period of the teams under the change, analysed as an interrupted time "
            "series on the pre-period trend. Trial teams against control teams: figures per period of both "
            "groups (variants “Control teams”, “Trial teams”), analysed by difference in differences.")
        self.fields["correction"].help_text = _("Adjusts the p-values of every metric and variant together; with "
                                               "“None” only the primary metric is confirmatory.")
        _requiring(self, "title", "change", "effect", "population", "success_metric", "expected_delta", "variants",
                   "primary_name")

    def clean_team(self):
        # Any team may be named; the service decides whether this person may register there.
        return team_named(self.cleaned_data["team"])

    def clean_guardrails(self):
        return parse_guardrails(self.cleaned_data["guardrails"])

    def registration(self) -> dict:
        """register_experiment's keyword arguments."""
        data = self.cleaned_data

        def sent(name: str, default: str) -> str:
            # A value left out takes its default; one sent empty is the service's to refuse.
            return data[name] if name in self.data else default

        return {
            "team": data["team"],
            "title": data["title"], "kind": sent("kind", Kind.ONLINE), "design": sent("design", Design.RANDOMISED),
            "change": data["change"], "effect": data["effect"], "population": data["population"],
            "success_metric": data["success_metric"], "expected_delta": data["expected_delta"],
            "variants": lines(data["variants"]),
            "primary_metric": {"name": data["primary_name"], "metric_type": sent("primary_type", MetricType.BINOMIAL),
                               "lower_is_better": data["primary_lower"]},
            "guardrails": data["guardrails"],
            "engine": sent("engine", Engine.FREQUENTIST),
            "alpha": sent("alpha", "0.05"),
            "planned_sample_per_variant": data["planned_sample_per_variant"],
            "correction": sent("correction", Correction.NONE),
            "stopping_rule": data["stopping_rule"],
        }


class ProtocolForm(forms.Form):
    engine = _choice(_("Engine"), Engine.choices)
    alpha = _text(_("Alpha"), inputmode="decimal")
    planned_sample_per_variant = _text(_("Planned sample per variant"), inputmode="numeric")
    correction = _choice(_("Multiple-testing correction"), Correction.choices)
    stopping_rule = _text(_("Stopping rule"), max_length=2000, rows=2)
    reason = _text(_("Reason for the deviation (required: the protocol is locked)"), rows=2)

    def __init__(self, *args, experiment, **kwargs):
        kwargs.setdefault("initial", {
            "engine": experiment.engine, "alpha": experiment.alpha, "stopping_rule": experiment.stopping_rule,
            "planned_sample_per_variant": experiment.planned_sample_per_variant,
            "correction": experiment.correction,
        })
        super().__init__(*args, **kwargs)
        if experiment.is_locked:
            _requiring(self, "reason")
        else:
            del self.fields["reason"]

    def changes(self) -> dict:
        """update_protocol's keyword arguments: the protocol values that were sent."""
        return {name: value for name, value in self.cleaned_data.items() if name in self.data and name != "reason"}


class MetricForm(forms.Form):
    name = _text(_("Metric name"), max_length=120)
    role = _choice(_("Role"), [(MetricRole.GUARDRAIL, _("Guardrail")), (MetricRole.SECONDARY, _("Secondary"))])
    metric_type = _choice(_("Metric type"), MetricType.choices)
    threshold = _text(_("Guardrail threshold (% worse)"), inputmode="decimal")
    lower_is_better = forms.BooleanField(label=_("Lower is better"), required=False)
    reason = _text(_("Reason for the deviation (required: the protocol is locked)"), rows=2)

    def __init__(self, *args, experiment, **kwargs):
        kwargs.setdefault("initial", {"metric_type": MetricType.BINOMIAL})
        kwargs.setdefault("auto_id", "metric_%s")
        super().__init__(*args, **kwargs)
        _requiring(self, "name")
        if experiment.is_locked:
            _requiring(self, "reason")
        else:
            del self.fields["reason"]

    def clean_threshold(self):
        return percent_or_none(self.cleaned_data["threshold"])

    def metric(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "role": data["role"] if "role" in self.data else MetricRole.GUARDRAIL,
                "metric_type": data["metric_type"] if "metric_type" in self.data else MetricType.BINOMIAL,
                "lower_is_better": data["lower_is_better"],
                "threshold": data["threshold"], "reason": data.get("reason", "")}


class SnapshotForm(forms.Form):
    """Results as of a day for one metric: a CSV file (`upload=True`), or figures typed in per variant."""

    taken_on = _date(_("Figures as of"), required=False)
    metric = forms.ModelChoiceField(label=_("Metric"), queryset=None, required=False, empty_label=None, error_messages={
        "invalid_choice": "Choose one of the experiment's metrics."})
    file = forms.FileField(label=_("CSV file"), required=False, widget=forms.FileInput(
        attrs={"accept": ".csv,.json,text/csv"}))

    def __init__(self, *args, experiment, variants, upload: bool, today, **kwargs):
        kwargs.setdefault("initial", {"taken_on": today})
        kwargs.setdefault("auto_id", ("upload_%s" if upload else "typed_%s"))
        super().__init__(*args, **kwargs)
        self.variants = variants
        self.fields["metric"].queryset = experiment.metrics.all()
        self.fields["metric"].label_from_instance = (
            (lambda m: f"{m.name} ({m.get_role_display().lower()})") if upload
            else (lambda m: f"{m.name} ({m.get_metric_type_display().lower()})"))
        required_in_practice(self.fields["taken_on"])
        if upload:
            required_in_practice(self.fields["file"])
        else:
            del self.fields["file"]
            for variant in variants:
                for column, label in zip(TYPED_COLUMNS, ("users", "sum", "sum of squares"), strict=True):
                    name = f"{column}_{variant.pk}"
                    field = forms.CharField(required=False, label=f"{variant.name} {label}", widget=forms.TextInput(
                        attrs={"inputmode": "numeric" if column == "users" else "decimal",
                               "aria-label": f"{variant.name} {label}"}))
                    bound_field(name, field)
                    self.fields[name] = field

    def rows_by_variant(self):
        """For the results table: (variant, its users, sum and sum-of-squares fields)."""
        return [(variant, [self[f"{column}_{variant.pk}"] for column in TYPED_COLUMNS]) for variant in self.variants]

    def clean_metric(self):
        if self.cleaned_data["metric"] is None:
            raise ValidationError("Choose one of the experiment's metrics.")
        return self.cleaned_data["metric"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 1 MB; a file holds one row per variant.")
        return upload

    def text(self) -> str | None:
        """The uploaded file's text, or None when the figures were typed in."""
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": "The file is not UTF-8 text (save it as CSV UTF-8)."}) from None

    def rows(self) -> list[dict]:
        """Per-variant figures typed into the form, control first."""
        rows = []
        for variant in self.variants:
            row = {"variation": variant.name}
            for column in ROW_COLUMNS:
                value = (self.data.get(f"{column}_{variant.pk}") or "").strip()
                if value:
                    row[column] = value
            rows.append(row)
        return rows


class PeriodForm(forms.Form):
    """A process experiment's figures per period: a CSV file, or the same lines pasted in."""

    metric = forms.ModelChoiceField(label=_("Metric"), queryset=None, required=False, empty_label=None, error_messages={
        "invalid_choice": "Choose one of the experiment's metrics."})
    figures = _text(_("Figures, one line per period (and group)"), rows=6,
                    placeholder=_("period,group,units,sum,sum_squares\n2026-03-02,Trial teams,12,9,9"))
    file = forms.FileField(label=_("…or a CSV file"), required=False, widget=forms.FileInput(
        attrs={"accept": ".csv,text/csv"}))

    def __init__(self, *args, experiment, **kwargs):
        kwargs.setdefault("auto_id", "period_%s")
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = experiment.metrics.all()

    def clean_metric(self):
        if self.cleaned_data["metric"] is None:
            raise ValidationError("Choose one of the experiment's metrics.")
        return self.cleaned_data["metric"]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error("file", "The file is larger than 1 MB.")
                return data
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "The file is not UTF-8 text (save it as CSV UTF-8).")
        elif (data.get("figures") or "").strip():
            data["text"] = data["figures"]
        else:
            self.add_error("figures", "Paste the figures or choose a CSV file.")
        return data


class PowerForm(forms.Form):
    """Planning: the sample a minimum effect needs, or the smallest effect a planned sample detects."""

    baseline = forms.FloatField(label=_("Baseline (a rate such as 0.12, or the mean)"), required=False)
    sd = forms.FloatField(label=_("Standard deviation (mean metrics)"), required=False, min_value=0)
    lift = forms.FloatField(label=_("Smallest lift worth finding (%)"), required=False)
    power = forms.FloatField(label=_("Power"), required=False, min_value=0.5, max_value=0.99)
    sample = forms.IntegerField(label=_("Units per variant (for the MDE)"), required=False, min_value=2,
                                max_value=10**9)

    def __init__(self, *args, experiment, **kwargs):
        kwargs.setdefault("auto_id", "power_%s")
        kwargs.setdefault("initial", {"power": 0.8, "sample": experiment.planned_sample_per_variant})
        super().__init__(*args, **kwargs)
        for name in ("baseline", "sd", "lift", "power", "sample"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def clean(self):
        data = super().clean()
        if data.get("baseline") is None and not self.errors.get("baseline"):
            self.add_error("baseline", "Give the metric's current value.")
        if data.get("lift") is None and data.get("sample") is None and not self.errors:
            self.add_error("lift", "Give the smallest lift worth finding, or a sample size for the MDE.")
        return data


class FollowUpFields(forms.Form):
    follow_up_title = _text(_("Action"))
    follow_up_owner = _owner()
    follow_up_due = _date(_("Due"), required=False)

    def __init__(self, *args, team_people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["follow_up_owner"].queryset = team_people

    def follow_up(self) -> dict:
        data = self.cleaned_data
        return {"title": data["follow_up_title"], "owner": data["follow_up_owner"], "due_on": data["follow_up_due"]}


class DecideForm(FollowUpFields):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, error_messages={
        "required": "Decide to ship, iterate or stop.", "invalid_choice": "Decide to ship, iterate or stop."})
    rationale = _text(_("Rationale"), rows=3)
    override_reason = _text(_("Reason for deciding against the recommendation (only then)"), rows=2)
    lesson_title = _text(_("Lesson title"))
    lesson_body = _text(_("What we learned"), rows=2)

    field_order = ["decision", "rationale", "override_reason", "lesson_title", "lesson_body", "follow_up_title",
                   "follow_up_owner", "follow_up_due"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "decide_%s")
        super().__init__(*args, **kwargs)
        self.mark_recommended(None)
        required_in_practice(self.fields["rationale"])

    def mark_recommended(self, recommended: str | None) -> None:
        """Say which decision the statistics recommend, in its label."""
        self.fields["decision"].choices = [
            (value, f"{label} (recommended)" if value == recommended else label) for value, label in Decision.choices
        ]

    def decide_arguments(self) -> dict:
        """decide's keyword arguments: the takeaway and the follow-up only when given a title."""
        data = self.cleaned_data
        takeaways = []
        if data["lesson_title"].strip():
            takeaways.append({"title": data["lesson_title"], "body": data["lesson_body"]})
        follow_ups = [self.follow_up()] if data["follow_up_title"].strip() else []
        return {"decision": data["decision"], "rationale": data["rationale"],
                "override_reason": data["override_reason"], "takeaways": takeaways, "follow_ups": follow_ups}


class LessonForm(forms.Form):
    lesson_title = _text(_("Lesson title"))
    lesson_body = _text(_("What we learned"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "lesson_%s")
        super().__init__(*args, **kwargs)
        required_in_practice(self.fields["lesson_title"])


class FollowUpForm(FollowUpFields):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "follow_up_%s")
        super().__init__(*args, **kwargs)
        required_in_practice(self.fields["follow_up_title"])


class PortfolioExportForm(ExportForm):
    """The portfolio's filters, as its export link carries them (the API's `GET /experiments/export`)."""

    status = forms.CharField(label=_("Status"), required=False, max_length=20)
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=20)
    team = IdField(label=_("Team"), required=False, what="the team")
    metric = forms.CharField(label=_("Metric"), required=False, max_length=200)
    sort = forms.CharField(label=_("Sort"), required=False, max_length=20)
    q = forms.CharField(label=_("Q"), required=False, max_length=200)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"status": data["status"], "outcome": data["outcome"], "metric": data["metric"],
                "sort": data["sort"] or "newest", "query": data["q"].strip()}
