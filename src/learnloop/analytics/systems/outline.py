"""What a page needs to know about a stock-and-flow model before running it: its constants (with
the range a slider should offer), its stocks and other variables, and its time settings.

Slider range: the model's own limits (Vensim `[low, high]` after the units) where both are given;
otherwise the value ±50% (0 to 1 for a constant of 0), cut to the one limit the model gives.
"""

import math
from dataclasses import dataclass
from pathlib import Path

from learnloop.analytics.systems.simulation import SimulationError, load

CONTROL_NAMES = frozenset({"FINAL TIME", "INITIAL TIME", "TIME STEP", "SAVEPER", "Time", "TIME"})
MAX_STEPS = 100_000  # time steps a run may take (a crafted model must not tie up a worker)


@dataclass(frozen=True)
class Constant:
    name: str
    value: float
    low: float
    high: float
    units: str
    documentation: str

    def as_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "low": self.low, "high": self.high, "units": self.units,
                "documentation": self.documentation}


@dataclass(frozen=True)
class Outline:
    constants: tuple[Constant, ...]
    stocks: tuple[str, ...]
    variables: tuple[str, ...]  # the other variables that change over time (flows, auxiliaries)
    initial_time: float
    final_time: float
    time_step: float
    saveper: float
    time_units: str

    @property
    def steps(self) -> int:
        return round((self.final_time - self.initial_time) / self.time_step) if self.time_step > 0 else 0

    def as_dict(self) -> dict:
        return {"constants": [constant.as_dict() for constant in self.constants], "stocks": list(self.stocks),
                "variables": list(self.variables), "initial_time": self.initial_time,
                "final_time": self.final_time, "time_step": self.time_step, "saveper": self.saveper,
                "time_units": self.time_units}


def slider_range(value: float, limits: tuple) -> tuple[float, float]:
    low_limit, high_limit = (_finite(limit) for limit in ((*tuple(limits or ()), None, None))[:2])
    if low_limit is not None and high_limit is not None and low_limit < high_limit:
        return low_limit, high_limit
    if value == 0:
        low, high = 0.0, 1.0
    else:
        low, high = value - abs(value) / 2, value + abs(value) / 2
    if low_limit is not None:
        low = max(low, low_limit)
    if high_limit is not None:
        high = min(high, high_limit)
    return (low, high) if low < high else (value, value)


def _finite(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def outline(path: Path, *, untrusted: bool = False) -> Outline:
    """The model's constants, stocks, variables and time settings (SimulationError when the model
    can't be read or would take more than MAX_STEPS steps)."""
    model = load(Path(path), untrusted=untrusted)
    constants, stocks, variables = [], [], []
    for row in model.doc.to_dict("records"):
        name = _text(row.get("Real Name"))
        if not name or name in CONTROL_NAMES or row.get("Subscripts"):
            continue
        kind, subtype = _text(row.get("Type")), _text(row.get("Subtype"))
        if kind == "Constant" and subtype == "Normal":
            value = _finite(_call(model, row["Py Name"]))
            if value is None:
                continue
            low, high = slider_range(value, row.get("Limits"))
            constants.append(Constant(name, value, low, high, _text(row.get("Units")), _text(row.get("Comment"))))
        elif kind == "Stateful" and subtype == "Integ":
            stocks.append(name)
        elif kind in ("Auxiliary", "Stateful"):
            variables.append(name)
    components = model.components
    times = [_finite(_call(model, name)) for name in ("initial_time", "final_time", "time_step", "saveper")]
    if any(value is None for value in times):
        raise SimulationError("the model's INITIAL TIME, FINAL TIME, TIME STEP and SAVEPER must be numbers.")
    initial, final, step, saveper = times
    if step <= 0 or saveper <= 0 or final < initial:
        raise SimulationError("the model needs TIME STEP and SAVEPER above 0 and FINAL TIME after INITIAL TIME.")
    found = Outline(constants=tuple(constants), stocks=tuple(stocks), variables=tuple(variables),
                    initial_time=initial, final_time=final, time_step=step, saveper=saveper,
                    time_units=_time_units(model, components))
    if found.steps > MAX_STEPS:
        raise SimulationError(f"the model would take {found.steps:,} time steps; at most {MAX_STEPS:,} are run here.")
    return found


def _call(model, python_name: str):
    try:
        return getattr(model.components, python_name)()
    except Exception:  # a constant whose value needs the run (or a subscripted one): no slider
        return None


def _time_units(model, components) -> str:
    for row in model.doc.to_dict("records"):
        if row.get("Real Name") == "TIME STEP":
            return _text(row.get("Units")).split("[")[0].strip()
    return ""
