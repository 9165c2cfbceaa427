"""Pearson r and its Fisher z interval, compared with scipy.stats.pearsonr on random series."""

import random

import pytest
from scipy import stats

from learnloop.analytics.systems.correlation import pearson


@pytest.mark.parametrize("seed", range(12))
def test_r_and_interval_match_scipy(seed):
    generator = random.Random(seed)
    n = generator.randint(4, 40)
    xs = [generator.gauss(0, 1) for _ in range(n)]
    ys = [x * generator.uniform(-1, 1) + generator.gauss(0, 1) for x in xs]
    ours = pearson(xs, ys)
    theirs = stats.pearsonr(xs, ys)
    interval = theirs.confidence_interval(confidence_level=0.95)
    assert ours.n == n
    assert ours.r == pytest.approx(theirs.statistic, abs=1e-12)
    assert ours.low == pytest.approx(interval.low, abs=1e-9)
    assert ours.high == pytest.approx(interval.high, abs=1e-9)


def test_other_levels_match_scipy():
    xs = [1, 2, 3, 4, 5, 6, 7, 9]
    ys = [2, 1, 4, 3, 7, 5, 9, 8]
    interval = stats.pearsonr(xs, ys).confidence_interval(confidence_level=0.8)
    ours = pearson(xs, ys, level=0.8)
    assert (ours.low, ours.high) == (pytest.approx(interval.low), pytest.approx(interval.high))


def test_missing_months_are_left_out_pairwise():
    xs = [1, None, 3, 4, 5, 6]
    ys = [2, 5, None, 3, 6, 8]
    ours = pearson(xs, ys)
    theirs = stats.pearsonr([1, 4, 5, 6], [2, 3, 6, 8])
    assert ours.n == 4
    assert ours.r == pytest.approx(theirs.statistic)


def test_too_few_or_constant_series_say_why():
    assert pearson([1, 2], [3, 4]).r is None
    assert pearson([1, 2, 3, 4], [5, 5, 5, 5]).note == "One of the series does not change."
    three = pearson([1, 2, 3], [1, 3, 2])
    assert three.r is not None and three.low is None and "at least 4" in three.note
    with pytest.raises(ValueError):
        pearson([1, 2], [1])
