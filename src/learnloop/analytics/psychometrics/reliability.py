"""Internal consistency: Cronbach's alpha, its confidence interval and item statistics.

Everything here starts from the items' covariance matrix C (pairwise complete, see
`matrices`), with reverse-keyed items already reversed, exactly as psych::alpha does:

* alpha = k / (k − 1) · (1 − tr(C) / ΣC), k items (psych's raw_alpha);
* alpha if item deleted: the same on C without item i's row and column;
* corrected item–total correlation (psych's r.drop): the correlation of item i with the sum
  of the other items, (Σ_j C_ij − C_ii) / √(C_ii · ΣC₋ᵢ), C₋ᵢ being C without item i;
* Feldt's confidence interval (Feldt, Woodruff & Salih 1987), as psych::alpha.ci reports it:
  1 − (1 − alpha) · F_{1−p/2} and 1 − (1 − alpha) · F_{p/2} for F(n − 1, (n − 1)(k − 1)),
  n being the number of respondents (psych counts every row it was given).
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats


def cronbach_alpha(covariance: np.ndarray) -> float:
    covariance = np.asarray(covariance, dtype=float)
    k = covariance.shape[0]
    if k < 2:
        raise ValueError("Cronbach's alpha needs at least two items.")
    return float((1.0 - np.trace(covariance) / covariance.sum()) * k / (k - 1))


def feldt_interval(alpha: float, n_respondents: int, n_items: int, level: float = 0.95) -> tuple[float, float]:
    """(low, high) confidence interval for alpha."""
    if n_respondents < 2 or n_items < 2:
        raise ValueError("A confidence interval for alpha needs at least two respondents and two items.")
    tail = (1.0 - level) / 2.0
    numerator_df = n_respondents - 1
    denominator_df = (n_respondents - 1) * (n_items - 1)
    low = 1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - tail, numerator_df, denominator_df)
    high = 1.0 - (1.0 - alpha) * stats.f.ppf(tail, numerator_df, denominator_df)
    return float(low), float(high)


@dataclass(frozen=True)
class ItemStatistics:
    item_total_r: float  # corrected: the item against the sum of the other items
    alpha_if_deleted: float


def item_statistics(covariance: np.ndarray) -> list[ItemStatistics]:
    covariance = np.asarray(covariance, dtype=float)
    k = covariance.shape[0]
    results = []
    for item in range(k):
        others = np.delete(np.arange(k), item)
        rest = covariance[np.ix_(others, others)]
        with_rest = covariance[item].sum() - covariance[item, item]
        item_total_r = with_rest / np.sqrt(covariance[item, item] * rest.sum())
        # With one item left alpha is undefined (psych reports the two items' regression slope there).
        alpha_if_deleted = cronbach_alpha(rest) if k > 2 else float("nan")
        results.append(ItemStatistics(item_total_r=float(item_total_r), alpha_if_deleted=alpha_if_deleted))
    return results
