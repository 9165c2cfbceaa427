"""Process experiments in the registry: figures per period analysed by their design (difference in
differences with control teams, an interrupted time series without), checked against statsmodels."""

from datetime import timedelta

import numpy as np
import pytest
import statsmodels.api as sm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from scipy import special

from learnloop.experiments import decisions, periods, services
from learnloop.experiments.models import PeriodFigure
from tests.conftest import signed_in_client
from tests.experiments.conftest import binomial_rows, enter, register

JSON = "application/json"
BASE = "/api/v1/experiments"
WEEKS_BEFORE = 6


def _start_day():
    return timezone.localdate() - timedelta(days=7 * 5)


def _weeks(count_before=WEEKS_BEFORE, count_after=5):
    start = _start_day()
    return [start + timedelta(days=7 * week) for week in range(-count_before, count_after)]


def _process(owner, team, design, **fields):
    variants = ["Control teams", "Trial teams"] if design == "control_teams" else ["Before", "After"]
    experiment = register(owner, team, kind="process", design=design, variants=variants, guardrails=[],
                          title="Pairing on production changes", change="pairing on every production change",
                          effect="fewer rollbacks", success_metric="lead time",
                          primary_metric={"name": "lead time", "metric_type": "mean", "lower_is_better": True},
                          **fields)
    return services.start_experiment(by=owner, experiment=experiment, on=_start_day())


def _unit_values(rng, weeks, groups, shift):
    """Per (week, group), the values of the people measured: the trial teams drop by `shift` after."""
    data = {}
    for index, week in enumerate(weeks):
        for position, group in enumerate(groups):
            after = week >= _start_day()
            level = 10 + 0.1 * index + (1.5 if position == 0 else 0) - (shift if after and position == 1 else 0)
            data[(week, group)] = rng.normal(level, 2.0, int(rng.integers(6, 15)))
    return data


def _rows(data):
    return [{"period": week, "group": group, "units": len(values), "sum": float(values.sum()),
             "sum_squares": float((values**2).sum())} for (week, group), values in data.items()]


def test_control_teams_are_analysed_by_difference_in_differences_as_statsmodels_does(owner, team):
    experiment = _process(owner, team, "control_teams")
    rng = np.random.default_rng(7)
    data = _unit_values(rng, _weeks(), ["Control teams", "Trial teams"], shift=2.0)
    metric = experiment.metrics.get()
    periods.record_period_figures(by=owner, experiment=experiment, metric=metric,
                                  rows=periods.period_rows(_rows(data), "mean"))

    result = periods.analyse(experiment)[0]

    values, after, trial = [], [], []
    for (week, group), unit_values in data.items():
        values.extend(unit_values)
        after.extend([float(week >= _start_day())] * len(unit_values))
        trial.extend([float(group == "Trial teams")] * len(unit_values))
    after, trial = np.array(after), np.array(trial)
    design = np.column_stack([np.ones_like(after), after, trial, after * trial])
    fit = sm.OLS(np.array(values), design).fit(cov_type="HC2")
    assert result.method == "difference_in_differences"
    assert result.effect == pytest.approx(fit.params[3], rel=1e-9)
    critical = special.stdtrit(result.details["degrees_of_freedom"], 0.975)
    assert result.ci_high == pytest.approx(fit.params[3] + critical * fit.bse[3], rel=1e-9)
    assert result.verdict == "better"  # lead time fell, and lower is better
    assert result.relative_low > -1
    assert "difference in differences" in result.reading
    assert decisions.current_recommendation(experiment).decision == "ship"
    page = signed_in_client(owner).get(f"/experiments/{experiment.pk}/results/").content.decode()
    assert "Method: Difference in differences" in page
    assert "against the control teams" in page


