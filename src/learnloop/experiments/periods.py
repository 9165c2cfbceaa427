"""Process experiments' data: figures per period, and the analysis their design calls for.

A randomised split compares arms measured at the same time (snapshots, analysis.py). A process
experiment changes how teams work and is measured period by period, before and after its start
date, so its results are `PeriodFigure` rows and its analysis comes from the design:

- trial teams against control teams → difference in differences over the before and after cells;
- before / after with no control → an interrupted time series on the per-period means, the
  pre-period trend projected as the counterfactual.

Formulas and their assumptions are in analytics/stats/process.py and docs/experiments.md.

Input, one row per period (and group): period (the first day, ISO date), group (a variant's name;
left out for before / after), units, sum, sum_squares (left out for a 0/1 metric) — or period and
value alone, one figure per period (units 1).
"""

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learnloop.activity.services import record_activity
from learnloop.experiments.models import (
    Decision,
    Design,
    Experiment,
    Metric,
    MetricRole,
    MetricType,
    Outcome,
    PeriodFigure,
    Status,
)
from learnloop.experiments.permissions import can_manage, require

PROCESS_DESIGNS = {Design.BEFORE_AFTER, Design.CONTROL_TEAMS}
MAX_ROWS = 2000
DID = "difference_in_differences"
ITS = "interrupted_time_series"
METHOD_NAMES = {DID: gettext_lazy("Difference in differences"), ITS: gettext_lazy("Interrupted time series")}
METHOD_SUMMARIES = {
    DID: gettext_lazy(
        "Δ = (trial after − trial before) − (control after − control before), Welch–Satterthwaite t interval "
        "(the interaction of the saturated regression with HC2 errors); relative: ratio of ratios on the log "
        "scale. Assumes trial and control teams would have moved in parallel."),
    ITS: gettext_lazy(
        "Segmented regression y = β₀ + β₁·t + β₂·after + β₃·(t − t₀)·after on one mean per period, Newey–West "
        "errors, t with n − 4 degrees of freedom; the effect at the last period is β₂ + β₃·(t_last − t₀) against "
        "the pre-period trend projected forward. Relative: log(fitted / projected)."),
}


def is_process(experiment: Experiment) -> bool:
    return experiment.design in PROCESS_DESIGNS


def method_of(experiment: Experiment) -> str:
    return DID if experiment.design == Design.CONTROL_TEAMS else ITS


# --- input -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodRow:
    period: date
    group: str
    units: int
    sum: float
    sum_squares: float


def _number(value, *, field: str, line: int, name: str = "value") -> float:
    if value in (None, ""):
        raise ValidationError({field: f"Row {line}: give the {name}."})
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"Row {line}: “{value}” is not a number."}) from None
    if not math.isfinite(number):
        raise ValidationError({field: f"Row {line}: give a finite number."})
    return number


def period_rows(rows: list[dict], metric_type: str, *, field: str = "rows") -> list[PeriodRow]:
    """Check rows typed in, uploaded or sent to the API; messages name the row and the field."""
    if not rows:
        raise ValidationError({field: "Give at least one period."})
    if len(rows) > MAX_ROWS:
        raise ValidationError({field: f"At most {MAX_ROWS} rows at a time."})
    cleaned = []
    for line, row in enumerate(rows, start=1):
        row = {str(key).strip().lower(): value for key, value in row.items() if key is not None}
        raw_period = row.get("period")
        if isinstance(raw_period, date):
            period = raw_period
        else:
            try:
                period = date.fromisoformat(str(raw_period or "").strip())
            except ValueError:
                raise ValidationError({field: f"Row {line}: a period is its first day, e.g. 2026-03-02."}) from None
        group = " ".join(str(row.get("group") or "").split())
        if row.get("value") not in (None, ""):
            value = _number(row["value"], field=field, line=line)
            units, total, squares = 1, value, value * value
        else:
            units_value = _number(row.get("units"), field=field, line=line, name="units")
            if units_value < 1 or units_value != int(units_value):
                raise ValidationError({field: f"Row {line}: units is a whole number of at least 1."})
            units = int(units_value)
            total = _number(row.get("sum"), field=field, line=line, name="sum")
            if row.get("sum_squares") in (None, ""):
                if metric_type != MetricType.BINOMIAL:
                    raise ValidationError({field: f"Row {line}: a {metric_type} metric needs sum_squares."})
                squares = total
            else:
                squares = _number(row["sum_squares"], field=field, line=line)
        if metric_type == MetricType.BINOMIAL and not 0 <= total <= units:
            raise ValidationError({field: f"Row {line}: a 0/1 metric's sum lies between 0 and the units."})
        if squares < 0 or squares * units + 1e-9 * max(1.0, total * total) < total * total:
            raise ValidationError({field: f"Row {line}: sum_squares is too small for that sum (Σx² ≥ (Σx)²/n)."})
        cleaned.append(PeriodRow(period=period, group=group, units=units, sum=total, sum_squares=squares))
    return cleaned


