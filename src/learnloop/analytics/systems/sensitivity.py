"""Monte Carlo sensitivity: run a model many times with constants drawn from ranges, and report
percentile bands of each output over time.

Each run draws every varied constant from its [low, high] range, seeded so the same seed gives
the same bands: `sampling="uniform"` draws each independently and uniformly (numpy's default
generator); `sampling="latin_hypercube"` (scipy.stats.qmc.LatinHypercube) splits each range into
`runs` equal strata and puts exactly one run in each, so few runs still cover every range. The bands are the
given percentiles across runs at each saved time (numpy's default linear interpolation).
`progress(done, total)` is called after each run, so a task queue can report progress; it may
raise to cancel.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from learnloop.analytics.systems.simulation import SimulationError, check_names, load, run_loaded

MAX_RUNS = 10_000
SAMPLINGS = ("uniform", "latin_hypercube")
DEFAULT_PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)


@dataclass(frozen=True)
class SensitivityBands:
    time: tuple[float, ...]
    percentiles: tuple[float, ...]
    bands: dict[str, dict[float, tuple[float, ...]]]  # column -> percentile -> value at each time
    runs: int
    seed: int
    sampling: str = "uniform"

    def as_dict(self) -> dict:
        return {"time": list(self.time), "percentiles": list(self.percentiles), "runs": self.runs,
                "seed": self.seed, "sampling": self.sampling,
                "bands": {column: {f"p{p:g}": list(values) for p, values in by_p.items()}
                          for column, by_p in self.bands.items()}}


def sensitivity(path, ranges: dict[str, tuple[float, float]], *, runs: int = 100, seed: int = 0,
                percentiles=DEFAULT_PERCENTILES, return_columns: list[str] | None = None,
                params: dict[str, float] | None = None,
                progress: Callable[[int, int], object] | None = None, sampling: str = "uniform",
                untrusted: bool = False) -> SensitivityBands:
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
    if sampling not in SAMPLINGS:
        raise SimulationError(f"sampling is one of {', '.join(SAMPLINGS)}, not {sampling!r}.")
    if not all(0 <= p <= 100 for p in percentiles):
        raise SimulationError("percentiles are between 0 and 100.")
    fixed = dict(params or {})
    model = load(path, untrusted=untrusted)
    check_names(path, model, {**fixed, **ranges}, return_columns)
    names = list(ranges)
    lows = np.array([ranges[name][0] for name in names], dtype=float)
    highs = np.array([ranges[name][1] for name in names], dtype=float)
    draws = lows + (highs - lows) * unit_sample(runs, len(names), seed=seed, sampling=sampling)
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
    return SensitivityBands(time=time, percentiles=levels, bands=bands, runs=runs, seed=seed, sampling=sampling)


def unit_sample(runs: int, dimensions: int, *, seed: int, sampling: str = "uniform"):
    """A runs x dimensions array of points in [0, 1)."""
    import numpy as np

    if sampling == "latin_hypercube":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=dimensions, rng=np.random.default_rng(seed)).random(runs)
    return np.random.default_rng(seed).random((runs, dimensions))
