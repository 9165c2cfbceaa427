"""Key results: progress toward a target, a rate's interval, the trend of dated values and a
confidence label. Pure Python; the strategy app hands in plain numbers (docs/strategy.md)."""

import math
from dataclasses import dataclass
from datetime import date

Z95 = 1.959963984540054


def wilson_interval(successes: float, trials: float, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (95% by default); None without trials."""
    if not trials:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def progress(value: float | None, *, baseline: float | None, target: float) -> float | None:
    """How far from the baseline to the target the value is, 0..1 (beyond either end is clipped).
    Without a baseline the target is measured from 0. A target lower than the baseline counts a
    fall as progress. None when there is no value, or baseline and target are equal."""
    if value is None:
        return None
    start = 0.0 if baseline is None else baseline
    if target == start:
        return 1.0 if value == target else None
    return min(1.0, max(0.0, (value - start) / (target - start)))


def trend_per_30_days(points: list[tuple[date, float]]) -> float | None:
    """The least-squares slope of (day, value) points, per 30 days; None under two distinct days."""
    points = [(day.toordinal(), value) for day, value in points if value is not None]
    if len({day for day, _ in points}) < 2:
        return None
    mean_x = sum(day for day, _ in points) / len(points)
    mean_y = sum(value for _, value in points) / len(points)
    sxx = sum((day - mean_x) ** 2 for day, _ in points)
    sxy = sum((day - mean_x) * (value - mean_y) for day, value in points)
    return 30 * sxy / sxx


@dataclass(frozen=True)
class Outlook:
    progress: float | None
    expected: float | None  # the share of the objective's period already gone
    trend: float | None
    direction: str  # "up", "down", "flat" or "" (no trend)
    confidence: str  # "on track", "at risk", "off track" or "no data"


def outlook(value: float | None, *, baseline: float | None, target: float, points: list[tuple[date, float]],
            starts_on: date, ends_on: date, today: date, interval: tuple[float, float] | None = None) -> Outlook:
    """On track: progress at least the share of time gone (or the target inside the value's
    interval). At risk: within 0.2 of it, or behind while the trend points to the target. Else off
    track. No value: no data."""
    made = progress(value, baseline=baseline, target=target)
    span = (ends_on - starts_on).days
    gone = 1.0 if span <= 0 else min(1.0, max(0.0, (today - starts_on).days / span))
    slope = trend_per_30_days(points)
    start = 0.0 if baseline is None else baseline
    rising = target >= start
    if slope is None or abs(slope) < 1e-12:
        direction = "" if slope is None else "flat"
    else:
        direction = "up" if slope > 0 else "down"
    if made is None:
        return Outlook(None, gone, slope, direction, "no data")
    reached = interval is not None and interval[0] <= target <= interval[1]
    if made + 1e-9 >= gone or made >= 1.0 or reached:
        label = "on track"
    elif made >= gone - 0.2 or (slope is not None and (slope > 0) == rising and abs(slope) > 1e-12):
        label = "at risk"
    else:
        label = "off track"
    return Outlook(made, gone, slope, direction, label)
