"""How knowledge search orders its matches (learnloop.analytics.ranking)."""

import math
from datetime import UTC, datetime, timedelta

import pytest

from learnloop.analytics.ranking import (
    bm25_weight,
    freshness_state,
    rank_score,
    reuse_factor,
    term_upper_bound,
    term_weight,
)
from learnloop.analytics.text import bm25_idf

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
GRACE = timedelta(days=30)


def test_bm25_weight_matches_the_lucene_formula():
    idf = bm25_idf(1000, 10)
    # Lucene: idf · tf · (k1 + 1) / (tf + k1 · (1 − b + b · dl / avgdl)), k1 = 1.2, b = 0.75
    expected = idf * 3 * 2.2 / (3 + 1.2 * (0.25 + 0.75 * 40 / 20))
    assert bm25_weight(idf, 3, 40, 20.0) == pytest.approx(expected)
    assert idf == pytest.approx(math.log(1 + (1000 - 10 + 0.5) / (10 + 0.5)))


def test_a_term_never_weighs_more_than_its_upper_bound():
    idf = bm25_idf(500, 3)
    assert all(term_weight(idf, tf, 5, 30.0) < term_upper_bound(idf) for tf in (1, 10, 1000, 30000))


def test_text_relevance_decides_and_freshness_and_reuse_never_override_it_wholesale():
    # A clearly better text match of a stale, never applied entry beats a weaker fresh, much
    # applied one: the adjustments are bounded (at most −8 % and +3 % for live entries).
    better_text = rank_score(relevance=10.0, state="stale", applications=0)
    weaker_text = rank_score(relevance=8.0, state="fresh", applications=1000)
    assert better_text > weaker_text


def test_among_equal_matches_obsolete_and_stale_entries_sink():
    scores = [rank_score(relevance=8.0, state=state, applications=0)
              for state in ("fresh", "due", "stale", "obsolete")]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 4
    # An obsolete entry with somewhat better text still loses to a fresh one.
    assert rank_score(relevance=12.0, state="obsolete", applications=0) < scores[0]


def test_reuse_orders_near_equals_but_cannot_beat_better_text():
    assert reuse_factor(0) == 1.0
    assert reuse_factor(100) == pytest.approx(1.03)
    assert reuse_factor(10_000) == pytest.approx(1.03)
    assert reuse_factor(-5) == 1.0
    often_applied = rank_score(relevance=8.0, state="fresh", applications=50)
    never_applied = rank_score(relevance=8.0, state="fresh", applications=0)
    clearly_better = rank_score(relevance=10.0, state="fresh", applications=0)
    assert never_applied < often_applied < clearly_better


@pytest.mark.parametrize(
    ("review_due_at", "obsolete_at", "state"),
    [
        (NOW + timedelta(days=1), None, "fresh"),
        (NOW, None, "due"),
        (NOW - GRACE + timedelta(seconds=1), None, "due"),
        (NOW - GRACE, None, "stale"),
        (NOW + timedelta(days=300), NOW - timedelta(days=1), "obsolete"),
    ],
)
def test_freshness_state_boundaries(review_due_at, obsolete_at, state):
    assert freshness_state(review_due_at=review_due_at, obsolete_at=obsolete_at, now=NOW,
                           stale_after_due=GRACE) == state
