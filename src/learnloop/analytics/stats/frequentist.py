"""Frequentist engine: Welch's two-sided t-test with Welch–Satterthwaite degrees of freedom.

t = (Δ − Δ₀)/√Var,  p = 2·P(T_ν > |t|),  CI = Δ ± t_{1−α/2, ν}·√Var.
"""

from dataclasses import dataclass

import numpy as np
from scipy import special

from learnloop.analytics.stats.comparison import Comparison


@dataclass(frozen=True)
class FrequentistResult:
    effect: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p_value: np.ndarray
    standard_error: np.ndarray
    problem: np.ndarray


def welch_test(comparison: Comparison, *, alpha: float = 0.05, null_effect: float = 0.0) -> FrequentistResult:
    valid = comparison.valid
    dof = np.where(valid, comparison.degrees_of_freedom, 1.0)
    standard_error = np.where(valid, np.sqrt(np.where(valid, comparison.variance, 1.0)), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_statistic = (comparison.estimate - null_effect) / np.where(valid, standard_error, 1.0)
    p_value = np.where(valid, 2 * special.stdtr(dof, -np.abs(t_statistic)), 1.0)
    half_width = np.where(valid, special.stdtrit(dof, 1 - alpha / 2) * standard_error, 0.0)
    return FrequentistResult(
        effect=comparison.estimate,
        ci_low=comparison.estimate - half_width,
        ci_high=comparison.estimate + half_width,
        p_value=np.minimum(p_value, 1.0),
        standard_error=standard_error,
        problem=comparison.problem,
    )
