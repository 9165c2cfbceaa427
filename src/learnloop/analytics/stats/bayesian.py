"""Bayesian engine: a Gaussian prior on the effect and a Gaussian likelihood, as gbstats does.

The data give Δ̂ with variance V (see comparison.py). With a proper prior N(μ₀, τ²) the posterior is

    precision = 1/V + 1/τ²,  mean = (Δ̂/V + μ₀/τ²) / precision,  variance = 1/precision;

with the default flat (improper) prior the posterior is N(Δ̂, V). The prior is stated on the
relative scale (a lift of ±10 % is a standard deviation of 0.1) and rescaled by the control mean
when effects are absolute, as in gbstats.

From the posterior N(m, s²):
    chance to win   P(Δ > 0) = Φ(m/s)   (P(Δ < 0) for metrics where lower is better)
    expected loss   E[max(0, −Δ)] = s·φ(m/s) − m·Φ(−m/s)   — what shipping the variation costs
                    if it is in fact worse (E[max(0, Δ)] for lower-is-better metrics)
    credible interval  m ± z_{1−α/2}·s.
gbstats computes the loss through a truncated-normal mean; the closed form above is the same
quantity without its rounding in the far tails.
"""

from dataclasses import dataclass

import numpy as np
from scipy import special

from learnloop.analytics.stats.comparison import Comparison


@dataclass(frozen=True)
class GaussianPrior:
    """A prior on the relative effect: mean and standard deviation (0.1 means ±10 %)."""

    mean: float = 0.0
    stddev: float = 0.1


@dataclass(frozen=True)
class BayesianResult:
    effect: np.ndarray  # posterior mean
    ci_low: np.ndarray
    ci_high: np.ndarray
    posterior_stddev: np.ndarray
    chance_to_win: np.ndarray
    expected_loss: np.ndarray  # risk of choosing the variation
    control_risk: np.ndarray  # risk of keeping the control
    problem: np.ndarray


def _gain_and_loss(mean: np.ndarray, stddev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E[max(0, Δ)] and E[max(0, −Δ)] for Δ ~ N(mean, stddev²)."""
    z = mean / stddev
    density = np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    gain = mean * special.ndtr(z) + stddev * density
    loss = stddev * density - mean * special.ndtr(-z)
    return np.maximum(gain, 0.0), np.maximum(loss, 0.0)


def gaussian_posterior(
    comparison: Comparison,
    *,
    alpha: float = 0.05,
    prior: GaussianPrior | None = None,
    lower_is_better: bool = False,
) -> BayesianResult:
    valid = comparison.valid
    data_variance = np.where(valid, comparison.variance, 1.0)
    data_mean = comparison.estimate
    if prior is None:
        posterior_mean, posterior_variance = data_mean, data_variance
    else:
        prior_mean, prior_variance = prior.mean, prior.stddev**2
        if not comparison.relative:
            scale = np.abs(comparison.control.unadjusted_mean)
            prior_mean, prior_variance = prior_mean * scale, prior_variance * scale**2
        # A zero control mean leaves an absolute-scale prior with no spread: keep the data alone there.
        informative = np.asarray(prior_variance) > 0
        prior_variance = np.where(informative, prior_variance, 1.0)
        precision = 1 / data_variance + np.where(informative, 1 / prior_variance, 0.0)
        prior_weight = np.where(informative, prior_mean / prior_variance, 0.0)
        posterior_mean = (data_mean / data_variance + prior_weight) / precision
        posterior_variance = 1 / precision
    stddev = np.sqrt(posterior_variance)
    chance_to_win = special.ndtr(posterior_mean / stddev)
    gain, loss = _gain_and_loss(posterior_mean, stddev)
    if lower_is_better:
        chance_to_win, gain, loss = 1 - chance_to_win, loss, gain
    half_width = special.ndtri(1 - alpha / 2) * stddev
    return BayesianResult(
        effect=np.where(valid, posterior_mean, 0.0),
        ci_low=np.where(valid, posterior_mean - half_width, 0.0),
        ci_high=np.where(valid, posterior_mean + half_width, 0.0),
        posterior_stddev=np.where(valid, stddev, 0.0),
        chance_to_win=np.where(valid, chance_to_win, 0.5),
        expected_loss=np.where(valid, loss, 0.0),
        control_risk=np.where(valid, gain, 0.0),
        problem=comparison.problem,
    )
