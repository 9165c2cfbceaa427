"""Sample-ratio mismatch: Pearson's chi-square goodness of fit of observed units to expected weights.

χ² = Σ (oᵢ − eᵢ)²/eᵢ with eᵢ = wᵢ/Σw · Σo, on k − 1 degrees of freedom (k variations). A tiny
p-value (GrowthBook warns below 0.001) means the split is broken and the results are not to be
trusted. Variations with weight 0 are left out of the sum (as in gbstats) but still count in k.
"""

from collections.abc import Sequence

import numpy as np
from scipy import special


def srm_p_value(users: Sequence[float], weights: Sequence[float] | None = None) -> float:
    observed = np.asarray(users, dtype=float)
    if observed.ndim != 1 or observed.size < 2:
        raise ValueError("The SRM check needs the units of at least two variations.")
    expected_weights = np.ones_like(observed) if weights is None else np.asarray(weights, dtype=float)
    if expected_weights.shape != observed.shape:
        raise ValueError("Give one expected weight per variation.")
    if np.any(observed < 0) or np.any(expected_weights < 0):
        raise ValueError("Units and weights must not be negative.")
    total = observed.sum()
    if total == 0:
        return 1.0
    used = expected_weights > 0
    expected = expected_weights[used] / expected_weights.sum() * total
    statistic = float(np.sum((observed[used] - expected) ** 2 / expected))
    return float(special.chdtrc(observed.size - 1, statistic))
