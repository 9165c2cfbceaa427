"""Process experiments: teams are not randomised, so the analysis must come from the design.

A randomised split compares two arms measured at the same time. A process experiment changes how
some teams work and measures before and after; comparing "after" with "before" as if they were two
random arms credits the change with everything else that moved in between (seasons, a re-org, a
quiet quarter). Two designs handle that:

Difference in differences (trial teams against control teams, each measured before and after)
    Δ = (T₁ − T₀) − (C₁ − C₀),  Var(Δ) = Σ s²_g / n_g over the four cells,
    degrees of freedom by Welch–Satterthwaite over the four cells. This is exactly the interaction
    coefficient of the saturated regression y = a + b·after + c·trial + Δ·after·trial on the
    unit-level data with HC2 (heteroskedasticity-consistent) standard errors. It assumes the trial
    and control teams would have moved in parallel without the change. The cells are treated as
    independent samples; when the same people are measured twice and their values correlate
    positively, the true variance is smaller, so the interval errs on the wide side.

Interrupted time series (before / after with no control teams, one value per period)
    y_t = β₀ + β₁·t + β₂·after_t + β₃·(t − t₀)·after_t
    The pre-period trend (β₀, β₁) is the counterfactual; β₂ is the jump when the change started,
    β₃ the change in slope, and the effect at the last period is β₂ + β₃·(t_last − t₀). Standard
    errors are Newey–West (Bartlett kernel), since neighbouring periods are rarely independent;
    intervals use Student's t with n − 4 degrees of freedom because series are short.

Relative effects are computed on the log scale, as ratios, so their interval can never go below
−100 % for a metric that cannot be negative (a delta-method interval on the ratio itself can; that
is how a rate came to be "lowered by 78.8 % (95 % interval −109.9 % to −47.7 %)"):
    Two arms:  log(m_B / m_A),  se² = s²_B / (n_B·m_B²) + s²_A / (n_A·m_A²)
    DiD:       log((T₁ / T₀) / (C₁ / C₀)),  se² = Σ s²_g / (n_g·m_g²)
    ITS:       log(fitted / counterfactual) at the last period, by the delta method on β.
Each interval is exp(estimate ± t·se) − 1.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

NEEDS_POSITIVE_MEANS = "a relative effect needs every mean above zero"


@dataclass(frozen=True)
class Cell:
    """Sufficient statistics of one group in one period: units, mean and per-unit variance."""

    n: float
    mean: float
    variance: float

    @classmethod
    def from_sums(cls, n: float, total: float, sum_squares: float) -> "Cell":
        mean = total / n if n else 0.0
        variance = (sum_squares - total * total / n) / (n - 1) if n > 1 else 0.0
        return cls(n=float(n), mean=mean, variance=max(variance, 0.0))

    @property
    def variance_of_mean(self) -> float:
        return self.variance / self.n if self.n else float("inf")


@dataclass(frozen=True)
class Estimate:
    """An effect with its interval; relative effects are fractions (−0.2 = 20 % lower)."""

    effect: float
    ci_low: float
    ci_high: float
    standard_error: float
    degrees_of_freedom: float
    p_value: float
    problem: str = ""

    def as_dict(self) -> dict:
        return {
            "effect": self.effect, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "standard_error": self.standard_error, "degrees_of_freedom": self.degrees_of_freedom,
            "p_value": self.p_value, "problem": self.problem,
        }


def _refused(problem: str) -> Estimate:
    nan = float("nan")
    return Estimate(nan, nan, nan, nan, nan, nan, problem)


def _welch_degrees_of_freedom(parts: Sequence[tuple[float, float]]) -> float:
    """Satterthwaite's approximation for a sum of independent variance parts (variance, n)."""
    numerator = sum(part for part, _ in parts) ** 2
    denominator = sum(part * part / (n - 1) for part, n in parts if n > 1)
    return numerator / denominator if denominator > 0 else float("inf")


def _t_estimate(effect: float, standard_error: float, dof: float, alpha: float) -> Estimate:
    if not (standard_error > 0 and np.isfinite(standard_error)):
        return _refused("no variation to judge the effect by (zero variance or too few units)")
    critical = float(special.stdtrit(dof, 1 - alpha / 2))
    p_value = float(2 * special.stdtr(dof, -abs(effect / standard_error)))
    return Estimate(effect, effect - critical * standard_error, effect + critical * standard_error,
                    standard_error, dof, min(p_value, 1.0))


def _on_ratio_scale(log_estimate: Estimate) -> Estimate:
    """exp(·) − 1 of an estimate made on the log scale; the test stays the log-scale test."""
    if log_estimate.problem:
        return log_estimate
    return Estimate(float(np.expm1(log_estimate.effect)), float(np.expm1(log_estimate.ci_low)),
                    float(np.expm1(log_estimate.ci_high)), log_estimate.standard_error,
                    log_estimate.degrees_of_freedom, log_estimate.p_value)


def _too_small(cells: Sequence[Cell]) -> str:
    if any(cell.n < 2 for cell in cells):
        return "every group needs at least two units in each period"
    return ""


def relative_ratio(control: Cell, treatment: Cell, *, alpha: float = 0.05) -> Estimate:
    """Relative effect m_B / m_A − 1 with an interval on the log-ratio scale (bounded below by −100 %)."""
    if problem := _too_small([control, treatment]):
        return _refused(problem)
    if control.mean <= 0 or treatment.mean <= 0:
        return _refused(NEEDS_POSITIVE_MEANS)
    parts = [(cell.variance_of_mean / cell.mean**2, cell.n) for cell in (control, treatment)]
    log_ratio = float(np.log(treatment.mean / control.mean))
    standard_error = float(np.sqrt(sum(part for part, _ in parts)))
    return _on_ratio_scale(_t_estimate(log_ratio, standard_error, _welch_degrees_of_freedom(parts), alpha))


