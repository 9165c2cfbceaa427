import numpy as np
import pytest
from scipy import stats

from learnloop.analytics.psychometrics.agreement import intraclass_correlations, rwg_j, uniform_null_variance

NAN = np.nan


def test_uniform_null_variance_is_that_of_a_random_answer():
    for options in (2, 5, 7):
        answers = np.arange(1, options + 1)
        assert uniform_null_variance(options) == pytest.approx(answers.var())


def test_a_team_that_answers_alike_agrees_fully():
    assert rwg_j(np.array([[4.0, 2.0, 5.0]] * 4), uniform_null_variance(5)) == 1.0


def test_rwg_j_from_the_mean_item_variance():
    # Both items have sample variance 0.5; against 2.0 that is a ratio of 0.25.
    answers = np.array([[3.0, 3.0], [4.0, 4.0]])
    assert rwg_j(answers, 2.0) == pytest.approx(2 * 0.75 / (2 * 0.75 + 0.25))


def test_more_disagreement_than_chance_counts_as_none_and_incomplete_answers_are_left_out():
    split = np.array([[1.0, 1.0], [5.0, 5.0], [1.0, 1.0], [5.0, 5.0], [3.0, NAN]])
    assert rwg_j(split, uniform_null_variance(5)) == 0.0
    assert np.isnan(rwg_j(np.array([[1.0, 2.0], [NAN, 3.0]]), 2.0))


def test_icc2_follows_the_anova_f_ratio_and_icc1_uses_the_average_group_size():
    rng = np.random.default_rng(7)
    sizes = [3, 5, 8, 4, 6, 10]
    team_effects = rng.normal(scale=0.6, size=len(sizes))
    scores = np.concatenate([effect + rng.normal(size=size) for effect, size in zip(team_effects, sizes, strict=True)])
    groups = np.repeat([f"team {index}" for index in range(len(sizes))], sizes)

    result = intraclass_correlations(scores, groups)

    f_ratio = stats.f_oneway(*(scores[groups == label] for label in np.unique(groups))).statistic
    average_size = len(scores) / len(sizes)
    assert result.ms_between / result.ms_within == pytest.approx(f_ratio)
    assert result.icc2 == pytest.approx(1 - 1 / f_ratio)
    assert result.icc1 == pytest.approx((f_ratio - 1) / (f_ratio + average_size - 1))


def test_missing_scores_are_left_out_and_one_group_has_no_icc():
    scores = np.array([1.0, 2.0, NAN, 4.0, 5.0])
    result = intraclass_correlations(scores, np.array(["a", "a", "a", "b", "b"]))
    assert result.respondents == 4
    with pytest.raises(ValueError, match="two groups"):
        intraclass_correlations(scores, np.array(["a"] * 5))


def test_iccs_are_undefined_rather_than_an_error_when_nobody_differs():
    same = intraclass_correlations(np.full(6, 3.0), np.array(["a", "a", "a", "b", "b", "b"]))
    assert np.isnan(same.icc1) and np.isnan(same.icc2)
    alike_teams = intraclass_correlations(np.array([1.0, 5.0, 1.0, 5.0]), np.array(["a", "a", "b", "b"]))
    assert np.isnan(alike_teams.icc2)
    assert alike_teams.icc1 < 0
