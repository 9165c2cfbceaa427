"""The general factor of a Schmid–Leiman solution, as psych::schmid finds it.

psych::omega counts an item reversed when it loads negatively on the general factor, and
that factor comes out of a chain of steps, each reproduced here as psych runs it:

1. minres loadings with each factor's loadings summing positive (`factor.minres`);
2. Kaiser-normalised varimax (R's `stats::varimax`), factors again made to sum positive and
   ordered by their sums of squared loadings (psych::fa with rotate = "varimax");
3. oblimin with γ = 0, i.e. quartimin, by gradient projection from the identity
   (GPArotation::oblimin: Bernaards & Jennrich's GPFoblq, step doubling and halving);
4. a one-factor minres analysis of the factor correlations (two factors: both loadings
   √|φ₁₂|, psych's "equal" option); the general loadings are the oblique loadings times
   those.

Only the signs are used, so the rotation's stopping rule (psych's defaults) hardly matters.
"""

import numpy as np

from learnloop.analytics.psychometrics.factor import minres


def _positive_columns(loadings: np.ndarray) -> np.ndarray:
    return loadings * np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)


def varimax(loadings: np.ndarray, tolerance: float = 1e-5) -> np.ndarray:
    """R's stats::varimax(normalize = TRUE)."""
    row_norms = np.sqrt((loadings**2).sum(axis=1))
    normalised = loadings / row_norms[:, None]
    n_items, n_factors = normalised.shape
    rotation = np.eye(n_factors)
    criterion = 0.0
    for _ in range(1000):
        rotated = normalised @ rotation
        target = normalised.T @ (rotated**3 - rotated * (rotated**2).sum(axis=0) / n_items)
        left, singular_values, right = np.linalg.svd(target)
        rotation = left @ right
        previous, criterion = criterion, singular_values.sum()
        if criterion < previous * (1 + tolerance):
            break
    return (normalised @ rotation) * row_norms[:, None]


def _quartimin(loadings: np.ndarray) -> tuple[float, np.ndarray]:
    squares = loadings**2
    cross = squares @ (1.0 - np.eye(loadings.shape[1]))
    return float((squares * cross).sum() / 4.0), loadings * cross


def quartimin(loadings: np.ndarray, tolerance: float = 1e-5, max_iterations: int = 1000):
    """Oblique quartimin rotation (GPArotation::oblimin, gam = 0): (pattern loadings, factor correlations)."""
    transform = np.eye(loadings.shape[1])
    rotated = loadings @ np.linalg.inv(transform).T
    value, gradient_q = _quartimin(rotated)
    gradient = -(rotated.T @ gradient_q @ np.linalg.inv(transform)).T
    step = 1.0
    for _ in range(max_iterations + 1):
        projected = gradient - transform * (transform * gradient).sum(axis=0)
        size = np.sqrt((projected**2).sum())
        if size < tolerance:
            break
        step *= 2.0
        for _ in range(11):
            candidate = transform - step * projected
            candidate = candidate / np.sqrt((candidate**2).sum(axis=0))
            rotated = loadings @ np.linalg.inv(candidate).T
            new_value, gradient_q = _quartimin(rotated)
            if value - new_value > 0.5 * size**2 * step:
                break
            step /= 2.0
        transform, value = candidate, new_value
        gradient = -(rotated.T @ gradient_q @ np.linalg.inv(candidate)).T
    return rotated, transform.T @ transform


def general_factor_loadings(correlation: np.ndarray, n_factors: int) -> np.ndarray:
    """Each item's loading on the Schmid–Leiman general factor (psych::schmid's `sl[, "g"]`)."""
    loadings = minres(correlation, n_factors).loadings
    if n_factors == 1:
        return loadings[:, 0]
    orthogonal = _positive_columns(varimax(loadings))
    orthogonal = orthogonal[:, np.argsort(-(orthogonal**2).sum(axis=0), kind="stable")]
    pattern, factor_correlations = quartimin(orthogonal)
    if n_factors == 2:
        shared = np.sqrt(abs(factor_correlations[0, 1]))
        higher_order = np.array([shared, np.sign(factor_correlations[0, 1]) * shared])
    else:
        higher_order = minres(factor_correlations, 1).loadings[:, 0]
    return pattern @ higher_order