def test_before_after_is_an_interrupted_time_series_on_the_pre_period_trend_as_statsmodels_does(owner, team):
    experiment = _process(owner, team, "before_after")
    weeks = _weeks(8, 5)
    rng = np.random.default_rng(11)
    start_index = weeks.index(_start_day())
    series = [20 + 0.3 * t - (4 + 0.5 * (t - start_index) if t >= start_index else 0) + rng.normal(0, 0.8)
              for t in range(len(weeks))]
    csv = "period,value\n" + "\n".join(f"{week},{value}" for week, value in zip(weeks, series, strict=True))
    client = signed_in_client(owner)
    metric = experiment.metrics.get()
    response = client.post(f"/experiments/{experiment.pk}/periods/", {"metric": metric.pk, "figures": csv})
    assert response.status_code == 302

    result = periods.analyse(experiment)[0]

    t = np.arange(len(weeks), dtype=float)
    after = (t >= start_index).astype(float)
    design = np.column_stack([np.ones_like(t), t, after, (t - start_index) * after])
    lags = periods_lags = result.details["newey_west_lags"]
    fit = sm.OLS(np.array(series), design).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True},
                                               use_t=True)
    gradient = np.array([0, 0, 1, t[-1] - start_index])
    assert periods_lags == int(np.floor(4 * (len(weeks) / 100) ** (2 / 9)))
    assert result.method == "interrupted_time_series"
    assert result.effect == pytest.approx(gradient @ fit.params, rel=1e-9)
    assert result.details["level_change"] == pytest.approx(fit.params[2], rel=1e-9)
    se = float(np.sqrt(gradient @ fit.cov_params() @ gradient))
    assert result.ci_low == pytest.approx(gradient @ fit.params - special.stdtrit(len(t) - 4, 0.975) * se, rel=1e-9)
    page = client.get(f"/experiments/{experiment.pk}/results/").content.decode()
    assert "Method: Interrupted time series" in page
    assert "against the pre-period trend" in page


def test_a_process_design_takes_no_snapshot_and_a_split_takes_no_periods(owner, team, running):
    experiment = _process(owner, team, "control_teams")
    with pytest.raises(ValidationError) as error:
        services.record_snapshot(by=owner, experiment=experiment, metric=experiment.metrics.get(),
                                 taken_on=timezone.localdate(), aggregates=[])
    assert "design" in error.value.message_dict
    with pytest.raises(ValidationError):
        periods.record_period_figures(by=owner, experiment=running, metric=running.metrics.first(),
                                      rows=periods.period_rows([{"period": "2026-01-05", "value": 3}], "mean"))


def test_period_figures_through_the_api_and_their_errors_name_the_field(api_as, owner, team, outsider):
    experiment = _process(owner, team, "control_teams")
    metric = experiment.metrics.get()
    url = f"{BASE}/{experiment.pk}/periods"
    rows = _rows(_unit_values(np.random.default_rng(3), _weeks(), ["Control teams", "Trial teams"], shift=1.0))
    rows = [{**row, "period": row["period"].isoformat()} for row in rows]
    client = api_as(owner)
    created = client.post(url, {"metric_id": metric.pk, "rows": rows}, content_type=JSON)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["method"] == "difference_in_differences"
    assert body["process_results"][0]["verdict"] in {"better", "inconclusive"}
    assert PeriodFigure.objects.filter(experiment=experiment).count() == len(rows)

    unknown = client.post(url, {"metric_id": metric.pk, "rows": [{**rows[0], "group": "Nobody"}]}, content_type=JSON)
    assert unknown.status_code == 400
    assert "rows" in unknown.json()["errors"]
    missing = client.post(f"{url}/csv", {"metric_id": metric.pk, "csv": "period,group,units\n2026-01-05,Trial teams,"},
                          content_type=JSON)
    assert missing.status_code == 400
    assert "file" in missing.json()["errors"]
    forbidden = api_as(outsider).post(url, {"metric_id": metric.pk, "rows": rows[:1]}, content_type=JSON)
    assert forbidden.status_code == 403
    assert PeriodFigure.objects.filter(experiment=experiment).count() == len(rows)


def test_an_outsider_cannot_enter_period_figures(owner, team, outsider):
    experiment = _process(owner, team, "before_after")
    with pytest.raises(PermissionDenied):
        periods.record_period_figures(by=outsider, experiment=experiment, metric=experiment.metrics.get(),
                                      rows=periods.period_rows([{"period": "2026-01-05", "value": 3}], "mean"))