def period_rows_from_text(text: str, metric_type: str) -> list[PeriodRow]:
    reader = csv.DictReader(io.StringIO(text.strip()))
    if not reader.fieldnames or "period" not in [name.strip().lower() for name in reader.fieldnames]:
        raise ValidationError({"file": "The first line names the columns: period,group,units,sum,sum_squares "
                                       "(or period,value)."})
    return period_rows(list(reader), metric_type, field="file")


def record_period_figures(*, by, experiment: Experiment, metric: Metric, rows: list[PeriodRow],
                          at: datetime | None = None) -> int:
    """Store (or replace) a process experiment's figures per period; returns how many were written."""
    experiment = Experiment.objects.select_related("team").get(pk=experiment.pk)
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads enter results.")
    if not is_process(experiment):
        raise ValidationError({"design": "Figures per period are for before / after and control-team designs; a "
                                         "randomised split takes snapshots."})
    if metric.experiment_id != experiment.pk:
        raise ValidationError({"metric": "That metric belongs to another experiment."})
    if experiment.status not in {Status.RUNNING, Status.ANALYSING}:
        raise ValidationError({"status": "Figures are entered once the experiment has started (its start date is "
                                         "when the change began) and until it is decided."})
    today = timezone.localdate()
    variants = {variant.name.lower(): variant for variant in experiment.variants.all()}
    resolved = []
    seen = set()
    for row in rows:
        if row.period > today:
            raise ValidationError({"rows": f"{row.period:%d %b %Y} is in the future."})
        if experiment.design == Design.CONTROL_TEAMS:
            variant = variants.get(row.group.lower())
            if variant is None:
                names = ", ".join(v.name for v in variants.values())
                raise ValidationError({"rows": f"“{row.group}” is not a group of this experiment ({names})."})
        else:
            if row.group:
                raise ValidationError({"rows": "A before / after experiment has one series: leave the group out."})
            variant = None
        key = (variant.pk if variant else None, row.period)
        if key in seen:
            raise ValidationError({"rows": f"{row.period} appears twice for the same group."})
        seen.add(key)
        resolved.append((variant, row))
    now = at or timezone.now()
    with transaction.atomic():
        for variant, row in resolved:
            PeriodFigure.objects.update_or_create(
                experiment=experiment, metric=metric, variant=variant, period=row.period,
                defaults={"units": row.units, "sum": row.sum, "sum_squares": row.sum_squares, "created_by": by,
                          "created_at": now},
            )
        record_activity(verb="results_recorded", subject=experiment, actor=by, team=experiment.team, at=now,
                        data={"metric": metric.name, "periods": len(resolved)})
    return len(resolved)


# --- analysis --------------------------------------------------------------------------------------------


@dataclass
class ProcessResult:
    metric: object
    method: str
    periods_before: int = 0
    periods_after: int = 0
    effect: float | None = None  # absolute, in the metric's unit
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    relative: float | None = None  # fraction; interval on the log scale
    relative_low: float | None = None
    relative_high: float | None = None
    p_value_adjusted: float | None = None
    verdict: str = "error"
    reading: str = ""
    error: str = ""
    details: dict = field(default_factory=dict)
    series: list[tuple] = field(default_factory=list)  # (period, group, mean, after)

    @property
    def method_name(self) -> str:
        return str(METHOD_NAMES[self.method])

    @property
    def method_summary(self) -> str:
        return str(METHOD_SUMMARIES[self.method])


def _finite(value):
    return value if value is not None and math.isfinite(value) else None


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%".replace("-", "−")


def _number_text(value: float) -> str:
    return f"{value:,.3g}".replace("-", "−")


