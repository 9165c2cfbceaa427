"""Per-variant moments (mean and per-unit variance) built from sufficient statistics.

Every function takes scalars or numpy arrays of equal shape and returns arrays, so one call
prepares thousands of variants. The variance is the per-unit variance, not the variance of
the mean: the comparison divides by n itself. Degenerate inputs (n = 0, n = 1, a zero
denominator) give a mean of 0 and a variance of 0, which the comparison reports as "cannot
be analysed" instead of producing NaN.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Moments:
    """What a comparison needs from one variant.

    `mean` is the estimate compared between variants (CUPED-adjusted when a covariate is used);
    `unadjusted_mean` is the plain mean, the base of relative effects.
    """

    n: np.ndarray
    mean: np.ndarray
    variance: np.ndarray
    unadjusted_mean: np.ndarray


def _array(value) -> np.ndarray:
    return np.asarray(value, dtype=float)


def _safe_divide(numerator, denominator) -> np.ndarray:
    numerator, denominator = np.broadcast_arrays(_array(numerator), _array(denominator))
    out = np.zeros(numerator.shape, dtype=float)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def sample_mean(n, total) -> np.ndarray:
    return _safe_divide(total, n)


def sample_variance(n, total, sum_squares) -> np.ndarray:
    """Unbiased variance (divisor n - 1) from n, Σx and Σx²; 0 when n ≤ 1."""
    n, total, sum_squares = _array(n), _array(total), _array(sum_squares)
    centred = sum_squares - _safe_divide(total * total, n)
    return np.where(n > 1, _safe_divide(centred, n - 1), 0.0)


def proportion_variance(n, total) -> np.ndarray:
    """Bernoulli variance p(1 - p) of a 0/1 metric, as gbstats uses it (divisor n, not n - 1)."""
    p = sample_mean(n, total)
    return p * (1 - p)


def sample_covariance(n, sum_x, sum_y, sum_xy) -> np.ndarray:
    n = _array(n)
    centred = _array(sum_xy) - _safe_divide(_array(sum_x) * _array(sum_y), n)
    return np.where(n > 1, _safe_divide(centred, n - 1), 0.0)


def _unit_variance(n, total, sum_squares, binomial: bool) -> np.ndarray:
    return proportion_variance(n, total) if binomial else sample_variance(n, total, sum_squares)


def mean_moments(n, total, sum_squares) -> Moments:
    """A mean metric (revenue per user, sessions per user): n, Σx, Σx²."""
    mean = sample_mean(n, total)
    return Moments(_array(n), mean, sample_variance(n, total, sum_squares), mean)


def binomial_moments(n, conversions) -> Moments:
    """A binomial metric (converted or not): the mean of a 0/1 value, so Σx² = Σx."""
    mean = sample_mean(n, conversions)
    return Moments(_array(n), mean, proportion_variance(n, conversions), mean)


def ratio_moments(
    n,
    numerator_sum,
    numerator_sum_squares,
    denominator_sum,
    denominator_sum_squares,
    numerator_denominator_sum_product,
) -> Moments:
    """A ratio metric Σx / Σy over n units (e.g. revenue per order), with the delta-method variance.

    The variance of x̄/ȳ per unit is  s²ₓ/ȳ² − 2·sₓᵧ·x̄/ȳ³ + x̄²·s²ᵧ/ȳ⁴ .
    """
    n = _array(n)
    mean_x = sample_mean(n, numerator_sum)
    mean_y = sample_mean(n, denominator_sum)
    var_x = sample_variance(n, numerator_sum, numerator_sum_squares)
    var_y = sample_variance(n, denominator_sum, denominator_sum_squares)
    cov_xy = sample_covariance(n, numerator_sum, denominator_sum, numerator_denominator_sum_product)
    ratio = _safe_divide(numerator_sum, denominator_sum)
    variance = (
        _safe_divide(var_x, mean_y**2)
        - 2 * _safe_divide(cov_xy * mean_x, mean_y**3)
        + _safe_divide(mean_x**2 * var_y, mean_y**4)
    )
    variance = np.where((mean_y == 0) | (n <= 1), 0.0, variance)
    return Moments(n, ratio, variance, ratio)


@dataclass(frozen=True)
class CovariateSums:
    """One variant's sums for CUPED: the metric (post) and its pre-experiment covariate (pre).

    For a binomial metric pass post_sum_squares = post_sum; for a 0/1 covariate likewise.
    """

    n: np.ndarray
    post_sum: np.ndarray
    post_sum_squares: np.ndarray
    pre_sum: np.ndarray
    pre_sum_squares: np.ndarray
    post_pre_sum_product: np.ndarray


def cuped_theta(
    control: CovariateSums, treatment: CovariateSums, *, binomial_post: bool = False, binomial_pre: bool = False
) -> np.ndarray:
    """θ = cov(post, pre) / var(pre), pooled over both variants; 0 when either pooled variance is 0."""
    n = _array(control.n) + _array(treatment.n)
    post_sum = _array(control.post_sum) + _array(treatment.post_sum)
    pre_sum = _array(control.pre_sum) + _array(treatment.pre_sum)
    post_var = _unit_variance(
        n, post_sum, _array(control.post_sum_squares) + _array(treatment.post_sum_squares), binomial_post
    )
    pre_var = _unit_variance(
        n, pre_sum, _array(control.pre_sum_squares) + _array(treatment.pre_sum_squares), binomial_pre
    )
    covariance = sample_covariance(
        n, post_sum, pre_sum, _array(control.post_pre_sum_product) + _array(treatment.post_pre_sum_product)
    )
    theta = _safe_divide(covariance, pre_var)
    return np.where((pre_var == 0) | (post_var == 0), 0.0, theta)


def cuped_moments(
    sums: CovariateSums, theta, *, binomial_post: bool = False, binomial_pre: bool = False
) -> Moments:
    """CUPED-adjusted moments: mean ȳ − θ·x̄, variance s²ᵧ + θ²·s²ₓ − 2θ·sₓᵧ (unadjusted mean kept)."""
    theta = _array(theta)
    n = _array(sums.n)
    post_mean = sample_mean(n, sums.post_sum)
    pre_mean = sample_mean(n, sums.pre_sum)
    post_var = _unit_variance(n, sums.post_sum, sums.post_sum_squares, binomial_post)
    pre_var = _unit_variance(n, sums.pre_sum, sums.pre_sum_squares, binomial_pre)
    covariance = sample_covariance(n, sums.post_sum, sums.pre_sum, sums.post_pre_sum_product)
    variance = np.where(n > 1, post_var + theta**2 * pre_var - 2 * theta * covariance, 0.0)
    return Moments(n, post_mean - theta * pre_mean, variance, post_mean)
