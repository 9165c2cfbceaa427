"""Experiment statistics from per-variant sufficient statistics (no Django; numpy and scipy only).

Build per-variant `Moments` (moments.py), compare a variant with control (comparison.py), then run
an engine: Welch t-test (frequentist.py), Gaussian-prior Bayesian (bayesian.py) or always-valid
confidence sequences (sequential.py). Also the SRM check (srm.py), Holm and Benjamini–Hochberg
adjusted p-values (correction.py) and power / sample size / MDE (power.py). `analyze_metric`
(analysis.py) does all of it for one metric of one experiment. Methods and the differences from
GrowthBook's gbstats are in docs/experiments.md.
"""

from learnloop.analytics.stats.analysis import MetricAnalysis, VariantAggregates, VariationResult, analyze_metric
from learnloop.analytics.stats.bayesian import GaussianPrior, gaussian_posterior
from learnloop.analytics.stats.comparison import Comparison, compare
from learnloop.analytics.stats.correction import benjamini_hochberg, holm
from learnloop.analytics.stats.frequentist import welch_test
from learnloop.analytics.stats.moments import (
    CovariateSums,
    Moments,
    binomial_moments,
    cuped_moments,
    cuped_theta,
    mean_moments,
    ratio_moments,
)
from learnloop.analytics.stats.power import (
    mde_binomial,
    mde_mean,
    power_binomial,
    power_mean,
    sample_size_binomial,
    sample_size_mean,
)
from learnloop.analytics.stats.sequential import confidence_sequence
from learnloop.analytics.stats.srm import srm_p_value

__all__ = [
    "Comparison",
    "CovariateSums",
    "GaussianPrior",
    "MetricAnalysis",
    "Moments",
    "VariantAggregates",
    "VariationResult",
    "analyze_metric",
    "benjamini_hochberg",
    "binomial_moments",
    "compare",
    "confidence_sequence",
    "cuped_moments",
    "cuped_theta",
    "gaussian_posterior",
    "holm",
    "mde_binomial",
    "mde_mean",
    "mean_moments",
    "power_binomial",
    "power_mean",
    "ratio_moments",
    "sample_size_binomial",
    "sample_size_mean",
    "srm_p_value",
    "welch_test",
]