def verdict_of(result: ProcessResult, alpha: float) -> str:
    p = result.p_value_adjusted if result.p_value_adjusted is not None else result.p_value
    if result.error or result.effect is None or p is None:
        return "error"
    if p >= alpha:
        return "inconclusive"
    return "better" if (result.effect > 0) != result.metric.lower_is_better else "worse"


def reading_of(result: ProcessResult, alpha: float) -> str:
    """The result in a sentence, in the reader's language (whole sentences are translated)."""
    name = result.metric.name
    if result.verdict == "error":
        return _("%(metric)s could not be analysed: %(error)s") % {"metric": name, "error": result.error}
    level = f"{(1 - alpha) * 100:g}%"
    against = _("against the control teams") if result.method == DID else _("against the pre-period trend")
    if result.relative is not None:
        low, high, size = _percent(result.relative_low), _percent(result.relative_high), _percent(abs(result.relative))
    else:
        low, high = _number_text(result.ci_low), _number_text(result.ci_high)
        size = _number_text(abs(result.effect))
    size = _("by %(size)s (%(level)s interval %(low)s to %(high)s)") % {
        "size": size, "level": level, "low": low, "high": high}
    p = result.p_value_adjusted if result.p_value_adjusted is not None else result.p_value
    evidence = "p < 0.001" if p < 0.001 else f"p = {p:.2g}"
    if result.p_value_adjusted is not None:
        evidence = _("%(evidence)s after correction") % {"evidence": evidence}
    values = {"metric": name, "size": size, "against": against, "evidence": evidence,
              "method": result.method_name.lower()}
    raised = result.effect > 0
    if result.verdict == "inconclusive":
        sentence = (_("The change raised %(metric)s %(size)s %(against)s; there is not enough evidence that this "
                      "is more than chance (%(evidence)s, %(method)s).") if raised else
                    _("The change lowered %(metric)s %(size)s %(against)s; there is not enough evidence that this "
                      "is more than chance (%(evidence)s, %(method)s)."))
    else:
        sentence = (_("The change raised %(metric)s %(size)s %(against)s; this is unlikely to be chance "
                      "(%(evidence)s, %(method)s).") if raised else
                    _("The change lowered %(metric)s %(size)s %(against)s; this is unlikely to be chance "
                      "(%(evidence)s, %(method)s)."))
    return sentence % values


def _cells(figures, experiment):
    from learnloop.analytics.stats import Cell

    sums: dict[tuple[bool, bool], list[float]] = {}
    for figure in figures:
        key = (figure.variant.position != 0, figure.period >= experiment.started_on)
        n, total, squares = sums.get(key, [0.0, 0.0, 0.0])
        sums[key] = [n + figure.units, total + figure.sum, squares + figure.sum_squares]
    missing = [label for label, key in (("control teams before", (False, False)), ("control teams after",
               (False, True)), ("trial teams before", (True, False)), ("trial teams after", (True, True)))
               if key not in sums]
    if missing:
        return None, f"figures are missing for the {', '.join(missing)}"
    return {key: Cell.from_sums(*values) for key, values in sums.items()}, ""


def _difference_in_differences(result: ProcessResult, figures, experiment) -> None:
    from learnloop.analytics.stats import difference_in_differences

    cells, problem = _cells(figures, experiment)
    if cells is None:
        result.error = problem
        return
    outcome = difference_in_differences(
        control_before=cells[(False, False)], control_after=cells[(False, True)],
        trial_before=cells[(True, False)], trial_after=cells[(True, True)], alpha=experiment.alpha,
    )
    if outcome.absolute.problem:
        result.error = outcome.absolute.problem
        return
    result.effect, result.ci_low, result.ci_high = outcome.absolute.effect, outcome.absolute.ci_low, \
        outcome.absolute.ci_high
    result.p_value = outcome.absolute.p_value
    if not outcome.relative.problem:
        result.relative, result.relative_low, result.relative_high = outcome.relative.effect, \
            outcome.relative.ci_low, outcome.relative.ci_high
    result.details = {
        "trial_change": outcome.trial_change, "control_change": outcome.control_change,
        "counterfactual": outcome.counterfactual, "degrees_of_freedom": outcome.absolute.degrees_of_freedom,
        **{f"{'trial' if trial else 'control'}_{'after' if after else 'before'}_mean": cell.mean
           for (trial, after), cell in cells.items()},
    }


