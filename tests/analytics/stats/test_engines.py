"""Behaviour of the engines that gbstats cannot vouch for: formulas on raw data, edge cases, vectorisation."""

import numpy as np
import pytest

from learnloop.analytics.stats import (
    CovariateSums,
    VariantAggregates,
    analyze_metric,
    compare,
    confidence_sequence,
    cuped_moments,
    cuped_theta,
    gaussian_posterior,
    mean_moments,
    ratio_moments,
    welch_test,
)

rng = np.random.default_rng(11)


def raw_sums(values: np.ndarray) -> tuple[int, float, float]:
    return values.size, float(values.sum()), float((values**2).sum())


def test_moments_equal_numpy_on_raw_data():
    values = rng.lognormal(2, 1, 5000)
    moments = mean_moments(*raw_sums(values))
    assert moments.mean == pytest.approx(values.mean())
    assert moments.variance == pytest.approx(values.var(ddof=1))


def test_ratio_variance_is_the_delta_method_linearisation_on_raw_data():
    orders = rng.poisson(3, 4000) + 1
    revenue = orders * rng.gamma(2, 20, 4000)
    moments = ratio_moments(
        orders.size, revenue.sum(), (revenue**2).sum(), orders.sum(), (orders**2).sum(), (revenue * orders).sum()
    )
    ratio = revenue.sum() / orders.sum()
    # The linearised per-unit contribution (x − R·y)/ȳ has exactly the delta-method variance.
    linearised = (revenue - ratio * orders) / orders.mean()
    assert moments.mean == pytest.approx(ratio)
    assert moments.variance == pytest.approx(linearised.var(ddof=1), rel=1e-9)


def test_cuped_equals_adjusting_each_unit_by_the_pooled_slope_and_narrows_the_interval():
    pre_a, pre_b = rng.normal(50, 10, 3000), rng.normal(50, 10, 3000)
    post_a = 0.8 * pre_a + rng.normal(10, 4, 3000)
    post_b = 0.8 * pre_b + rng.normal(11, 4, 3000)

    def sums(post, pre):
        return CovariateSums(post.size, post.sum(), (post**2).sum(), pre.sum(), (pre**2).sum(), (post * pre).sum())

    a, b = sums(post_a, pre_a), sums(post_b, pre_b)
    theta = cuped_theta(a, b)
    post, pre = np.concatenate([post_a, post_b]), np.concatenate([pre_a, pre_b])
    assert theta == pytest.approx(np.cov(post, pre)[0, 1] / pre.var(ddof=1))
    adjusted_a = cuped_moments(a, theta)
    assert adjusted_a.variance == pytest.approx((post_a - theta * pre_a).var(ddof=1))
    assert adjusted_a.unadjusted_mean == pytest.approx(post_a.mean())

    plain = welch_test(compare(mean_moments(*raw_sums(post_a)), mean_moments(*raw_sums(post_b)), relative=False))
    cuped = welch_test(compare(adjusted_a, cuped_moments(b, theta), relative=False))
    assert (cuped.ci_high - cuped.ci_low) < 0.5 * (plain.ci_high - plain.ci_low)
    assert cuped.ci_low < 1.0 < cuped.ci_high  # the true lift is 1


def test_sequential_interval_is_wider_than_welch_and_its_p_value_larger():
    n = rng.integers(100, 100_000, 300)
    a = mean_moments(n, n * 10.0, n * (100.0 + 25.0))
    b = mean_moments(n, n * 10.2, n * (10.2**2 + 25.0))
    comparison = compare(a, b, relative=True)
    fixed, always_valid = welch_test(comparison), confidence_sequence(comparison)
    assert np.all(always_valid.ci_high - always_valid.ci_low > fixed.ci_high - fixed.ci_low)
    assert np.all(always_valid.p_value >= fixed.p_value)
    assert np.all((always_valid.p_value < 0.05) == ((always_valid.ci_low > 0) | (always_valid.ci_high < 0)))