def test_holm_correction_adjusts_every_metric_and_variant_together(owner, team):
    from statsmodels.stats.multitest import multipletests

    from learnloop.experiments.analysis import analyse

    experiment = register(owner, team, correction="holm")
    experiment = services.start_experiment(by=owner, experiment=experiment,
                                           on=timezone.localdate() - timedelta(days=14))
    enter(owner, experiment, "checkout conversion", binomial_rows((10000, 1000), (10000, 1090)))
    enter(owner, experiment, "refund rate", binomial_rows((10000, 200), (10000, 240)))
    latest = analyse(experiment)[-1]
    variants = [v for m in latest.metrics for v in m.variants]
    expected = multipletests([v.p_value for v in variants], method="holm")[1]
    assert [v.p_value_adjusted for v in variants] == pytest.approx(list(expected))
    assert all("after correction" in v.reading for v in variants)


def test_cuped_columns_in_an_upload_adjust_the_analysis(owner, team, running):
    from learnloop.analytics.stats import VariantAggregates, analyze_metric
    from learnloop.experiments.analysis import analyse

    rows = [
        {"variation": "Control", "users": 5000, "sum": 600, "covariate_sum": 550, "covariate_sum_product": 400},
        {"variation": "One page", "users": 5000, "sum": 690, "covariate_sum": 560, "covariate_sum_product": 450},
    ]
    metric = running.metrics.get(name="checkout conversion")
    services.record_snapshot(by=owner, experiment=running, metric=metric, taken_on=timezone.localdate(),
                             aggregates=services.aggregates_from_rows(rows, "binomial"))
    result = analyse(running)[-1].primary
    direct = analyze_metric([VariantAggregates(**row, weight=1.0) for row in rows], metric_type="binomial",
                            log_scale=True)
    assert result.cuped and direct.cuped
    assert result.variants[0].ci_low == pytest.approx(direct.results[0].ci_low)
    plain = analyze_metric([VariantAggregates(variation=r["variation"], users=r["users"], sum=r["sum"]) for r in rows],
                           metric_type="binomial", log_scale=True)
    width = result.variants[0].ci_high - result.variants[0].ci_low
    assert width < plain.results[0].ci_high - plain.results[0].ci_low


def test_power_planning_matches_statsmodels(api_as, owner, experiment):
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    response = api_as(owner).get(f"{BASE}/{experiment.pk}/power?baseline=0.1&lift=0.1&power=0.8&sample=20000")
    assert response.status_code == 200, response.json()
    body = response.json()
    effect = proportion_effectsize(0.11, 0.1)
    expected = NormalIndPower().solve_power(effect_size=effect, alpha=0.05, power=0.8, ratio=1.0)
    assert body["sample_per_variant"] == int(np.ceil(expected))
    assert NormalIndPower().power(proportion_effectsize(0.1 + body["mde_absolute"], 0.1), nobs1=20000,
                                  alpha=0.05) == pytest.approx(0.8, abs=1e-6)
    bad = api_as(owner).get(f"{BASE}/{experiment.pk}/power?baseline=1.5&lift=0.1")
    assert bad.status_code == 400
    assert "baseline" in bad.json()["errors"]
    page = signed_in_client(owner).get(f"/experiments/{experiment.pk}/power/?baseline=0.1&lift=10&power=0.8",
                                       HTTP_HX_REQUEST="true")
    assert f"{body['sample_per_variant']} units per variant" in page.content.decode()


def test_the_correction_is_part_of_the_protocol_in_the_api(api_as, owner, team):
    payload = {
        "title": "Free shipping banner", "team_id": team.pk, "change": "a free-shipping banner",
        "effect": "more orders",
        "population": "first-time visitors", "success_metric": "order conversion", "expected_delta": "+1.5%",
        "variants": [{"name": "Control"}, {"name": "Banner"}], "correction": "benjamini_hochberg",
        "primary_metric": {"name": "order conversion", "metric_type": "binomial"},
    }
    client = api_as(owner)
    created = client.post(BASE, payload, content_type=JSON)
    assert created.status_code == 201, created.json()
    assert created.json()["correction"] == "benjamini_hochberg"
    url = f"{BASE}/{created.json()['id']}"
    client.post(f"{url}/start")
    changed = client.patch(f"{url}/protocol", {"correction": "holm", "reason": "Two guardrails added"},
                           content_type=JSON)
    assert changed.json()["deviations"][0]["field"] == "correction"
    bad = client.post(BASE, {**payload, "correction": "bonferroni"}, content_type=JSON)
    assert 400 <= bad.status_code < 500
    assert "correction" in str(bad.json())
