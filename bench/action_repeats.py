"""Repeat detection quality: precision and recall of learnloop.analytics.repeats on the labelled
pairs in tests/analytics/action_repeat_pairs.yaml, across thresholds, and the threshold chosen.

    .venv/bin/python bench/action_repeats.py

Prints key=value lines; the figures go into docs/actions.md.
"""

from pathlib import Path

import yaml

from learnloop.analytics import repeats

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "analytics" / "action_repeat_pairs.yaml"
GRID = [round(0.05 * step, 2) for step in range(2, 19)]


def labelled_pairs() -> list[tuple[str, str, bool]]:
    data = yaml.safe_load(PAIRS.read_text())
    return [(a, b, True) for a, b in data["same"]] + [(a, b, False) for a, b in data["different"]]


def main() -> None:
    pairs = labelled_pairs()
    scores = repeats.pair_scores(pairs)
    print(f"pairs={len(pairs)} same={sum(1 for *_, same in pairs if same)} "
          f"different={sum(1 for *_, same in pairs if not same)}")
    for threshold in GRID:
        quality = repeats.quality_at(scores, threshold)
        print(f"threshold={threshold:.2f} precision={quality.precision or 0:.3f} recall={quality.recall or 0:.3f} "
              f"f1={quality.f1:.3f} fp={quality.false_positives} fn={quality.false_negatives}")
    best = repeats.best_threshold(scores, GRID)
    print(f"best_threshold={best.threshold:.2f} precision={best.precision:.3f} recall={best.recall:.3f} "
          f"f1={best.f1:.3f}")
    chosen = repeats.quality_at(scores, repeats.REPEAT_THRESHOLD)
    print(f"chosen_threshold={repeats.REPEAT_THRESHOLD:.2f} precision={chosen.precision:.3f} "
          f"recall={chosen.recall:.3f} f1={chosen.f1:.3f}")
    # Chosen and measured on the same pairs flatters the figures: two-fold, the threshold chosen on
    # every other pair is measured on the rest (and the other way round).
    for fold in (0, 1):
        train = [score for index, score in enumerate(scores) if index % 2 == fold]
        test = [score for index, score in enumerate(scores) if index % 2 != fold]
        picked = repeats.best_threshold(train, GRID).threshold
        held_out = repeats.quality_at(test, picked)
        print(f"fold={fold} threshold={picked:.2f} held_out_precision={held_out.precision or 0:.3f} "
              f"held_out_recall={held_out.recall or 0:.3f}")
    misses = [(score, a, b) for (a, b, same), (score, _) in zip(pairs, scores, strict=True)
              if same != (score >= repeats.REPEAT_THRESHOLD)]
    for score, a, b in sorted(misses):
        print(f"miss score={score:.3f} | {a} | {b}")


if __name__ == "__main__":
    main()
