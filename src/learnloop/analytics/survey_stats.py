"""Group statistics for survey reports: dimension scores, intervals, eNPS, drivers, barriers.

Every function takes the answers of one released group — always at least k respondents — and
returns aggregates only.
"""

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy and scipy load when a report is computed, not with the app (a fast CLI)
    import numpy as np

    from learnloop.analytics.psychometrics import LikertScale

# A dimension whose mean sits below this share of the scale (0 = minimum, 1 = maximum) is weak.
WEAK_SHARE = 0.55


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    name: str
    barrier: str
    items: tuple[tuple[str, bool], ...]  # (item key, reverse keyed)


@dataclass(frozen=True)
class DimensionScore:
    key: str
    name: str
    mean: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class Driver:
    key: str
    name: str
    r: float


def dimension_scores(
    answers: list[dict], dimensions: list[DimensionSpec], scale: "LikertScale"
) -> list[DimensionScore]:
    """Mean score per dimension with a 95% t interval over respondents."""
    import numpy as np
    from scipy import stats as scipy_stats

    result = []
    for dimension in dimensions:
        scores = _scores(answers, dimension, scale)
        scores = scores[~np.isnan(scores)]
        n = len(scores)
        if n == 0:
            continue
        mean = float(scores.mean())
        spread = scores.std(ddof=1) / math.sqrt(n) if n > 1 else float("nan")
        half = float(scipy_stats.t.ppf(0.975, n - 1) * spread) if n > 1 else float("nan")
        result.append(DimensionScore(dimension.key, dimension.name, mean, mean - half, mean + half, n))
    return result


def _scores(answers: list[dict], dimension: DimensionSpec, scale: "LikertScale") -> "np.ndarray":
    import numpy as np

    from learnloop.analytics.psychometrics import scale_scores

    matrix = np.array(
        [[float(row.get(key, np.nan)) for key, _ in dimension.items] for row in answers], dtype=float,
    ).reshape(len(answers), len(dimension.items))
    reverse = np.array([flag for _, flag in dimension.items], dtype=bool)
    matrix[:, reverse] = scale.reverse(matrix[:, reverse])
    return scale_scores(matrix)


def net_promoter(answers: list[dict], key: str) -> float | None:
    """Promoters (9–10) minus detractors (0–6), as a percentage of those who answered."""
    values = [row[key] for row in answers if key in row]
    if not values:
        return None
    promoters = sum(1 for value in values if value >= 9)
    detractors = sum(1 for value in values if value <= 6)
    return 100.0 * (promoters - detractors) / len(values)


def drivers(answers: list[dict], dimensions: list[DimensionSpec], scale: "LikertScale", outcome: str) -> list[Driver]:
    """Pearson correlation of each dimension score with the outcome item, strongest first."""
    import numpy as np

    outcome_values = np.array([float(row.get(outcome, np.nan)) for row in answers])
    result = []
    for dimension in dimensions:
        scores = _scores(answers, dimension, scale)
        usable = ~np.isnan(scores) & ~np.isnan(outcome_values)
        if usable.sum() < 3 or np.std(scores[usable]) == 0 or np.std(outcome_values[usable]) == 0:
            continue
        r = float(np.corrcoef(scores[usable], outcome_values[usable])[0, 1])
        result.append(Driver(dimension.key, dimension.name, r))
    return sorted(result, key=lambda driver: -driver.r)


def weak(score: DimensionScore, scale: "LikertScale") -> bool:
    return (score.mean - scale.minimum) / (scale.maximum - scale.minimum) < WEAK_SHARE


def barrier_scores(scores: list[DimensionScore], dimensions: list[DimensionSpec]) -> dict[str, float]:
    """Mean of the dimension scores linked to each barrier."""
    by_key = {score.key: score.mean for score in scores}
    grouped: dict[str, list[float]] = {}
    for dimension in dimensions:
        if dimension.barrier and dimension.key in by_key:
            grouped.setdefault(dimension.barrier, []).append(by_key[dimension.key])
    return {barrier: sum(values) / len(values) for barrier, values in grouped.items()}


def heat(mean: float, scale: "LikertScale") -> int:
    """0–100 position of a mean on the scale, for the heatmap's colour."""
    share = (mean - scale.minimum) / (scale.maximum - scale.minimum)
    return max(0, min(100, round(share * 100)))
