"""A variant against control: the point estimate, its variance and Welch–Satterthwaite degrees of freedom.

Absolute effect  Δ = μ_B − μ_A,  Var = s²_B/n_B + s²_A/n_A.
Relative effect  Δ = (μ_B − μ_A) / m_A  (m_A the unadjusted control mean), with the delta-method
variance  s²_B/(m_A²·n_B) + s²_A·m_B²/(m_A⁴·n_A)  — the same approximation gbstats makes.

Log-ratio relative effect (`compare_log_ratio`)  Δ = log(m_B / m_A), Var = s²_B/(n_B·m_B²) + s²_A/(n_A·m_A²),
shown as exp(Δ) − 1: its interval can never reach below −100 %, so a rate or any other metric that
cannot be negative never gets an impossible interval (the ratio-scale interval above can). Needs
both means above zero.

Comparisons that cannot be analysed are flagged in `problem` (empty string when fine); the
engines give them gbstats's placeholder result (effect 0, interval [0, 0], p = 1, chance to win
0.5, no loss) so results stay numbers, and the caller shows the message.
"""

from dataclasses import dataclass

import numpy as np

from learnloop.analytics.stats.moments import Moments

ZERO_CONTROL_MEAN = "the control mean is zero (no conversions or no value in control)"
NOT_POSITIVE = "a relative effect on the log scale needs both means above zero"
NO_UNITS = "a variation has no units"
ZERO_VARIANCE = "a variation has zero variance (too few units, or every value the same)"


@dataclass(frozen=True)
class Comparison:
    control: Moments
    treatment: Moments
    relative: bool
    estimate: np.ndarray
    variance: np.ndarray
    degrees_of_freedom: np.ndarray
    problem: np.ndarray  # str array; "" where the comparison is valid

    @property
    def valid(self) -> np.ndarray:
        return self.problem == ""

    @property
    def total_units(self) -> np.ndarray:
        return self.control.n + self.treatment.n


def compare(
    control: Moments, treatment: Moments, *, relative: bool, refuse_zero_control_mean: bool = False
) -> Comparison:
    """Compare treatment with control. A zero control mean is always refused for relative effects;
    `refuse_zero_control_mean=True` refuses it for absolute ones too, as gbstats's frequentist and
    sequential engines do (a control with no conversions at all usually means broken tracking)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        n_a, n_b = np.broadcast_arrays(control.n, treatment.n)
        var_a, var_b = control.variance, treatment.variance
        base = control.unadjusted_mean
        if relative:
            estimate = (treatment.mean - control.mean) / base
            variance = var_b / (base**2 * n_b) + var_a * treatment.unadjusted_mean**2 / (base**4 * n_a)
        else:
            estimate = treatment.mean - control.mean
            variance = var_b / n_b + var_a / n_a
        per_arm_b, per_arm_a = var_b / n_b, var_a / n_a
        dof = (per_arm_b + per_arm_a) ** 2 / (per_arm_b**2 / (n_b - 1) + per_arm_a**2 / (n_a - 1))

    problem = np.full(np.shape(estimate), "", dtype=object)
    invalid_variance = ~(var_a > 0) | ~(var_b > 0) | ~(np.asarray(variance) > 0) | ~np.isfinite(variance)
    problem = np.where(invalid_variance, ZERO_VARIANCE, problem)
    problem = np.where((n_a == 0) | (n_b == 0), NO_UNITS, problem)
    if relative or refuse_zero_control_mean:
        problem = np.where((control.mean == 0) | (base == 0), ZERO_CONTROL_MEAN, problem)
    valid = problem == ""
    return Comparison(
        control=control,
        treatment=treatment,
        relative=relative,
        estimate=np.where(valid, estimate, 0.0),
        variance=np.where(valid, variance, np.nan),
        degrees_of_freedom=np.where(valid, dof, np.nan),
        problem=problem,
    )


def compare_log_ratio(control: Moments, treatment: Moments) -> Comparison:
    """Treatment against control as log(m_B / m_A) with the delta-method variance on the log scale.

    The means compared are `mean` (CUPED-adjusted when a covariate is used). Comparisons with a
    mean at or below zero are flagged NOT_POSITIVE; the caller may fall back to `compare`.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        n_a, n_b = np.broadcast_arrays(control.n, treatment.n)
        mean_a, mean_b = np.broadcast_arrays(control.mean, treatment.mean)
        positive = (mean_a > 0) & (mean_b > 0)
        safe_a, safe_b = np.where(positive, mean_a, 1.0), np.where(positive, mean_b, 1.0)
        estimate = np.log(safe_b / safe_a)
        part_b = treatment.variance / (n_b * safe_b**2)
        part_a = control.variance / (n_a * safe_a**2)
        variance = part_a + part_b
        dof = variance**2 / (part_b**2 / (n_b - 1) + part_a**2 / (n_a - 1))

    problem = np.full(np.shape(estimate), "", dtype=object)
    invalid_variance = (~(control.variance > 0) | ~(treatment.variance > 0) | ~(np.asarray(variance) > 0)
                        | ~np.isfinite(variance))
    problem = np.where(invalid_variance, ZERO_VARIANCE, problem)
    problem = np.where(~positive, NOT_POSITIVE, problem)
    problem = np.where((n_a == 0) | (n_b == 0), NO_UNITS, problem)
    valid = problem == ""
    return Comparison(
        control=control,
        treatment=treatment,
        relative=True,
        estimate=np.where(valid, estimate, 0.0),
        variance=np.where(valid, variance, np.nan),
        degrees_of_freedom=np.where(valid, dof, np.nan),
        problem=problem,
    )
