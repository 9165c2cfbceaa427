"""Our engines against GrowthBook's gbstats 0.8.0 on hundreds of seeded, generated comparisons.

One driver subprocess analyses every case; each test then compares one family number by number.
"""

import numpy as np
import pytest

from learnloop.analytics.stats import GaussianPrior, VariantAggregates, analyze_metric, srm_p_value
from tests.analytics.stats.cases import generated_cases, srm_case

pytestmark = pytest.mark.gbstats

SEED = 20260524
COMPARISONS = 900
SRM_CASES = 150


def variant(name: str, values: dict) -> VariantAggregates:
    return VariantAggregates(variation=name, **values)


def ours(case: dict):
    prior = case.get("prior")
    analysis = analyze_metric(
        [variant("control", case["control"]), variant("treatment", case["treatment"])],
        metric_type=case["metric"],
        engine=case["engine"],
        difference=case["difference"],
        alpha=case["alpha"],
        sequential_tuning=case.get("tuning", 5000.0),
        prior=GaussianPrior(prior["mean"], prior["stddev"]) if prior else None,
        lower_is_better=case.get("lower_is_better", False),
    )
    return analysis.results[0]


@pytest.fixture(scope="module")
def paired(gbstats):
    rng = np.random.default_rng(SEED + 1)
    cases = generated_cases(SEED, COMPARISONS)
    for index, case in enumerate(cases):
        case["index"] = index
    srm = [srm_case(rng) for _ in range(SRM_CASES)]
    theirs = gbstats(cases + srm)["results"]
    return {
        "comparisons": [(case, ours(case), peer) for case, peer in zip(cases, theirs[:COMPARISONS], strict=True)],
        "srm": list(zip(srm, theirs[COMPARISONS:], strict=True)),
    }


def mismatches(pairs, fields, *, rtol=1e-6, atol=1e-10):
    bad = []
    for case, mine, peer in pairs:
        for field in fields:
            expected, actual = peer[field], getattr(mine, field)
            if not np.isclose(actual, expected, rtol=rtol, atol=atol):
                bad.append(f"case {case['index']} {case['metric']}{' cuped' if case['cuped'] else ''} "
                           f"{case['engine']} {case['difference']}: {field} ours={actual!r} gbstats={expected!r}")
    return bad


def select(paired, *, engine, metric=None, cuped=None):
    return [
        item
        for item in paired["comparisons"]
        if item[0]["engine"] == engine
        and (metric is None or item[0]["metric"] == metric)
        and (cuped is None or item[0]["cuped"] == cuped)
    ]


@pytest.mark.parametrize(
    ("metric", "cuped"), [("mean", False), ("binomial", False), ("ratio", False), ("mean", True), ("binomial", True)]
)
def test_welch_effects_intervals_and_p_values_match_gbstats(paired, metric, cuped):
    pairs = select(paired, engine="frequentist", metric=metric, cuped=cuped)
    assert len(pairs) >= 50
    assert mismatches(pairs, ["effect", "ci_low", "ci_high", "p_value"]) == []


@pytest.mark.parametrize("metric", ["mean", "binomial", "ratio"])
def test_sequential_confidence_sequences_match_gbstats(paired, metric):
    pairs = select(paired, engine="sequential", metric=metric)
    assert len(pairs) >= 50
    assert mismatches(pairs, ["effect", "ci_low", "ci_high", "p_value"]) == []


@pytest.mark.parametrize("metric", ["mean", "binomial", "ratio"])
def test_bayesian_chance_to_win_loss_and_credible_interval_match_gbstats(paired, metric):
    pairs = select(paired, engine="bayesian", metric=metric)
    assert len(pairs) >= 50
    assert any("prior" in case for case, _, _ in pairs), "some cases must use a proper prior"
    assert mismatches(pairs, ["effect", "ci_low", "ci_high", "chance_to_win"]) == []
    # gbstats integrates the loss through scipy's truncated normal; far in the tails its rounding
    # differs from our closed form by more than float precision, but never by a meaningful amount.
    assert mismatches(pairs, ["expected_loss"], rtol=1e-5, atol=1e-9) == []


def test_cases_cover_the_hard_corners(paired):
    cases = [case for case, _, _ in paired["comparisons"]]
    sizes = [case["control"]["users"] for case in cases]
    assert min(sizes) <= 3 and max(sizes) >= 10_000_000
    assert any(mine.error for _, mine, _ in paired["comparisons"]), "degenerate inputs (zero variance) included"
    assert sum(mine.p_value is not None and mine.p_value < 0.01 for _, mine, _ in paired["comparisons"]) >= 20


def test_placeholder_results_for_degenerate_inputs_agree_with_gbstats(paired):
    degenerate = [(case, mine, peer) for case, mine, peer in paired["comparisons"] if peer["error"]]
    assert degenerate
    for case, mine, _ in degenerate:
        assert mine.error, f"gbstats refused a case we analysed: {case}"
        assert (mine.ci_low, mine.ci_high) == (0.0, 0.0)


def test_srm_p_values_match_gbstats(paired):
    for case, peer in paired["srm"]:
        ours_p = srm_p_value(case["srm"]["users"], case["srm"]["weights"])
        assert ours_p == pytest.approx(peer["srm_p_value"], rel=1e-9, abs=1e-15), case