def test_ten_thousand_comparisons_in_one_call_equal_one_at_a_time():
    n_a, n_b = rng.integers(2, 10**6, 10_000), rng.integers(2, 10**6, 10_000)
    mean_a, mean_b = rng.uniform(1, 5, 10_000), rng.uniform(1, 5, 10_000)
    a = mean_moments(n_a, n_a * mean_a, n_a * (mean_a**2 + 4))
    b = mean_moments(n_b, n_b * mean_b, n_b * (mean_b**2 + 4))
    together = welch_test(compare(a, b, relative=True))
    for index in rng.integers(0, 10_000, 20):
        alone = welch_test(
            compare(
                mean_moments(n_a[index], n_a[index] * mean_a[index], n_a[index] * (mean_a[index] ** 2 + 4)),
                mean_moments(n_b[index], n_b[index] * mean_b[index], n_b[index] * (mean_b[index] ** 2 + 4)),
                relative=True,
            )
        )
        assert together.p_value[index] == pytest.approx(float(alone.p_value))
        assert together.ci_low[index] == pytest.approx(float(alone.ci_low))


def test_every_variation_is_compared_with_the_first_and_srm_uses_the_weights():
    variants = [
        VariantAggregates("control", 20_000, 1_000, weight=0.5),
        VariantAggregates("red button", 10_000, 600, weight=0.25),
        VariantAggregates("green button", 10_000, 480, weight=0.25),
    ]
    analysis = analyze_metric(variants, metric_type="binomial", difference="absolute")
    assert [result.variation for result in analysis.results] == ["red button", "green button"]
    red, green = analysis.results
    assert red.effect == pytest.approx(0.06 - 0.05) and red.p_value < 0.001
    assert green.effect == pytest.approx(0.048 - 0.05) and green.p_value > 0.3
    assert analysis.srm_p_value == pytest.approx(1.0)
    unweighted = analyze_metric([VariantAggregates(v.variation, v.users, v.sum) for v in variants],
                                metric_type="binomial")
    assert unweighted.srm_p_value < 1e-6


def test_bayesian_lower_is_better_flips_chance_to_win_and_loss():
    variants = [VariantAggregates("a", 5000, 5000 * 3.0, 5000 * 13.0), VariantAggregates("b", 5000, 5000 * 3.1,
                                                                                            5000 * 13.61)]
    higher = analyze_metric(variants, engine="bayesian").results[0]
    lower = analyze_metric(variants, engine="bayesian", lower_is_better=True).results[0]
    assert lower.chance_to_win == pytest.approx(1 - higher.chance_to_win)
    assert higher.expected_loss < lower.expected_loss


def test_degenerate_comparisons_are_flagged_not_turned_into_nan():
    analysis = analyze_metric(
        [VariantAggregates("a", 500, 0), VariantAggregates("b", 500, 12)], metric_type="binomial", difference="relative"
    )
    result = analysis.results[0]
    assert result.error and "control mean is zero" in result.error
    assert (result.effect, result.ci_low, result.ci_high, result.p_value) == (0.0, 0.0, 0.0, 1.0)


@pytest.mark.parametrize(
    ("variants", "options", "message"),
    [
        ([VariantAggregates("a", 10, 5, 5)], {}, "at least one other"),
        ([VariantAggregates("a", 10, 5, 5), VariantAggregates("b", 10, 5, 5)], {"engine": "magic"}, "Unknown engine"),
        ([VariantAggregates("a", 10, 5, 5), VariantAggregates("b", 10, 5, 5)], {"alpha": 1.0}, "alpha"),
        (
            [VariantAggregates("a", 10, 5, 5, covariate_sum=3, covariate_sum_squares=3, covariate_sum_product=2),
             VariantAggregates("b", 10, 5, 5)],
            {},
            "covariate",
        ),
    ],
)
def test_bad_requests_raise_clear_errors(variants, options, message):
    with pytest.raises(ValueError, match=message):
        analyze_metric(variants, **options)


def test_a_zero_control_mean_is_refused_for_relative_effects_in_vectorised_calls_too():
    control = mean_moments([1000, 1000], [0, 50], [400, 400])  # values centred on zero: a real spread
    treatment = mean_moments([1000, 1000], [5, 60], [400, 400])
    relative = compare(control, treatment, relative=True)
    assert list(relative.valid) == [False, True]
    assert "control mean is zero" in relative.problem[0]
    assert compare(control, treatment, relative=False).valid.all()
    assert not compare(control, treatment, relative=False, refuse_zero_control_mean=True).valid[0]
    for result in (welch_test(relative), confidence_sequence(relative), gaussian_posterior(relative)):
        assert np.all(np.isfinite(result.ci_low)) and result.ci_low[0] == result.ci_high[0] == 0.0
