"""Sequential engine: always-valid confidence sequences (Howard et al.'s normal mixture).

With N = n_A + n_B total units, σ̂² = N·Var(Δ) and tuning parameter η (the sample size at which
the sequence is tightest; gbstats's default is 5000), the mixing variance is

    ρ² = (−2·ln α + ln(1 − 2·ln α)) / η
    half-width = σ̂ · √( 2(Nρ² + 1) · ln(√(Nρ² + 1)/α) / (Nρ)² )

and the always-valid p-value is the reciprocal of the mixture e-value (capped at 1):

    p = min(1, √(Nρ² + 1) · exp(−ρ²·N·(Δ − Δ₀)²/Var / (2(Nρ² + 1)))).

The interval holds at every look simultaneously, so an experiment may be monitored and stopped
early without inflating the error rate; the price is a wider interval than Welch's at the end.
"""

from dataclasses import dataclass

import numpy as np

from learnloop.analytics.stats.comparison import Comparison
from learnloop.analytics.stats.options import DEFAULT_TUNING


def mixture_rho_squared(alpha: float, tuning: float = DEFAULT_TUNING) -> float:
    log_alpha = np.log(alpha)
    return float((-2 * log_alpha + np.log(1 - 2 * log_alpha)) / tuning)


@dataclass(frozen=True)
class SequentialResult:
    effect: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p_value: np.ndarray
    problem: np.ndarray


def confidence_sequence(
    comparison: Comparison, *, alpha: float = 0.05, tuning: float = DEFAULT_TUNING, null_effect: float = 0.0
) -> SequentialResult:
    if tuning <= 0:
        raise ValueError("The sequential tuning parameter must be positive.")
    valid = comparison.valid
    rho2 = mixture_rho_squared(alpha, tuning)
    total = comparison.total_units
    variance = np.where(valid, comparison.variance, 1.0)
    scaled_variance = variance * total
    spread = total * rho2 + 1
    half_width = np.sqrt(scaled_variance) * np.sqrt(2 * spread * np.log(np.sqrt(spread) / alpha) / (total**2 * rho2))
    squared_statistic = (comparison.estimate - null_effect) ** 2 * total / variance
    log_evalue = rho2 * squared_statistic / (2 * spread) - 0.5 * np.log(spread)
    p_value = np.exp(np.minimum(-log_evalue, 0.0))
    half_width = np.where(valid, half_width, 0.0)
    return SequentialResult(
        effect=comparison.estimate,
        ci_low=comparison.estimate - half_width,
        ci_high=comparison.estimate + half_width,
        p_value=np.where(valid, p_value, 1.0),
        problem=comparison.problem,
    )
