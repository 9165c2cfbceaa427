"""Monte Carlo sensitivity: run a model many times with constants drawn from ranges, and report
percentile bands of each output over time.

Each run draws every varied constant independently and uniformly from its [low, high] range
(numpy's default generator, seeded, so the same seed gives the same bands). The bands are the
given percentiles across runs at each saved time (numpy's default linear interpolation).
`progress(done, total)` is called after each run, so a task queue can report progress; it may
raise to cancel.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from learnloop.analytics.systems.simulation import SimulationError, check_names, load, run_loaded

MAX_RUNS = 10_000
DEFAULT_PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)


@dataclass(frozen=True)
class SensitivityBands:
    time: tuple[float, ...]
    percentiles: tuple[float, ...]
    bands: dict[str, dict[float, tuple[float, ...]]]  # column -> percentile -> value at each time
    runs: int
    seed: int

    def as_dict(self) -> dict:
        return {"time": list(self.time), "percentiles": list(self.percentiles), "runs": self.runs,
                "seed": self.seed,
                "bands": {column: {f"p{p:g}": list(values) for p, values in by_p.items()}
                          for column, by_p in self.bands.items()}}


def sensitivity(path, ranges: dict[str, tuple[float, float]], *, runs: int = 100, seed: int = 0,
                percentiles=DEFAULT_PERCENTILES, return_columns: list[str] | None = None,
                params: dict[str, float] | None = None,
                progress: Callable[[int, int], object] | None = None) -> SensitivityBands:
    """Percentile bands of `return_columns` (default: every variable) over `runs` runs with each
    constant of `ranges` drawn uniformly from (low, high); `params` are held fixed."""
    import numpy as np

    path = Path(path)
    if not ranges:
        raise SimulationError("give at least one parameter range.")
    if not 1 <= runs <= MAX_RUNS:
        raise SimulationError(f"runs must be between 1 and {MAX_RUNS:,}.")
    for name, (low, high) in ranges.items():
        if not (np.isfinite(low) and np.isfinite(high) and low <= high):
            raise SimulationError(f"range of {name}: need finite low <= high, got {low}..{high}.")
    if not all(0 <= p <= 100 for p in percentiles):
        raise SimulationError("percentiles are between 0 and 100.")
    fixed = dict(params or {})
    model = load(path)
    check_names(path, model, {**fixed, **ranges}, return_columns)
    rng = np.random.default_rng(seed)
    names = list(ranges)
    lows = np.array([ranges[name][0] for name in names], dtype=float)
    highs = np.array([ranges[name][1] for name in names], dtype=float)
    draws = lows + (highs - lows) * rng.random((runs, len(names)))
    results = []
    columns = time = None
    for number, row in enumerate(draws, start=1):
        # every run sets every varied constant, so values set by the previous run never leak
        frame = run_loaded(path, model, {**fixed, **dict(zip(names, map(float, row), strict=True))},
                           return_columns)
        if columns is None:
            columns = [str(column) for column in frame.columns]
            time = tuple(float(t) for t in frame.index)
        results.append(frame.to_numpy(dtype=float))
        if progress is not None:
            progress(number, runs)
    stacked = np.stack(results)  # runs x times x columns
    levels = tuple(float(p) for p in percentiles)
    values = np.percentile(stacked, levels, axis=0)  # percentiles x times x columns
    bands = {column: {p: tuple(float(v) for v in values[i, :, j]) for i, p in enumerate(levels)}
             for j, column in enumerate(columns)}
    return SensitivityBands(time=time, percentiles=levels, bands=bands, runs=runs, seed=seed)
