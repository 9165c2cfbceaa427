"""Runs inside the gbstats peer venv (see gbstats_peer.py), never in Learnloop's environment.

Reads {"cases": [...]} on stdin, analyses each case with gbstats 0.8.0's own classes and writes
{"results": [...], "seconds": ...} on stdout; `seconds` is the time spent in gbstats alone
(building its statistics and computing results), for the benchmark.
"""

import json
import sys
import time

from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior
from gbstats.frequentist.tests import (
    FrequentistConfig,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import (
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
)
from gbstats.utils import check_srm


def base_statistic(users, total, sum_squares, binomial):
    if binomial:
        return ProportionStatistic(n=users, sum=total)
    return SampleMeanStatistic(n=users, sum=total, sum_squares=sum_squares)


def statistic(case, variant):
    metric = case["metric"]
    users = int(variant["users"])
    if metric == "ratio":
        return RatioStatistic(
            n=users,
            m_statistic=base_statistic(users, variant["sum"], variant["sum_squares"], False),
            d_statistic=base_statistic(
                users, variant["denominator_sum"], variant["denominator_sum_squares"], False
            ),
            m_d_sum_of_products=variant["denominator_sum_product"],
        )
    post = base_statistic(users, variant["sum"], variant.get("sum_squares"), metric == "binomial")
    if not case.get("cuped"):
        return post
    pre_squares = variant.get("covariate_sum_squares")
    return RegressionAdjustedStatistic(
        n=users,
        post_statistic=post,
        pre_statistic=base_statistic(users, variant["covariate_sum"], pre_squares, pre_squares is None),
        post_pre_sum_of_products=variant["covariate_sum_product"],
        theta=0,
    )


def configured_test(case):
    stat_a, stat_b = statistic(case, case["control"]), statistic(case, case["treatment"])
    engine, alpha, difference = case["engine"], case.get("alpha", 0.05), case["difference"]
    if engine == "sequential":
        config = SequentialConfig(
            difference_type=difference, alpha=alpha, sequential_tuning_parameter=case.get("tuning", 5000)
        )
        return SequentialTwoSidedTTest(stat_a, stat_b, config)
    if engine == "frequentist":
        return TwoSidedTTest(stat_a, stat_b, FrequentistConfig(difference_type=difference, alpha=alpha))
    prior = case.get("prior")
    gaussian = (
        GaussianPrior(mean=prior["mean"], variance=prior["stddev"] ** 2, proper=True) if prior else GaussianPrior()
    )
    config = EffectBayesianConfig(
        difference_type=difference,
        alpha=alpha,
        inverse=case.get("lower_is_better", False),
        prior_effect=gaussian,
        prior_type="relative",
    )
    return EffectBayesianABTest(stat_a, stat_b, config)


def analyze(case):
    if "srm" in case:
        return {"srm_p_value": float(check_srm(case["srm"]["users"], case["srm"]["weights"]))}
    result = configured_test(case).compute_result()
    out = {
        "effect": float(result.expected),
        "ci_low": float(result.ci[0]),
        "ci_high": float(result.ci[1]),
        "error": result.error_message,
    }
    if hasattr(result, "p_value"):
        out["p_value"] = float(result.p_value)
    else:
        out["chance_to_win"] = float(result.chance_to_win)
        out["control_risk"], out["expected_loss"] = (float(value) for value in result.risk)
    return out


def main():
    cases = json.load(sys.stdin)["cases"]
    started = time.perf_counter()
    results = [analyze(case) for case in cases]
    seconds = time.perf_counter() - started
    json.dump({"results": results, "seconds": seconds}, sys.stdout)


if __name__ == "__main__":
    main()
