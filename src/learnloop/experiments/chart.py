"""Geometry for the effect chart: each row's point estimate and interval on one shared axis.

The template draws it as inline SVG (no JavaScript library); the same numbers are in a table next
to it, which is what screen readers are pointed at.
"""

import math
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 170
RIGHT_MARGIN = 20
ROW_HEIGHT = 34
TOP = 10
AXIS_HEIGHT = 30


@dataclass
class ChartRow:
    label: str
    effect: float
    low: float
    high: float
    tone: str  # better / worse / inconclusive
    y: float = 0
    x: float = 0
    x_low: float = 0
    x_high: float = 0


@dataclass
class Chart:
    rows: list[ChartRow]
    ticks: list[tuple[float, str]]
    zero_x: float
    width: int = WIDTH
    height: float = 0
    axis_y: float = 0
    plot_left: int = LABEL_WIDTH
    plot_right: int = WIDTH - RIGHT_MARGIN


def _nice_step(span: float) -> float:
    raw = span / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _tick_label(value: float) -> str:
    text = f"{value * 100:+.{0 if abs(value * 100) >= 1 or value == 0 else 1}f}%"
    return "0%" if value == 0 else text.replace("-", "−")


def effect_chart(rows: list[ChartRow]) -> Chart | None:
    rows = [row for row in rows if all(math.isfinite(v) for v in (row.effect, row.low, row.high))]
    if not rows:
        return None
    low = min(0.0, *(row.low for row in rows))
    high = max(0.0, *(row.high for row in rows))
    if high - low < 1e-9:
        low, high = low - 0.01, high + 0.01
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    left, right = LABEL_WIDTH, WIDTH - RIGHT_MARGIN

    def x_of(value: float) -> float:
        return round(left + (value - low) / (high - low) * (right - left), 1)

    for index, row in enumerate(rows):
        row.y = TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2
        row.x, row.x_low, row.x_high = x_of(row.effect), x_of(row.low), x_of(row.high)
    count = round((high - low) / step)
    ticks = [(x_of(low + i * step), _tick_label(round(low + i * step, 10))) for i in range(count + 1)]
    axis_y = TOP + len(rows) * ROW_HEIGHT
    return Chart(rows=rows, ticks=ticks, zero_x=x_of(0.0), height=axis_y + AXIS_HEIGHT, axis_y=axis_y)
