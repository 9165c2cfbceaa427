"""The repeat detector: titles that say the same thing, clusters, and its measured quality on
hand-labelled pairs (the threshold in use is the one those pairs support)."""

from pathlib import Path

import yaml

from learnloop.analytics import repeats

PAIRS = Path(__file__).with_name("action_repeat_pairs.yaml")
GRID = [round(0.05 * step, 2) for step in range(2, 19)]


def _pairs():
    data = yaml.safe_load(PAIRS.read_text())
    return [(a, b, True) for a, b in data["same"]] + [(a, b, False) for a, b in data["different"]]


def test_the_threshold_in_use_is_the_best_on_the_labelled_pairs():
    scores = repeats.pair_scores(_pairs())
    best = repeats.best_threshold(scores, GRID)
    assert best.threshold == repeats.REPEAT_THRESHOLD
    chosen = repeats.quality_at(scores, repeats.REPEAT_THRESHOLD)
    # The figures docs/actions.md reports (bench/action_repeats.py prints them).
    assert round(chosen.precision, 3) == 0.892 and round(chosen.recall, 3) == 0.868


def test_a_rewording_is_found_and_a_near_miss_is_not():
    earlier = [
        "Write a runbook for database failover",
        "Write a runbook for cache failover",
        "Move the weekly sync to Thursdays",
        "Clean up the stale feature flags",
    ]
    found = repeats.similar_titles("Write the DB failover runbook", earlier)
    assert [index for index, _ in found] == [0]
    assert 0.6 <= found[0][1] <= 1.0
    assert repeats.similar_titles("Buy a new coffee machine", earlier) == []
    assert repeats.similar_titles("", earlier) == []


def test_aliases_fold_abbreviations():
    assert repeats.title_terms("Update the DB docs") == repeats.title_terms("Update the database documentation")


def test_clusters_join_similar_titles_and_explicit_links_transitively():
    titles = [
        "Quarantine flaky tests automatically",          # 0
        "Automatically quarantine the flaky tests",      # 1
        "Hold platform office hours",                    # 2
        "Start a support rota",                          # 3
        "Quarantine the flaky tests, automatically",  # 4
        "Run the office hours for the platform",         # 5
    ]
    clusters = repeats.repeat_clusters(titles, links=[(3, 2)])
    members = [set(cluster.members) for cluster in clusters]
    assert {0, 1, 4} in members
    assert any({2, 3} <= group for group in members)
    assert all(len(group) >= 2 for group in members)
    assert repeats.repeat_clusters([]) == []


def test_similar_pairs_matches_a_full_comparison():
    titles = [a for a, _, _ in _pairs()][:30] + [b for _, b, _ in _pairs()][:30]
    vectors = repeats.vectors(titles)
    brute = sorted(
        (i, j, repeats.similarity(vectors[i], vectors[j]))
        for i in range(len(titles)) for j in range(i + 1, len(titles))
        if repeats.similarity(vectors[i], vectors[j]) >= repeats.REPEAT_THRESHOLD
    )
    fast = repeats.similar_pairs(titles)
    assert [(i, j) for i, j, _ in fast] == [(i, j) for i, j, _ in brute]
    assert all(abs(a[2] - b[2]) < 1e-3 for a, b in zip(fast, brute, strict=True))
