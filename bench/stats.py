"""Experiment statistics benchmark: Learnloop's engines against GrowthBook's gbstats (prints figures; not a test).

    uv run python bench/stats.py            # 10,000 comparisons per engine, best of 5 runs
    uv run python bench/stats.py --quick    # 10,000 comparisons, one run per engine: under a minute
    uv run python bench/stats.py --comparisons 50000 --repeat 3

What it measures. N metric × variant comparisons (a control and one variation each), generated
with a seeded RNG by tests/analytics/stats/cases.py: a fifth each of mean, binomial and ratio
metrics and CUPED-adjusted mean and binomial metrics, 2 to 50 million units per variation,
relative effects at α = 0.05. For each engine (frequentist Welch, Bayesian, sequential) both
implementations start from the same per-variant sums and finish with effect, interval and
p-value (or chance to win and expected loss):

* Learnloop: learnloop.analytics.stats on numpy arrays, one vectorised call per metric kind. Its
  time includes turning the per-case dicts into arrays; "arrays in hand" is the analysis alone;
* gbstats 0.8.0: its statistic and test classes, one comparison at a time as its runner does, in
  its own virtual environment (built and cached by tests/analytics/stats/gbstats_peer.py) and
  timed inside that process, so neither process start-up nor JSON transfer is counted.

The ratio is gbstats's time over ours; the largest difference between the two sets of numbers
(|ours − gbstats| / max(1, |gbstats|) over effect, interval ends and p-value or chance to win) is
printed beside it as a check that both computed the same thing. The last line holds
every figure as key=value pairs.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from learnloop.analytics.stats import (  # noqa: E402
    CovariateSums,
    binomial_moments,
    compare,
    confidence_sequence,
    cuped_moments,
    cuped_theta,
    gaussian_posterior,
    mean_moments,
    ratio_moments,
    welch_test,
)
from tests.analytics.stats.cases import generated_cases  # noqa: E402
from tests.analytics.stats.gbstats_peer import run_driver  # noqa: E402

ENGINES = ("frequentist", "bayesian", "sequential")
ALPHA = 0.05


FIELDS = (
    "users", "sum", "sum_squares", "denominator_sum", "denominator_sum_squares", "denominator_sum_product",
    "covariate_sum", "covariate_sum_squares", "covariate_sum_product",
)


def read_columns(groups: dict) -> dict:
    """The per-case dicts as numpy columns, per metric kind and arm (what a warehouse query would hand over)."""
    columns = {}
    for kind, (_, cases) in groups.items():
        columns[kind] = {
            arm: {
                field: np.array([case[arm].get(field, np.nan) for case in cases], dtype=float) for field in FIELDS
            }
            for arm in ("control", "treatment")
        }
    return columns


def _moments_pair(kind: tuple[str, bool], arms: dict):
    metric, cuped = kind
    if cuped:
        binomial = metric == "binomial"

        def sums(arm):
            c = arms[arm]
            return CovariateSums(
                c["users"], c["sum"], c["sum"] if binomial else c["sum_squares"],
                c["covariate_sum"], c["covariate_sum"] if binomial else c["covariate_sum_squares"],
                c["covariate_sum_product"],
            )

        control, treatment = sums("control"), sums("treatment")
        theta = cuped_theta(control, treatment, binomial_post=binomial, binomial_pre=binomial)
        return (cuped_moments(control, theta, binomial_post=binomial, binomial_pre=binomial),
                cuped_moments(treatment, theta, binomial_post=binomial, binomial_pre=binomial))
    pair = []
    for arm in ("control", "treatment"):
        c = arms[arm]
        if metric == "binomial":
            pair.append(binomial_moments(c["users"], c["sum"]))
        elif metric == "mean":
            pair.append(mean_moments(c["users"], c["sum"], c["sum_squares"]))
        else:
            pair.append(ratio_moments(
                c["users"], c["sum"], c["sum_squares"], c["denominator_sum"], c["denominator_sum_squares"],
                c["denominator_sum_product"],
            ))
    return pair


def analyze_columns(columns: dict, engine: str) -> dict:
    """One vectorised pass per metric kind; returns {kind: (effect, low, high, p-value or chance to win)}."""
    out = {}
    for kind, arms in columns.items():
        control, treatment = _moments_pair(kind, arms)
        comparison = compare(control, treatment, relative=True)
        if engine == "bayesian":
            result = gaussian_posterior(comparison, alpha=ALPHA)
            last = result.chance_to_win
        elif engine == "sequential":
            result = confidence_sequence(comparison, alpha=ALPHA)
            last = result.p_value
        else:
            result = welch_test(comparison, alpha=ALPHA)
            last = result.p_value
        out[kind] = (result.effect, result.ci_low, result.ci_high, last)
    return out


def by_case(groups: dict, results: dict) -> dict:
    return {
        index: tuple(values[position] for values in results[kind])
        for kind, (indices, _) in groups.items()
        for position, index in enumerate(indices)
    }


def grouped(cases: list[dict]) -> dict:
    groups: dict = {}
    for index, case in enumerate(cases):
        indices, members = groups.setdefault((case["metric"], case["cuped"]), ([], []))
        indices.append(index)
        members.append(case)
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run per engine (under a minute)")
    parser.add_argument("--comparisons", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=None, help="runs per engine, the best counts (default 5)")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    repeat = options.repeat or (1 if options.quick else 5)

    started = time.perf_counter()
    base = generated_cases(options.seed, options.comparisons)
    print(f"generated {len(base):,} comparisons in {time.perf_counter() - started:.1f}s")
    figures = {"comparisons": len(base), "repeat": repeat}
    for engine in ENGINES:
        cases = [case | {"engine": engine, "difference": "relative", "alpha": ALPHA, "tuning": 5000.0,
                         "prior": None, "lower_is_better": False} for case in base]
        groups = grouped(cases)
        ours_seconds, engine_seconds, theirs_seconds = [], [], []
        for _ in range(repeat):
            tick = time.perf_counter()
            columns = read_columns(groups)
            tock = time.perf_counter()
            results = analyze_columns(columns, engine)
            done = time.perf_counter()
            ours_seconds.append(done - tick)
            engine_seconds.append(done - tock)
            peer = run_driver(cases)
            theirs_seconds.append(peer["seconds"])
        ours = by_case(groups, results)
        last = "chance_to_win" if engine == "bayesian" else "p_value"
        difference = max(
            max(abs(float(mine) - float(peer_value)) / max(1.0, abs(float(peer_value))) for mine, peer_value in
                zip(ours[index], (result["effect"], result["ci_low"], result["ci_high"], result[last]), strict=True))
            for index, result in enumerate(peer["results"])
        )
        ours_best, engine_best, theirs_best = min(ours_seconds), min(engine_seconds), min(theirs_seconds)
        ratio = theirs_best / ours_best
        print(f"{engine:12} learnloop {ours_best * 1000:8.2f} ms (arrays in hand: {engine_best * 1000:6.2f} ms)   "
              f"gbstats {theirs_best * 1000:9.1f} ms   gbstats/learnloop {ratio:7.1f}x"
              f"   max difference {difference:.1e}")
        figures |= {
            f"{engine}_learnloop_ms": round(ours_best * 1000, 3),
            f"{engine}_learnloop_from_arrays_ms": round(engine_best * 1000, 3),
            f"{engine}_gbstats_ms": round(theirs_best * 1000, 1),
            f"{engine}_ratio": round(ratio, 1),
            f"{engine}_max_rel_diff": f"{difference:.1e}",
        }
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
