import numpy as np

from learnloop.analytics.psychometrics.matrices import (
    covariance_to_correlation,
    pairwise_correlation,
    pairwise_covariance,
)


def _answers_with_gaps(rng, respondents=300, items=5, missing=0.1):
    answers = rng.integers(1, 6, size=(respondents, items)).astype(float)
    answers += rng.integers(0, 2, size=(respondents, 1))  # shared part so items correlate
    answers[rng.random(answers.shape) < missing] = np.nan
    return answers


def test_complete_data_gives_the_ordinary_covariance_and_correlation():
    answers = _answers_with_gaps(np.random.default_rng(1), missing=0.0)

    assert np.allclose(pairwise_covariance(answers), np.cov(answers, rowvar=False), atol=1e-12)
    assert np.allclose(pairwise_correlation(answers), np.corrcoef(answers, rowvar=False), atol=1e-12)


def test_each_pair_uses_exactly_the_respondents_who_answered_both():
    answers = _answers_with_gaps(np.random.default_rng(2))
    covariance = pairwise_covariance(answers)
    correlation = pairwise_correlation(answers)

    for i in range(answers.shape[1]):
        for j in range(answers.shape[1]):
            both = ~np.isnan(answers[:, i]) & ~np.isnan(answers[:, j])
            pair = answers[both][:, [i, j]]
            assert np.isclose(covariance[i, j], np.cov(pair, rowvar=False)[0, 1], atol=1e-12)
            assert np.isclose(correlation[i, j], np.corrcoef(pair, rowvar=False)[0, 1], atol=1e-12)


def test_covariance_to_correlation_rescales_to_unit_diagonal():
    answers = _answers_with_gaps(np.random.default_rng(3), missing=0.0)

    assert np.allclose(covariance_to_correlation(np.cov(answers, rowvar=False)), np.corrcoef(answers, rowvar=False))
