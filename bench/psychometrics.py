"""Survey psychometrics benchmark: scoring and reliability at survey scale (prints figures; not a test).

    uv run python bench/psychometrics.py            # 100,000 respondents × 50 items, best of 3 runs
    uv run python bench/psychometrics.py --quick    # the same size, one run: under a minute
    uv run python bench/psychometrics.py --respondents 20000 --items 30 --repeat 5

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

The last line holds every figure as key=value pairs.
"""

import argparse
import time

import numpy as np

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


def best_of(repeat: int, run) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run of each step")
    options = parser.parse_args()
    repeat = 1 if options.quick else options.repeat
    answers, reverse, groups = make_answers(options.respondents, options.items)
    names = [f"q{position + 1}" for position in range(options.items)]
    scale_of = np.arange(options.items) % SCALES

    def score():
        keyed = reverse_keyed(answers, SCALE, reverse)
        return [scale_scores(keyed[:, scale_of == scale]) for scale in range(SCALES)]

    reversed_names = [name for name, flag in zip(names, reverse, strict=True) if flag]
    scoring_seconds, scores = best_of(repeat, score)
    reliability_seconds, report = best_of(
        repeat, lambda: reliability_report(answers, items=names, scale=SCALE, reverse=reversed_names)
    )
    labels = [f"team{group}" for group in groups]
    grouping_seconds, grouped = best_of(
        repeat, lambda: reliability_report(answers, items=names, scale=SCALE, reverse=reversed_names, groups=labels)
    )
    scored = int(sum(np.count_nonzero(~np.isnan(values)) for values in scores))
    print(f"{options.respondents:,} respondents × {options.items} items, 2% missing, best of {repeat}")
    print(f"scoring ({SCALES} scales):          {scoring_seconds:8.3f} s   ({scored:,} scale scores)")
    print(f"reliability (alpha, CI, items, omega): {reliability_seconds:8.3f} s   "
          f"alpha={report.alpha:.4f} omega_total={report.omega_total:.4f}")
    print(f"with {GROUPS} groups (rwg, ICC):      {grouping_seconds:8.3f} s")
    figures = {
        "respondents": options.respondents, "items": options.items, "repeat": repeat,
        "scoring_s": f"{scoring_seconds:.3f}", "reliability_s": f"{reliability_seconds:.3f}",
        "grouped_reliability_s": f"{grouping_seconds:.3f}", "alpha": f"{report.alpha:.4f}",
        "omega_total": f"{report.omega_total:.4f}", "groups": GROUPS,
        "icc1": f"{grouped.grouping.icc1:.4f}" if getattr(grouped, "grouping", None) else "nan",
    }
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
