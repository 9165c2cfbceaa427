"""A variant against control: the point estimate, its variance and Welch–Satterthwaite degrees of freedom.

Absolute effect  Δ = μ_B − μ_A,  Var = s²_B/n_B + s²_A/n_A.
Relative effect  Δ = (μ_B − μ_A) / m_A  (m_A the unadjusted control mean), with the delta-method
variance  s²_B/(m_A²·n_B) + s²_A·m_B²/(m_A⁴·n_A)  — the same approximation gbstats makes.

Comparisons that cannot be analysed are flagged in `problem` (empty string when fine); the
engines give them gbstats's placeholder result (effect 0, interval [0, 0], p = 1, chance to win
0.5, no loss) so results stay numbers, and the caller shows the message.
"""

from dataclasses import dataclass

import numpy as np

from learnloop.analytics.stats.moments import Moments

ZERO_CONTROL_MEAN = "the control mean is zero (no conversions or no value in control)"
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
