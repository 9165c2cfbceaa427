"""One metric of one experiment: every variation against the control (the first variation).

This is what the analyst CLI and the experiment registry call; the engines underneath take
arrays, so the same code analyses one comparison or ten thousand.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Literal

import numpy as np

from learnloop.analytics.stats.bayesian import GaussianPrior, gaussian_posterior
from learnloop.analytics.stats.comparison import compare, compare_log_ratio
from learnloop.analytics.stats.frequentist import welch_test
from learnloop.analytics.stats.moments import (
    CovariateSums,
    Moments,
    binomial_moments,
    cuped_moments,
    cuped_theta,
    mean_moments,
    ratio_moments,
)
from learnloop.analytics.stats.options import DEFAULT_TUNING, DIFFERENCE_TYPES, ENGINES, METRIC_TYPES
from learnloop.analytics.stats.sequential import confidence_sequence
from learnloop.analytics.stats.srm import srm_p_value

MetricType = Literal["mean", "binomial", "ratio"]
Engine = Literal["frequentist", "bayesian", "sequential"]
DifferenceType = Literal["absolute", "relative"]


@dataclass(frozen=True)
class VariantAggregates:
    """Sufficient statistics of one variation for one metric.

    mean: sum and sum_squares of the metric over `users` units. binomial: sum is the number of
    converted units (sum_squares is not needed). ratio: sum and sum_squares are the numerator's,
    plus the denominator's sums and the per-unit numerator × denominator products.
    CUPED (mean or binomial): the pre-experiment covariate's sum and sum of squares (leave
    covariate_sum_squares out for a 0/1 covariate) and the per-unit metric × covariate products.
    `weight` is the share of traffic the variation was meant to get (equal when left out).
    """

    variation: str
    users: float
    sum: float
    sum_squares: float | None = None
    denominator_sum: float | None = None
    denominator_sum_squares: float | None = None
    denominator_sum_product: float | None = None
    covariate_sum: float | None = None
    covariate_sum_squares: float | None = None
    covariate_sum_product: float | None = None
    weight: float | None = None

    @property
    def has_covariate(self) -> bool:
        return self.covariate_sum is not None


@dataclass(frozen=True)
class VariationResult:
    variation: str
    users: float
    mean: float  # unadjusted mean of the variation
    control_mean: float
    effect: float
    ci_low: float
    ci_high: float
    p_value: float | None = None
    chance_to_win: float | None = None
    expected_loss: float | None = None
    error: str | None = None
    scale: str = ""  # relative effects: "log" (exp of a log-ratio interval, minus one) or "ratio" (delta method)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class MetricAnalysis:
    control: str
    control_users: float
    metric_type: str
    engine: str
    difference: str
    alpha: float
    cuped: bool
    results: list[VariationResult]
    srm_p_value: float


def _column(variants: Sequence[VariantAggregates], field: str) -> np.ndarray:
    return np.array([getattr(variant, field) for variant in variants], dtype=float)


def _moments(variants: Sequence[VariantAggregates], metric_type: str) -> Moments:
    users, total = _column(variants, "users"), _column(variants, "sum")
    if metric_type == "binomial":
        return binomial_moments(users, total)
    if metric_type == "mean":
        return mean_moments(users, total, _column(variants, "sum_squares"))
    return ratio_moments(
        users,
        total,
        _column(variants, "sum_squares"),
        _column(variants, "denominator_sum"),
        _column(variants, "denominator_sum_squares"),
        _column(variants, "denominator_sum_product"),
    )


def _covariate_sums(variants: Sequence[VariantAggregates], binomial_post: bool, binomial_pre: bool) -> CovariateSums:
    total = _column(variants, "sum")
    pre_total = _column(variants, "covariate_sum")
    return CovariateSums(
        n=_column(variants, "users"),
        post_sum=total,
        post_sum_squares=total if binomial_post else _column(variants, "sum_squares"),
        pre_sum=pre_total,
        pre_sum_squares=pre_total if binomial_pre else _column(variants, "covariate_sum_squares"),
        post_pre_sum_product=_column(variants, "covariate_sum_product"),
    )


def _validate(variants: Sequence[VariantAggregates], metric_type: str, engine: str, difference: str, alpha: float):
    if metric_type not in METRIC_TYPES:
        raise ValueError(f"Unknown metric type {metric_type!r}: use one of {', '.join(METRIC_TYPES)}.")
    if engine not in ENGINES:
        raise ValueError(f"Unknown engine {engine!r}: use one of {', '.join(ENGINES)}.")
    if difference not in DIFFERENCE_TYPES:
        raise ValueError(f"Unknown difference {difference!r}: use absolute or relative.")
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie strictly between 0 and 1.")
    if len(variants) < 2:
        raise ValueError("Give a control and at least one other variation.")
    covariates = {variant.has_covariate for variant in variants}
    if len(covariates) > 1:
        raise ValueError("Give covariate sums for every variation or for none.")
    if covariates == {True} and metric_type == "ratio":
        raise ValueError("CUPED is available for mean and binomial metrics, not ratio metrics.")


def analyze_metric(
    variants: Sequence[VariantAggregates],
    *,
    metric_type: MetricType = "mean",
    engine: Engine = "frequentist",
    difference: DifferenceType = "relative",
    alpha: float = 0.05,
    sequential_tuning: float = DEFAULT_TUNING,
    prior: GaussianPrior | None = None,
    lower_is_better: bool = False,
    log_scale: bool = False,
) -> MetricAnalysis:
    """`log_scale` (relative differences): intervals are made for log(m_B / m_A) and shown as exp(·) − 1,
    so they never cross −100 %; a comparison where a mean is not above zero falls back to the ratio
    scale (its result says which scale it used). The Bayesian engine uses it only with the flat prior."""
    _validate(variants, metric_type, engine, difference, alpha)
    control, others = variants[0], list(variants[1:])
    controls = [control] * len(others)
    binomial = metric_type == "binomial"
    cuped = control.has_covariate
    if cuped:
        binomial_pre = control.covariate_sum_squares is None
        control_sums = _covariate_sums(controls, binomial, binomial_pre)
        treatment_sums = _covariate_sums(others, binomial, binomial_pre)
        theta = cuped_theta(control_sums, treatment_sums, binomial_post=binomial, binomial_pre=binomial_pre)
        control_moments = cuped_moments(control_sums, theta, binomial_post=binomial, binomial_pre=binomial_pre)
        treatment_moments = cuped_moments(treatment_sums, theta, binomial_post=binomial, binomial_pre=binomial_pre)
    else:
        control_moments, treatment_moments = _moments(controls, metric_type), _moments(others, metric_type)
    relative = difference == "relative"
    comparison = compare(
        control_moments, treatment_moments, relative=relative, refuse_zero_control_mean=engine != "bayesian"
    )

    p_values = chances = losses = [None] * len(others)
    scales = ["ratio" if relative else ""] * len(others)

    def run(which):
        if engine == "bayesian":
            return gaussian_posterior(which, alpha=alpha, prior=prior, lower_is_better=lower_is_better)
        if engine == "sequential":
            return confidence_sequence(which, alpha=alpha, tuning=sequential_tuning)
        return welch_test(which, alpha=alpha)

    outcome = run(comparison)
    effect, ci_low, ci_high = outcome.effect, outcome.ci_low, outcome.ci_high
    p = getattr(outcome, "p_value", None)
    chance = getattr(outcome, "chance_to_win", None)
    # A proper prior is stated on the relative scale: with one, the Bayesian engine stays there.
    if relative and log_scale and (engine != "bayesian" or prior is None):
        log_control, log_treatment = control_moments, treatment_moments
        if cuped:
            # CUPED means are ȳ − θ·x̄; anchor both on the control's covariate mean, ȳ − θ·(x̄ − x̄_A), so
            # the control keeps its plain mean and the ratio is of means on the metric's own scale.
            shift = control_moments.unadjusted_mean - control_moments.mean
            log_control = replace(control_moments, mean=control_moments.mean + shift)
            log_treatment = replace(treatment_moments, mean=treatment_moments.mean + shift)
        logged = compare_log_ratio(log_control, log_treatment)
        on_log = run(logged)
        use = logged.valid
        effect = np.where(use, np.expm1(on_log.effect), effect)
        ci_low = np.where(use, np.expm1(on_log.ci_low), ci_low)
        ci_high = np.where(use, np.expm1(on_log.ci_high), ci_high)
        if p is not None:
            p = np.where(use, on_log.p_value, p)
        if chance is not None:
            chance = np.where(use, on_log.chance_to_win, chance)
        scales = ["log" if flag else "ratio" for flag in use.tolist()]
    if engine == "bayesian":
        # Expected loss stays the ratio-scale engine's (a relative loss, as gbstats reports it).
        chances, losses = np.asarray(chance).tolist(), outcome.expected_loss.tolist()
    else:
        p_values = np.asarray(p).tolist()

    results = [
        VariationResult(
            variation=variant.variation,
            users=variant.users,
            mean=float(treatment_moments.unadjusted_mean[index]),
            control_mean=float(control_moments.unadjusted_mean[index]),
            effect=float(effect[index]),
            ci_low=float(ci_low[index]),
            ci_high=float(ci_high[index]),
            p_value=p_values[index],
            chance_to_win=chances[index],
            expected_loss=losses[index],
            error=comparison.problem[index] or None,
            scale=scales[index],
        )
        for index, variant in enumerate(others)
    ]
    weights = [variant.weight for variant in variants]
    if any(weight is not None for weight in weights) and any(weight is None for weight in weights):
        raise ValueError("Give an expected weight for every variation or for none.")
    srm = srm_p_value([variant.users for variant in variants], None if weights[0] is None else weights)
    return MetricAnalysis(
        control=control.variation,
        control_users=control.users,
        metric_type=metric_type,
        engine=engine,
        difference=difference,
        alpha=alpha,
        cuped=cuped,
        results=results,
        srm_p_value=srm,
    )