@dataclass(frozen=True)
class DifferenceInDifferences:
    absolute: Estimate
    relative: Estimate  # ratio of ratios − 1; refused when a mean is not positive
    trial_change: float  # T₁ − T₀
    control_change: float  # C₁ − C₀
    counterfactual: float  # T₀ + (C₁ − C₀): where the trial teams would be without the change


def difference_in_differences(
    *, control_before: Cell, control_after: Cell, trial_before: Cell, trial_after: Cell, alpha: float = 0.05
) -> DifferenceInDifferences:
    cells = (control_before, control_after, trial_before, trial_after)
    trial_change = trial_after.mean - trial_before.mean
    control_change = control_after.mean - control_before.mean
    counterfactual = trial_before.mean + control_change
    if problem := _too_small(cells):
        return DifferenceInDifferences(_refused(problem), _refused(problem), trial_change, control_change,
                                       counterfactual)
    parts = [(cell.variance_of_mean, cell.n) for cell in cells]
    absolute = _t_estimate(trial_change - control_change, float(np.sqrt(sum(p for p, _ in parts))),
                           _welch_degrees_of_freedom(parts), alpha)
    if any(cell.mean <= 0 for cell in cells):
        relative = _refused(NEEDS_POSITIVE_MEANS)
    else:
        log_parts = [(cell.variance_of_mean / cell.mean**2, cell.n) for cell in cells]
        trial_ratio, control_ratio = trial_after.mean / trial_before.mean, control_after.mean / control_before.mean
        log_effect = float(np.log(trial_ratio) - np.log(control_ratio))
        relative = _on_ratio_scale(_t_estimate(log_effect, float(np.sqrt(sum(p for p, _ in log_parts))),
                                               _welch_degrees_of_freedom(log_parts), alpha))
    return DifferenceInDifferences(absolute, relative, trial_change, control_change, counterfactual)


@dataclass(frozen=True)
class InterruptedTimeSeries:
    level_change: Estimate  # β₂: the jump when the change started
    slope_change: Estimate  # β₃: change in the per-period trend
    effect_at_end: Estimate  # β₂ + β₃·(t_last − t₀), against the projected pre-period trend
    relative_at_end: Estimate  # fitted / counterfactual − 1 at the last period, on the log scale
    coefficients: tuple[float, float, float, float]
    counterfactual_at_end: float
    lags: int


def newey_west_lags(periods: int) -> int:
    """The usual rule of thumb floor(4·(n/100)^(2/9))."""
    return int(np.floor(4 * (periods / 100) ** (2 / 9)))


def _hac_covariance(design: np.ndarray, residuals: np.ndarray, lags: int) -> np.ndarray:
    """Newey–West sandwich (Bartlett weights), scaled by n / (n − k) as statsmodels does by default."""
    n, k = design.shape
    scores = design * residuals[:, None]
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        weight = 1 - lag / (lags + 1)
        cross = scores[lag:].T @ scores[:-lag]
        meat += weight * (cross + cross.T)
    bread = np.linalg.inv(design.T @ design)
    return bread @ meat @ bread * n / (n - k)


def interrupted_time_series(
    periods: Sequence[float], values: Sequence[float], *, start: float, alpha: float = 0.05, lags: int | None = None
) -> InterruptedTimeSeries:
    """Segmented regression of one value per period; `start` is the first period under the change."""
    t = np.asarray(periods, dtype=float)
    y = np.asarray(values, dtype=float)
    after = (t >= start).astype(float)
    before_count, after_count = int((after == 0).sum()), int(after.sum())
    lags = newey_west_lags(len(t)) if lags is None else lags
    if before_count < 3 or after_count < 2:
        problem = "an interrupted time series needs at least three periods before the change and two after"
        refused = _refused(problem)
        return InterruptedTimeSeries(refused, refused, refused, refused, (np.nan,) * 4, np.nan, lags)
    design = np.column_stack([np.ones_like(t), t, after, (t - start) * after])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ coefficients
    covariance = _hac_covariance(design, residuals, lags)
    dof = float(len(t) - design.shape[1])

    def linear(gradient: np.ndarray) -> Estimate:
        return _t_estimate(float(gradient @ coefficients), float(np.sqrt(max(gradient @ covariance @ gradient, 0.0))),
                           dof, alpha)

    last = float(t.max())
    effect_gradient = np.array([0.0, 0.0, 1.0, last - start])
    counterfactual = float(coefficients[0] + coefficients[1] * last)
    fitted = counterfactual + float(effect_gradient @ coefficients)
    if counterfactual > 0 and fitted > 0:
        # d/dβ [log(fitted) − log(counterfactual)]
        gradient = np.array([1 / fitted - 1 / counterfactual, last / fitted - last / counterfactual,
                             1 / fitted, (last - start) / fitted])
        standard_error = float(np.sqrt(max(gradient @ covariance @ gradient, 0.0)))
        relative = _on_ratio_scale(_t_estimate(float(np.log(fitted / counterfactual)), standard_error, dof, alpha))
    else:
        relative = _refused(NEEDS_POSITIVE_MEANS)
    return InterruptedTimeSeries(
        level_change=linear(np.array([0.0, 0.0, 1.0, 0.0])),
        slope_change=linear(np.array([0.0, 0.0, 0.0, 1.0])),
        effect_at_end=linear(effect_gradient),
        relative_at_end=relative,
        coefficients=tuple(float(c) for c in coefficients),
        counterfactual_at_end=counterfactual,
        lags=lags,
    )
