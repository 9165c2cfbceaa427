"""Analysing an experiment's snapshots with the protocol's engine and alpha, and what the numbers say.

Nothing here is stored: results are recomputed from the aggregates every time, so they always
match the data and the (possibly deviated) protocol. Effects are relative to the control.

A variant is *better* or *worse* on a metric when the engine is confident at the protocol's
alpha: p < alpha (frequentist, sequential), or chance to win above 1 − alpha / below alpha
(Bayesian). A guardrail is *breached* when a variant is confidently worse on it and the harm is
larger than the guardrail's threshold. The recommendation: a traffic split that is off (SRM)
means iterate; a confident win on the primary metric means ship, or iterate if it breaches a
guardrail; anything else means stop (keep the control).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from learnloop.experiments.models import Decision, Experiment, MetricRole, Outcome

if TYPE_CHECKING:  # the statistics load numpy and scipy: only when something is analysed
    from learnloop.analytics.stats import VariantAggregates

SRM_THRESHOLD = 0.001  # the same line the analyst CLI draws


@dataclass
class VariantResult:
    variation: str
    users: float
    mean: float
    control_mean: float
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    chance_to_win: float | None
    verdict: str  # better / worse / inconclusive / error
    breach: bool = False
    reading: str = ""
    scale: str = ""  # "log": the relative interval is exp(log-ratio interval) − 1; "ratio": delta method
    p_value_adjusted: float | None = None  # after the protocol's multiple-testing correction
    problem: str = ""  # why it could not be compared


@dataclass
class MetricResult:
    metric: object
    control: str = ""
    srm_p_value: float | None = None
    variants: list[VariantResult] = field(default_factory=list)
    error: str = ""
    cuped: bool = False  # adjusted with the pre-experiment covariate

    @property
    def srm_warning(self) -> bool:
        return self.srm_p_value is not None and self.srm_p_value < SRM_THRESHOLD


@dataclass
class SnapshotResult:
    snapshot: object
    metrics: list[MetricResult]

    @property
    def primary(self) -> MetricResult | None:
        return next((m for m in self.metrics if m.metric.role == MetricRole.PRIMARY), None)

    @property
    def guardrails(self) -> list[MetricResult]:
        return [m for m in self.metrics if m.metric.role == MetricRole.GUARDRAIL]

    @property
    def srm_warning(self) -> bool:
        return any(m.srm_warning for m in self.metrics)

    @property
    def srm_p_value(self) -> float | None:
        values = [m.srm_p_value for m in self.metrics if m.srm_p_value is not None]
        return min(values) if values else None

    @property
    def breaches(self) -> list[tuple[MetricResult, VariantResult]]:
        return [(m, v) for m in self.guardrails for v in m.variants if v.breach]


@dataclass
class Recommendation:
    decision: str
    outcome: str
    reason: str
    lift: float | None  # the chosen variant's improvement on the primary metric (positive = better)


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%".replace("-", "−")


def _verdict(result, metric, engine: str, alpha: float) -> str:
    """`result` is a VariantResult; its adjusted p-value, when there is one, is what counts."""
    if result.problem or result.effect is None or not math.isfinite(result.effect):
        return "error"
    if engine == "bayesian":
        if result.chance_to_win is None:
            return "inconclusive"
        if result.chance_to_win > 1 - alpha:
            return "better"
        return "worse" if result.chance_to_win < alpha else "inconclusive"
    p_value = result.p_value if result.p_value_adjusted is None else result.p_value_adjusted
    if p_value is None or p_value >= alpha:
        return "inconclusive"
    favourable = (result.effect > 0) != metric.lower_is_better
    return "better" if favourable else "worse"


def reading(variant: VariantResult, metric, engine: str, alpha: float) -> str:
    """One sentence a non-statistician can act on, in the reader's language (whole sentences are
    translated, so each language can order the parts its own way)."""
    if variant.verdict == "error":
        return _("%(variation)s could not be compared on %(metric)s.") % {
            "variation": variant.variation, "metric": metric.name}
    span = _("%(level)s %(interval)s %(low)s to %(high)s") % {
        "level": f"{(1 - alpha) * 100:g}%", "interval": _("credible interval") if engine == "bayesian" else _("CI"),
        "low": _percent(variant.ci_low), "high": _percent(variant.ci_high)}
    if engine == "bayesian":
        evidence = _("chance to beat the control %(chance)s") % {"chance": f"{variant.chance_to_win * 100:.1f}%"}
    else:
        p_value = variant.p_value if variant.p_value_adjusted is None else variant.p_value_adjusted
        evidence = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2g}"
        if variant.p_value_adjusted is not None:
            evidence = _("%(evidence)s after correction") % {"evidence": evidence}
    values = {"variation": variant.variation, "metric": metric.name, "size": _percent(abs(variant.effect)),
              "span": span, "evidence": evidence}
    raised = variant.effect > 0
    if variant.verdict == "inconclusive":
        sentence = (_("%(variation)s raised %(metric)s by %(size)s (%(span)s); there is not enough evidence that "
                      "this is more than chance (%(evidence)s).") if raised else
                    _("%(variation)s lowered %(metric)s by %(size)s (%(span)s); there is not enough evidence that "
                      "this is more than chance (%(evidence)s)."))
    else:
        sentence = (_("%(variation)s raised %(metric)s by %(size)s (%(span)s); this is unlikely to be chance "
                      "(%(evidence)s).") if raised else
                    _("%(variation)s lowered %(metric)s by %(size)s (%(span)s); this is unlikely to be chance "
                      "(%(evidence)s)."))
    return sentence % values


def _aggregates(rows, weights: dict[str, float]) -> list["VariantAggregates"]:
    from learnloop.analytics.stats import VariantAggregates

    return [
        VariantAggregates(
            variation=row.variant.name, users=row.users, sum=row.sum, sum_squares=row.sum_squares,
            denominator_sum=row.denominator_sum, denominator_sum_squares=row.denominator_sum_squares,
            denominator_sum_product=row.denominator_sum_product, covariate_sum=row.covariate_sum,
            covariate_sum_squares=row.covariate_sum_squares, covariate_sum_product=row.covariate_sum_product,
            weight=weights[row.variant.name],
        )
        for row in sorted(rows, key=lambda row: row.variant.position)
    ]


def analyse_metric_rows(experiment: Experiment, metric, rows, weights: dict[str, float]) -> MetricResult:
    result = MetricResult(metric=metric)
    if len(rows) < 2 or min(row.variant.position for row in rows) != 0:
        result.error = "Needs the control and at least one other variant."
        return result
    from learnloop.analytics.stats import analyze_metric

    try:
        analysis = analyze_metric(
            _aggregates(rows, weights), metric_type=metric.metric_type, engine=experiment.engine,
            difference="relative", alpha=experiment.alpha, lower_is_better=metric.lower_is_better,
            log_scale=True,
        )
    except (ValueError, ZeroDivisionError, FloatingPointError) as error:
        result.error = str(error)
        return result
    result.control, result.srm_p_value, result.cuped = analysis.control, analysis.srm_p_value, analysis.cuped
    for item in analysis.results:
        variant = VariantResult(
            variation=item.variation, users=item.users, mean=item.mean, control_mean=item.control_mean,
            effect=item.effect, ci_low=item.ci_low, ci_high=item.ci_high, p_value=item.p_value,
            chance_to_win=item.chance_to_win, verdict="", scale=item.scale, problem=item.error or "",
        )
        result.variants.append(variant)
    _judge(experiment, result)
    return result


def _judge(experiment: Experiment, result: MetricResult) -> None:
    metric = result.metric
    for variant in result.variants:
        variant.verdict = _verdict(variant, metric, experiment.engine, experiment.alpha)
        variant.breach = (metric.role == MetricRole.GUARDRAIL and variant.verdict == "worse"
                          and -_improvement(variant, metric) > (metric.threshold or 0))
        variant.reading = reading(variant, metric, experiment.engine, experiment.alpha)


def _correct(experiment: Experiment, metrics: list[MetricResult]) -> None:
    """The protocol's correction across every metric × variant of one snapshot, then the verdicts again."""
    from learnloop.experiments.corrections import adjust

    if experiment.engine == "bayesian":
        return  # no p-values to adjust
    adjust(experiment.correction, [v for m in metrics for v in m.variants if v.verdict != "error"])
    for metric_result in metrics:
        _judge(experiment, metric_result)


