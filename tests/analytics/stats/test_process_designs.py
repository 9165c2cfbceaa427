"""Process-experiment designs against statsmodels: difference in differences and interrupted time series,
and relative intervals on the log-ratio scale against their formula."""

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import special

from learnloop.analytics.stats.process import (
    NEEDS_POSITIVE_MEANS,
    Cell,
    difference_in_differences,
    interrupted_time_series,
    newey_west_lags,
    relative_ratio,
)


def _cell(values) -> Cell:
    values = np.asarray(values, dtype=float)
    return Cell.from_sums(len(values), values.sum(), (values**2).sum())


@pytest.mark.parametrize("seed", range(6))
def test_difference_in_differences_is_the_interaction_of_the_saturated_regression_with_hc2(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(5, 400, 4)
    means, spreads = rng.normal(10, 3, 4), rng.uniform(0.5, 6, 4)
    groups = [rng.normal(mean, spread, size) for mean, spread, size in zip(means, spreads, sizes, strict=True)]
    # cells: control before, control after, trial before, trial after
    after = np.concatenate([np.full(len(g), flag) for g, flag in zip(groups, (0, 1, 0, 1), strict=True)])
    trial = np.concatenate([np.full(len(g), flag) for g, flag in zip(groups, (0, 0, 1, 1), strict=True)])
    design = np.column_stack([np.ones_like(after), after, trial, after * trial]).astype(float)
    fit = sm.OLS(np.concatenate(groups), design).fit(cov_type="HC2")

    result = difference_in_differences(control_before=_cell(groups[0]), control_after=_cell(groups[1]),
                                       trial_before=_cell(groups[2]), trial_after=_cell(groups[3]))

    assert result.absolute.effect == pytest.approx(fit.params[3], rel=1e-9, abs=1e-9)
    assert result.absolute.standard_error == pytest.approx(fit.bse[3], rel=1e-9)
    critical = special.stdtrit(result.absolute.degrees_of_freedom, 0.975)
    assert result.absolute.ci_low == pytest.approx(fit.params[3] - critical * fit.bse[3], rel=1e-9, abs=1e-9)
    assert min(len(g) for g in groups) - 1 <= result.absolute.degrees_of_freedom <= sum(sizes) - 4


def test_difference_in_differences_removes_what_moved_for_everyone():
    # Everyone improved by 2 over the quarter; the trial teams by 5: the change is worth 3, not 5.
    rng = np.random.default_rng(3)
    control_before, trial_before = rng.normal(10, 1, 300), rng.normal(12, 1, 300)
    control_after = control_before + 2 + rng.normal(0, 0.1, 300)
    trial_after = trial_before + 5 + rng.normal(0, 0.1, 300)
    result = difference_in_differences(control_before=_cell(control_before), control_after=_cell(control_after),
                                       trial_before=_cell(trial_before), trial_after=_cell(trial_after))
    assert result.absolute.effect == pytest.approx(3, abs=0.05)
    assert result.trial_change == pytest.approx(5, abs=0.05)
    assert result.counterfactual == pytest.approx(trial_before.mean() + 2, abs=0.05)
    assert result.absolute.ci_low < 3 < result.absolute.ci_high


def test_relative_difference_in_differences_is_a_ratio_of_ratios_on_the_log_scale():
    cells = [Cell(50, 4.0, 1.0), Cell(60, 5.0, 1.5), Cell(40, 3.0, 0.8), Cell(45, 6.0, 2.0)]
    result = difference_in_differences(control_before=cells[0], control_after=cells[1],
                                       trial_before=cells[2], trial_after=cells[3])
    log_effect = math.log(6.0 / 3.0) - math.log(5.0 / 4.0)
    se = math.sqrt(sum(c.variance / (c.n * c.mean**2) for c in cells))
    dof = se**4 / sum((c.variance / (c.n * c.mean**2)) ** 2 / (c.n - 1) for c in cells)
    critical = special.stdtrit(dof, 0.975)
    assert result.relative.effect == pytest.approx(math.expm1(log_effect))
    assert result.relative.ci_low == pytest.approx(math.expm1(log_effect - critical * se))
    assert result.relative.ci_high == pytest.approx(math.expm1(log_effect + critical * se))


def test_relative_interval_of_a_rate_cannot_fall_below_minus_one_hundred_percent():
    # A rate that fell from 20 % to 4 % on small samples: the delta-method interval on the ratio itself
    # reaches below −100 %; the log-ratio interval cannot.
    control, treatment = Cell(30, 0.2, 0.2 * 0.8), Cell(25, 0.04, 0.04 * 0.96)
    delta_se = math.sqrt(treatment.variance / (control.mean**2 * treatment.n)
                         + control.variance * treatment.mean**2 / (control.mean**4 * control.n))
    assert (treatment.mean / control.mean - 1) - 1.96 * delta_se < -1  # the impossible interval
    result = relative_ratio(control, treatment)
    assert result.effect == pytest.approx(-0.8)
    assert -1 < result.ci_low < result.effect < result.ci_high
    se = math.sqrt(sum(cell.variance / (cell.n * cell.mean**2) for cell in (control, treatment)))
    assert result.standard_error == pytest.approx(se)


def test_relative_effects_need_positive_means():
    assert relative_ratio(Cell(10, 0.0, 0.0), Cell(10, 1.0, 1.0)).problem == NEEDS_POSITIVE_MEANS
    did = difference_in_differences(control_before=Cell(10, 1, 1), control_after=Cell(10, -1, 1),
                                    trial_before=Cell(10, 1, 1), trial_after=Cell(10, 2, 1))
    assert did.relative.problem == NEEDS_POSITIVE_MEANS and not did.absolute.problem


def test_too_few_units_are_refused_with_a_reason():
    result = difference_in_differences(control_before=Cell(1, 1, 0), control_after=Cell(10, 1, 1),
                                       trial_before=Cell(10, 1, 1), trial_after=Cell(10, 2, 1))
    assert result.absolute.problem and math.isnan(result.absolute.effect)


@pytest.mark.parametrize("seed", range(5))
def test_interrupted_time_series_matches_statsmodels_newey_west(seed):
    rng = np.random.default_rng(seed)
    periods = np.arange(24, dtype=float)
    start = 12.0
    after = (periods >= start).astype(float)
    noise = np.convolve(rng.normal(0, 1, 26), [1, 0.6, 0.3], mode="valid")  # autocorrelated
    values = 20 + 0.3 * periods - 4 * after - 0.2 * (periods - start) * after + noise[:24]
    lags = newey_west_lags(len(periods))
    design = np.column_stack([np.ones(24), periods, after, (periods - start) * after])
    fit = sm.OLS(values, design).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)

    result = interrupted_time_series(periods, values, start=start)

    assert result.lags == lags
    np.testing.assert_allclose(result.coefficients, fit.params, rtol=1e-9, atol=1e-9)
    assert result.level_change.standard_error == pytest.approx(fit.bse[2], rel=1e-9)
    assert result.slope_change.standard_error == pytest.approx(fit.bse[3], rel=1e-9)
    assert result.level_change.p_value == pytest.approx(fit.pvalues[2], rel=1e-7)
    end = fit.t_test(np.array([[0, 0, 1, periods.max() - start]]))
    assert result.effect_at_end.effect == pytest.approx(float(end.effect[0]), rel=1e-9)
    assert result.effect_at_end.standard_error == pytest.approx(float(end.sd[0, 0]), rel=1e-9)
    low, high = end.conf_int()[0]
    assert (result.effect_at_end.ci_low, result.effect_at_end.ci_high) == pytest.approx((low, high), rel=1e-9)


def test_interrupted_time_series_credits_the_change_only_with_the_break_in_trend():
    # A metric already rising 1 a period keeps rising: a naive before/after mean says +12, the series says 0.
    periods = np.arange(24, dtype=float)
    values = 50 + periods + np.random.default_rng(1).normal(0, 0.3, 24)
    result = interrupted_time_series(periods, values, start=12)
    naive = values[12:].mean() - values[:12].mean()
    assert naive == pytest.approx(12, abs=0.5)
    assert result.effect_at_end.ci_low < 0 < result.effect_at_end.ci_high
    assert abs(result.relative_at_end.effect) < 0.02 and result.relative_at_end.ci_low > -1


def test_interrupted_time_series_needs_enough_periods():
    result = interrupted_time_series([0, 1, 2, 3], [1, 2, 3, 4], start=2)
    assert "three periods before" in result.effect_at_end.problem
