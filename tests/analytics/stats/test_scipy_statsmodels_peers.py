"""The engines against scipy and statsmodels on seeded, generated inputs."""

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize

from learnloop.analytics.stats import (
    benjamini_hochberg,
    compare,
    holm,
    mde_binomial,
    mde_mean,
    mean_moments,
    power_binomial,
    power_mean,
    sample_size_binomial,
    sample_size_mean,
    srm_p_value,
    welch_test,
)

rng = np.random.default_rng(7)


def random_mean_arms(count: int):
    n_a, n_b = rng.integers(2, 200_000, count), rng.integers(2, 200_000, count)
    mean_a = rng.normal(10, 5, count)
    mean_b = mean_a + rng.normal(0, 0.5, count)
    sd_a, sd_b = rng.uniform(0.1, 30, count), rng.uniform(0.1, 30, count)

    def sums(n, mean, sd):
        total = n * mean
        return total, sd**2 * (n - 1) + total**2 / n

    return (n_a, mean_a, sd_a, *sums(n_a, mean_a, sd_a)), (n_b, mean_b, sd_b, *sums(n_b, mean_b, sd_b))


def test_welch_matches_scipy_unequal_variance_t_test_on_500_comparisons():
    (n_a, mean_a, sd_a, sum_a, ss_a), (n_b, mean_b, sd_b, sum_b, ss_b) = random_mean_arms(500)
    comparison = compare(mean_moments(n_a, sum_a, ss_a), mean_moments(n_b, sum_b, ss_b), relative=False)
    result = welch_test(comparison, alpha=0.05)
    expected = stats.ttest_ind_from_stats(mean_b, sd_b, n_b, mean_a, sd_a, n_a, equal_var=False)
    np.testing.assert_allclose(result.effect, mean_b - mean_a, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(result.p_value, expected.pvalue, rtol=1e-6, atol=1e-12)
    standard_error = np.sqrt(sd_a**2 / n_a + sd_b**2 / n_b)
    np.testing.assert_allclose(result.effect / result.standard_error, expected.statistic, rtol=1e-6)
    dof = standard_error**4 / ((sd_a**2 / n_a) ** 2 / (n_a - 1) + (sd_b**2 / n_b) ** 2 / (n_b - 1))
    half_width = stats.t.ppf(0.975, dof) * standard_error
    np.testing.assert_allclose(result.ci_high - result.ci_low, 2 * half_width, rtol=1e-6)


def test_welch_interval_excludes_zero_exactly_when_p_is_below_alpha():
    (n_a, _, _, sum_a, ss_a), (n_b, _, _, sum_b, ss_b) = random_mean_arms(500)
    result = welch_test(compare(mean_moments(n_a, sum_a, ss_a), mean_moments(n_b, sum_b, ss_b), relative=False),
                        alpha=0.1)
    excludes_zero = (result.ci_low > 0) | (result.ci_high < 0)
    assert np.array_equal(excludes_zero, result.p_value < 0.1)
    assert 0 < excludes_zero.sum() < 500


def test_srm_matches_scipy_chisquare():
    for _ in range(200):
        variations = int(rng.integers(2, 6))
        weights = rng.dirichlet(np.ones(variations))
        users = rng.multinomial(int(rng.integers(10, 1_000_000)), weights)
        expected = weights * users.sum()
        expected_p = stats.chisquare(users, expected).pvalue
        assert srm_p_value(users, weights) == pytest.approx(expected_p, rel=1e-9, abs=1e-300)


def test_srm_flags_a_broken_split_and_accepts_a_fair_one():
    assert srm_p_value([50_000, 48_500]) < 0.001
    assert srm_p_value([50_000, 49_900]) > 0.5
    assert srm_p_value([30_000, 70_000], [0.3, 0.7]) == pytest.approx(1.0)


@pytest.mark.parametrize(("ours", "method"), [(holm, "holm"), (benjamini_hochberg, "fdr_bh")])
def test_adjusted_p_values_match_statsmodels(ours, method):
    for size in (1, 2, 5, 40, 1000):
        # Mix of real effects (tiny p) and nulls, with ties.
        p_values = np.concatenate([rng.uniform(0, 1, size), rng.uniform(0, 1e-4, size // 3)])
        p_values[: size // 4] = p_values[0]
        np.testing.assert_allclose(ours(p_values), multipletests(p_values, method=method)[1], rtol=1e-12)


def test_corrections_keep_order_and_never_lower_a_p_value():
    p_values = rng.uniform(0, 0.2, 50)
    for adjusted in (holm(p_values), benjamini_hochberg(p_values)):
        assert np.all(adjusted >= p_values)
        order = np.argsort(p_values)
        assert np.all(np.diff(adjusted[order]) >= -1e-15)
    assert np.all(holm(p_values) >= benjamini_hochberg(p_values))


def test_mean_power_sample_size_and_mde_match_statsmodels_t_test_power():
    solver = TTestIndPower()
    for _ in range(25):
        # Powers well inside (0, 1): statsmodels' noncentral t returns NaN when power is all but 1.
        stddev = rng.uniform(1, 20)
        effect = stddev * rng.uniform(0.02, 0.4)
        n = float(rng.integers(10, min(2000, 20 / (effect / stddev) ** 2)))  # noncentrality stays below ~4.5
        ratio = float(rng.choice([0.5, 1.0, 2.0]))
        alpha = float(rng.choice([0.01, 0.05]))
        expected_power = solver.power(effect / stddev, nobs1=n, alpha=alpha, ratio=ratio)
        assert power_mean(effect, stddev, n, alpha=alpha, ratio=ratio) == pytest.approx(expected_power, rel=1e-7)
        needed = solver.solve_power(effect / stddev, power=0.8, alpha=alpha, ratio=ratio)
        assert needed <= sample_size_mean(effect, stddev, power=0.8, alpha=alpha, ratio=ratio) < needed + 1
        detectable = mde_mean(stddev, n, power=0.8, alpha=alpha, ratio=ratio)
        assert solver.power(detectable / stddev, nobs1=n, alpha=alpha, ratio=ratio) == pytest.approx(0.8, abs=1e-9)
        # statsmodels' own root finder stops earlier than ours (and may return the mirror-image negative
        # root of the two-sided test): agree to its precision.
        theirs = abs(float(np.ravel(solver.solve_power(nobs1=n, power=0.8, alpha=alpha, ratio=ratio))[0]))
        assert detectable / stddev == pytest.approx(theirs, rel=1e-4)


def test_binomial_power_sample_size_and_mde_match_statsmodels_normal_power():
    solver = NormalIndPower()
    for _ in range(25):
        p_control = rng.uniform(0.01, 0.6)
        p_treatment = p_control * rng.uniform(1.02, 1.5)
        n, alpha = float(rng.integers(100, 100_000)), float(rng.choice([0.01, 0.05]))
        effect_size = proportion_effectsize(p_treatment, p_control)
        assert power_binomial(p_control, p_treatment, n, alpha=alpha) == pytest.approx(
            solver.power(effect_size, nobs1=n, alpha=alpha, ratio=1.0), rel=1e-9
        )
        needed = solver.solve_power(effect_size, power=0.9, alpha=alpha, ratio=1.0)
        assert needed <= sample_size_binomial(p_control, p_treatment, power=0.9, alpha=alpha) < needed + 1
        lift = mde_binomial(p_control, n, power=0.8, alpha=alpha)
        assert power_binomial(p_control, p_control + lift, n, alpha=alpha) == pytest.approx(0.8, abs=1e-6)


def test_power_functions_reject_impossible_plans():
    with pytest.raises(ValueError, match="alpha"):
        power_mean(1, 1, 100, alpha=1.5)
    with pytest.raises(ValueError):
        sample_size_mean(0, 1)
    with pytest.raises(ValueError):
        mde_binomial(0.5, 3, power=0.999999)