def _interrupted_time_series(result: ProcessResult, figures, experiment) -> None:
    from learnloop.analytics.stats import interrupted_time_series

    periods = sorted({figure.period for figure in figures})
    index = {period: position for position, period in enumerate(periods)}
    means = {figure.period: figure.mean for figure in figures}
    start = next((index[p] for p in periods if p >= experiment.started_on), len(periods))
    outcome = interrupted_time_series([index[p] for p in periods], [means[p] for p in periods], start=start,
                                      alpha=experiment.alpha)
    at_end = outcome.effect_at_end
    if at_end.problem:
        result.error = at_end.problem
        return
    result.effect, result.ci_low, result.ci_high, result.p_value = at_end.effect, at_end.ci_low, at_end.ci_high, \
        at_end.p_value
    if not outcome.relative_at_end.problem:
        relative = outcome.relative_at_end
        result.relative, result.relative_low, result.relative_high = relative.effect, relative.ci_low, \
            relative.ci_high
    result.details = {
        "level_change": outcome.level_change.effect, "slope_change": outcome.slope_change.effect,
        "pre_trend_per_period": outcome.coefficients[1], "counterfactual_at_end": outcome.counterfactual_at_end,
        "newey_west_lags": outcome.lags, "degrees_of_freedom": at_end.degrees_of_freedom,
    }


def analyse_metric(experiment: Experiment, metric, figures) -> ProcessResult:
    result = ProcessResult(metric=metric, method=method_of(experiment))
    if experiment.started_on is not None:
        start = experiment.started_on
        result.series = [(f.period, f.variant.name if f.variant_id else "", f.mean, f.period >= start)
                         for f in figures]
        result.periods_before = len({f.period for f in figures if f.period < start})
        result.periods_after = len({f.period for f in figures if f.period >= start})
    if experiment.started_on is None:
        result.error = "the experiment has not started: its start date divides before from after"
    elif result.method == DID:
        _difference_in_differences(result, [f for f in figures if f.variant_id], experiment)
    else:
        _interrupted_time_series(result, [f for f in figures if not f.variant_id], experiment)
    for name in ("effect", "ci_low", "ci_high", "p_value", "relative", "relative_low", "relative_high"):
        setattr(result, name, _finite(getattr(result, name)))
    return result


def analyse(experiment: Experiment) -> list[ProcessResult]:
    """Every metric with figures, in the protocol's order, corrected together as pre-registered."""
    from learnloop.experiments.corrections import adjust

    if experiment.started_on is None:  # a stale object: the start date decides what is "before"
        experiment.refresh_from_db(fields=["started_on"])
    figures = list(PeriodFigure.objects.filter(experiment=experiment).select_related("variant")
                   .order_by("period", "variant__position"))
    by_metric: dict[int, list] = {}
    for figure in figures:
        by_metric.setdefault(figure.metric_id, []).append(figure)
    results = [analyse_metric(experiment, metric, by_metric[metric.pk]) for metric in experiment.metrics.all()
               if metric.pk in by_metric]
    adjust(experiment.correction, results)
    for result in results:
        result.verdict = verdict_of(result, experiment.alpha)
        result.reading = reading_of(result, experiment.alpha)
    return results


def primary_of(results: list[ProcessResult]) -> ProcessResult | None:
    return next((r for r in results if r.metric.role == MetricRole.PRIMARY), None)


def recommend(results: list[ProcessResult]):
    from learnloop.experiments.analysis import Recommendation

    primary = primary_of(results)
    if primary is None or primary.verdict == "error":
        return None
    improvement = primary.relative if primary.relative is not None else None
    if improvement is not None and primary.metric.lower_is_better:
        improvement = -improvement
    name = f"{primary.metric.name} ({primary.method_name.lower()})"
    if primary.verdict == "better":
        return Recommendation(Decision.SHIP, Outcome.WON, f"The change improved {name}.", improvement)
    if primary.verdict == "worse":
        return Recommendation(Decision.STOP, Outcome.LOST, f"The change made {name} worse.", improvement)
    return Recommendation(Decision.STOP, Outcome.INCONCLUSIVE, f"Not enough evidence that the change moved {name}: "
                          "go back to how it was, or measure longer.", improvement)
