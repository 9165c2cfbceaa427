"""Survey psychometrics benchmark: scoring and reliability at survey scale (prints figures; not a test).

    uv run python bench/psychometrics.py            # 100,000 respondents × 50 items, best of 3 runs
    uv run python bench/psychometrics.py --quick    # 20,000 respondents, one run: under a minute
    uv run python bench/psychometrics.py --respondents 20000 --items 30 --repeat 5
    uv run python bench/psychometrics.py --threads 1   # only one setting, in this process

What it measures. A seeded data set of N respondents answering I items on a 1–5 scale: five
scales of equal length, each item driven by one general and one scale factor plus noise, every
fourth item reverse keyed, 2% of answers missing at random. Timed separately:

* scoring: reverse keying and scale scores (mean of answered items, missing below half) for the
  five scales, as the survey reports compute them;
* reliability: `reliability_report` for one scale of all I items — pairwise covariances,
  alpha with Feldt's interval, item–total correlations, alpha if deleted and omega total
  (minres factor analysis with a Schmid–Leiman general factor), as `learnloop survey
  reliability` computes it;
* grouping: the same with 500 groups (teams) for rwg(j), ICC(1) and ICC(2).

Each is run twice, in a fresh process per setting: with numerical libraries limited to one
thread (LEARNLOOP_NUMERIC_THREADS=1, Learnloop's default, see learnloop/numeric_threads.py) and
unlimited (LEARNLOOP_NUMERIC_THREADS=0: OpenBLAS starts a thread per core). Both wall time and
CPU time (all threads) are reported: on a busy machine the unlimited threads spin for the same
cores as everything else, which the CPU time shows.

The last line holds every figure as key=value pairs (`limited_…` and `unlimited_…`).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from learnloop import numeric_threads
from learnloop.analytics.psychometrics import LikertScale, reliability_report, reverse_keyed, scale_scores

SCALE = LikertScale(1, 5)
SCALES = 5
GROUPS = 500


def make_answers(respondents: int, items: int, seed: int = 7) -> tuple[np.ndarray, list[bool], np.ndarray]:
    rng = np.random.default_rng(seed)
    general = rng.normal(size=(respondents, 1))
    specific = rng.normal(size=(respondents, SCALES))
    scale_of = np.arange(items) % SCALES
    latent = 0.6 * general + 0.5 * specific[:, scale_of] + 0.8 * rng.normal(size=(respondents, items))
    answers = np.clip(np.round(3 + latent), 1, 5)
    reverse = [position % 4 == 3 for position in range(items)]
    answers[:, reverse] = 6 - answers[:, reverse]
    answers[rng.random(answers.shape) < 0.02] = np.nan
    groups = rng.integers(0, GROUPS, size=respondents)
    return answers, reverse, groups


SETTINGS = {"limited": "1", "unlimited": "0"}


def best_of(repeat: int, run) -> tuple[float, float, object]:
    """Best wall time, the CPU time of that run (every thread of the process), and the result."""
    best, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run()
        wall = time.perf_counter() - started
        if wall < best:
            best, cpu = wall, time.process_time() - started_cpu
    return best, cpu, result


def run_setting(setting: str, arguments: list[str]) -> dict:
    """This benchmark in a fresh process whose numerical libraries load with the setting's limit."""
    env = {key: value for key, value in os.environ.items() if key not in numeric_threads.LIBRARY_VARIABLES}
    env[numeric_threads.SETTING] = SETTINGS[setting]
    numeric_threads.limit(env)  # what Learnloop does in its own processes, before numpy loads
    finished = subprocess.run(  # noqa: S603
        [sys.executable, str(Path(__file__).resolve()), *arguments, "--threads", SETTINGS[setting]],
        env=env, capture_output=True, text=True, check=True,
    )
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run of each step")
    parser.add_argument("--threads", default=None, help="run one setting in this process (1 = limited, 0 = not)")
    options = parser.parse_args()
    if options.quick and options.respondents == parser.get_default("respondents"):
        options.respondents = 20_000
    if options.threads is None:
        compare_settings(options)
    else:
        print(json.dumps(measure(options)))


def compare_settings(options) -> None:
    arguments = ["--respondents", str(options.respondents), "--items", str(options.items),
                 "--repeat", str(1 if options.quick else options.repeat)]
    results = {setting: run_setting(setting, arguments) for setting in SETTINGS}
    limited = results["limited"]
    print(f"{options.respondents:,} respondents × {options.items} items, 2% missing, best of {limited['repeat']}; "
          f"{os.cpu_count()} cores")
    print(f"{'':40} {'1 thread: wall':>14} {'cpu':>8}   {'unlimited: wall':>15} {'cpu':>8}")
    steps = (("scoring", f"scoring ({SCALES} scales)"), ("reliability", "reliability (alpha, CI, items, omega)"),
             ("grouped_reliability", f"with {GROUPS} groups (rwg, ICC)"))
    for step, label in steps:
        one, many = results["limited"], results["unlimited"]
        print(f"{label:40} {one[step + '_s']:>12.3f} s {one[step + '_cpu_s']:>6.3f} s   "
              f"{many[step + '_s']:>13.3f} s {many[step + '_cpu_s']:>6.3f} s")
    print(f"alpha={limited['alpha']:.4f} omega_total={limited['omega_total']:.4f} (the same unlimited: "
          f"{results['unlimited']['omega_total']:.4f})")
    figures = {"respondents": options.respondents, "items": options.items, "repeat": limited["repeat"],
               "alpha": f"{limited['alpha']:.4f}", "omega_total": f"{limited['omega_total']:.4f}", "groups": GROUPS}
    for setting, result in results.items():
        for key, value in result.items():
            if key.endswith("_s"):
                figures[f"{setting}_{key}"] = f"{value:.3f}"
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


def measure(options) -> dict:
    repeat = 1 if options.quick else options.repeat
    answers, reverse, groups = make_answers(options.respondents, options.items)
    names = [f"q{position + 1}" for position in range(options.items)]
    scale_of = np.arange(options.items) % SCALES

    def score():
        keyed = reverse_keyed(answers, SCALE, reverse)
        return [scale_scores(keyed[:, scale_of == scale]) for scale in range(SCALES)]

    reversed_names = [name for name, flag in zip(names, reverse, strict=True) if flag]
    scoring_s, scoring_cpu_s, _ = best_of(repeat, score)
    reliability_s, reliability_cpu_s, report = best_of(
        repeat, lambda: reliability_report(answers, items=names, scale=SCALE, reverse=reversed_names)
    )
    labels = [f"team{group}" for group in groups]
    grouped_s, grouped_cpu_s, _ = best_of(
        repeat, lambda: reliability_report(answers, items=names, scale=SCALE, reverse=reversed_names, groups=labels)
    )
    return {
        "repeat": repeat, "alpha": report.alpha, "omega_total": report.omega_total,
        "scoring_s": scoring_s, "scoring_cpu_s": scoring_cpu_s,
        "reliability_s": reliability_s, "reliability_cpu_s": reliability_cpu_s,
        "grouped_reliability_s": grouped_s, "grouped_reliability_cpu_s": grouped_cpu_s,
    }


if __name__ == "__main__":
    main()
