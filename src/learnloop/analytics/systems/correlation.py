"""Correlation between two bound variables' monthly values, with its uncertainty.

Pearson's r over the months where both variables have a value, and a confidence interval by
Fisher's z transformation: z = atanh(r), standard error 1/sqrt(n − 3), interval tanh(z ± q·se)
with q the normal quantile of the level. This is the interval scipy.stats.pearsonr's
`confidence_interval()` gives (tests compare the two). With fewer than 4 pairs there is no
interval; with a constant series there is no r. Correlation over time is not causation: two
series that both trend move together whatever links them, which is why every page showing this
says so.
"""

import math
from dataclasses import dataclass
from statistics import NormalDist

MIN_PAIRS = 4


@dataclass(frozen=True)
class Correlation:
    n: int  # pairs used (both values present)
    r: float | None
    low: float | None
    high: float | None
    level: float
    note: str = ""

    def as_dict(self) -> dict:
        return {"n": self.n, "r": self.r, "low": self.low, "high": self.high, "level": self.level,
                "note": self.note}


def pearson(xs, ys, *, level: float = 0.95) -> Correlation:
    """Pearson's r of the pairs where both xs[i] and ys[i] are numbers, with a Fisher z interval."""
    if len(xs) != len(ys):
        raise ValueError("Both series need the same length (one value per period, None when missing).")
    if not 0 < level < 1:
        raise ValueError("The level is a share between 0 and 1.")
    pairs = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)
             if x is not None and y is not None and math.isfinite(x) and math.isfinite(y)]
    n = len(pairs)
    if n < 3:
        return Correlation(n, None, None, None, level, "Fewer than 3 periods with both values.")
    mean_x = sum(x for x, _ in pairs) / n
    mean_y = sum(y for _, y in pairs) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in pairs)
    syy = sum((y - mean_y) ** 2 for _, y in pairs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in pairs)
    if sxx == 0 or syy == 0:
        return Correlation(n, None, None, None, level, "One of the series does not change.")
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    if n < MIN_PAIRS:
        return Correlation(n, r, None, None, level, f"An interval needs at least {MIN_PAIRS} periods.")
    if abs(r) == 1.0:
        return Correlation(n, r, r, r, level)
    z = math.atanh(r)
    half = NormalDist().inv_cdf(0.5 + level / 2) / math.sqrt(n - 3)
    return Correlation(n, r, math.tanh(z - half), math.tanh(z + half), level)
