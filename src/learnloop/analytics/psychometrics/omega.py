"""McDonald's omega total, as psych::omega computes it.

Omega total is the share of the total score's variance that the common factors explain. On
the correlation matrix R:

    omega_total = (ΣR − Σ(1 − h²)) / ΣR

with h² the communalities of a minres factor analysis (`factor.minres`), after flipping the
items that load negatively on the Schmid–Leiman general factor (`schmid_leiman`; psych's
flip = TRUE). Rotation and the Schmid–Leiman step leave communalities unchanged, so they
matter only for which items are flipped. psych::omega's default is three group factors.
"""

import numpy as np

from learnloop.analytics.psychometrics.factor import minres
from learnloop.analytics.psychometrics.schmid_leiman import general_factor_loadings


def omega_total(correlation: np.ndarray, n_factors: int = 3) -> float:
    correlation = np.asarray(correlation, dtype=float)
    if correlation.shape[0] < 3:
        raise ValueError("Omega total needs at least three items.")
    solution = minres(correlation, n_factors)
    # Items loading negatively on the general factor count reversed (psych::omega's flip = TRUE).
    keys = np.where(general_factor_loadings(correlation, n_factors) < 0, -1.0, 1.0)
    flipped = correlation * np.outer(keys, keys)
    total = flipped.sum()
    return float((total - (1.0 - solution.communalities).sum()) / total)
