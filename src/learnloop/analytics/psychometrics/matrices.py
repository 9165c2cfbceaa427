"""Covariance and correlation matrices from answers with missing values.

Both use pairwise-complete observations, as R's `cov(x, use = "pairwise")` and
`cor(x, use = "pairwise")` do (and so psych::alpha and psych::omega by default): the entry for
items i and j uses every respondent who answered both, with means (and, for correlations,
standard deviations) taken over exactly those respondents. Note that a pairwise correlation is
therefore not always the pairwise covariance divided by the items' overall standard deviations.
"""

import numpy as np


def _pairwise_moments(answers: np.ndarray):
    answers = np.asarray(answers, dtype=float)
    present = (~np.isnan(answers)).astype(float)
    # Centre on each column's mean first: the sums below then stay small and exact enough.
    with np.errstate(invalid="ignore"):
        centred = answers - np.nanmean(answers, axis=0)
    values = np.where(present > 0, centred, 0.0)
    counts = present.T @ present  # n_ij: respondents who answered both i and j
    sums = values.T @ present  # [i, j]: sum of item i over respondents who answered j too
    squares = (values * values).T @ present
    products = values.T @ values
    return counts, sums, squares, products


def _covariance(counts, sums, products):
    with np.errstate(invalid="ignore", divide="ignore"):
        return (products - sums * sums.T / counts) / (counts - 1)


def _correlation(counts, sums, squares, products):
    with np.errstate(invalid="ignore", divide="ignore"):
        cross = products - sums * sums.T / counts
        spread = squares - sums * sums / counts  # [i, j]: squared deviations of i over the pair
        correlation = cross / np.sqrt(spread * spread.T)
    np.fill_diagonal(correlation, 1.0)
    return correlation


def pairwise_covariance(answers: np.ndarray) -> np.ndarray:
    counts, sums, _squares, products = _pairwise_moments(answers)
    return _covariance(counts, sums, products)


def pairwise_correlation(answers: np.ndarray) -> np.ndarray:
    return _correlation(*_pairwise_moments(answers))


def pairwise_covariance_and_correlation(answers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both matrices from one pass over the answers."""
    counts, sums, squares, products = _pairwise_moments(answers)
    return _covariance(counts, sums, products), _correlation(counts, sums, squares, products)


def covariance_to_correlation(covariance: np.ndarray) -> np.ndarray:
    scale = 1.0 / np.sqrt(np.diag(covariance))
    correlation = covariance * np.outer(scale, scale)
    np.fill_diagonal(correlation, 1.0)
    return correlation


def squared_multiple_correlations(correlation: np.ndarray) -> np.ndarray:
    """Each item's R² on all the others: 1 − 1 / diag(R⁻¹) (pseudo-inverse when R is singular)."""
    try:
        inverse = np.linalg.inv(correlation)
    except np.linalg.LinAlgError:
        inverse = np.linalg.pinv(correlation)
    return np.clip(1.0 - 1.0 / np.diag(inverse), 0.0, 1.0)