def analyse(experiment: Experiment) -> list[SnapshotResult]:
    """Every snapshot, oldest first, every metric analysed."""
    metrics = list(experiment.metrics.all())
    weights = {variant.name: variant.weight for variant in experiment.variants.all()}
    snapshots = list(experiment.snapshots.prefetch_related("aggregates__variant", "aggregates__metric"))
    results = []
    for snapshot in snapshots:
        by_metric = defaultdict(list)
        for row in snapshot.aggregates.all():
            by_metric[row.metric_id].append(row)
        analysed = [analyse_metric_rows(experiment, metric, by_metric[metric.pk], weights)
                    for metric in metrics if by_metric.get(metric.pk)]
        if experiment.correction != "none":
            _correct(experiment, analysed)
        results.append(SnapshotResult(snapshot=snapshot, metrics=analysed))
    return results


def _improvement(variant: VariantResult, metric) -> float:
    return -variant.effect if metric.lower_is_better else variant.effect


def recommend(latest: SnapshotResult | None) -> Recommendation | None:
    if latest is None or latest.primary is None or latest.primary.error:
        return None
    primary = latest.primary
    usable = [v for v in primary.variants if v.verdict != "error"]
    if not usable:
        return None
    best = max(usable, key=lambda v: _improvement(v, primary.metric))
    lift = _improvement(best, primary.metric)
    winners = [v for v in usable if v.verdict == "better"]
    losers = [v for v in usable if v.verdict == "worse"]
    outcome = Outcome.WON if winners else (Outcome.LOST if losers else Outcome.INCONCLUSIVE)
    if latest.srm_warning:
        return Recommendation(Decision.ITERATE, outcome, "The traffic split is off (sample-ratio mismatch): find out "
                              "why and rerun before trusting any effect.", lift)
    if winners:
        winner = max(winners, key=lambda v: _improvement(v, primary.metric))
        breached = [m.metric.name for m, v in latest.breaches if v.variation == winner.variation]
        lift = _improvement(winner, primary.metric)
        if breached:
            return Recommendation(Decision.ITERATE, outcome, f"{winner.variation} wins on {primary.metric.name} but "
                                  f"breaches the guardrail on {', '.join(breached)}.", lift)
        return Recommendation(Decision.SHIP, outcome, f"{winner.variation} wins on {primary.metric.name} and no "
                              "guardrail is breached.", lift)
    if losers:
        return Recommendation(Decision.STOP, outcome, f"No variant beat the control on {primary.metric.name}, and "
                              f"{', '.join(v.variation for v in losers)} made it worse.", lift)
    return Recommendation(Decision.STOP, outcome, f"Not enough evidence that any variant changes "
                          f"{primary.metric.name}: keep the control.", lift)
