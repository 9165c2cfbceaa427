import numpy as np
import pytest

from learnloop.analytics.psychometrics.reliability import cronbach_alpha, feldt_interval, item_statistics


def _congeneric(rng, respondents=500, loadings=(0.8, 0.7, 0.6, 0.5, 0.4)):
    trait = rng.normal(size=(respondents, 1))
    return trait * np.array(loadings) + rng.normal(size=(respondents, len(loadings)))


def _alpha_from_total_variance(answers):
    k = answers.shape[1]
    return k / (k - 1) * (1 - answers.var(axis=0, ddof=1).sum() / answers.sum(axis=1).var(ddof=1))


def test_alpha_is_one_minus_item_variance_over_total_variance():
    answers = _congeneric(np.random.default_rng(4))

    assert cronbach_alpha(np.cov(answers, rowvar=False)) == pytest.approx(_alpha_from_total_variance(answers))


def test_identical_items_are_perfectly_consistent_and_unrelated_items_not_at_all():
    rng = np.random.default_rng(5)
    one = rng.normal(size=(200, 1))
    assert cronbach_alpha(np.cov(np.hstack([one, one, one]), rowvar=False)) == pytest.approx(1.0)
    assert cronbach_alpha(np.eye(4)) == pytest.approx(0.0)


def test_item_statistics_agree_with_dropping_the_item_from_the_data():
    answers = _congeneric(np.random.default_rng(6))
    statistics = item_statistics(np.cov(answers, rowvar=False))

    for item, stats in enumerate(statistics):
        rest = np.delete(answers, item, axis=1)
        assert stats.alpha_if_deleted == pytest.approx(_alpha_from_total_variance(rest))
        assert stats.item_total_r == pytest.approx(np.corrcoef(answers[:, item], rest.sum(axis=1))[0, 1])
    # The weakest item is the one whose removal helps alpha most.
    assert max(range(5), key=lambda item: statistics[item].alpha_if_deleted) == 4


def test_two_items_have_no_alpha_if_deleted():
    statistics = item_statistics(np.array([[1.0, 0.5], [0.5, 1.0]]))
    assert all(np.isnan(stats.alpha_if_deleted) for stats in statistics)


def test_feldt_interval_surrounds_alpha_and_narrows_with_more_respondents():
    small = feldt_interval(0.8, 50, 6)
    large = feldt_interval(0.8, 5000, 6)

    assert small[0] < large[0] < 0.8 < large[1] < small[1]
    assert large[1] - large[0] < (small[1] - small[0]) / 5


def test_alpha_needs_two_items():
    with pytest.raises(ValueError, match="two items"):
        cronbach_alpha(np.array([[1.0]]))
