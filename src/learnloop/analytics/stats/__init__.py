"""Experiment statistics from per-variant sufficient statistics (no Django; numpy and scipy only).

Build per-variant `Moments` (moments.py), compare a variant with control (comparison.py), then run
an engine: Welch t-test (frequentist.py), Gaussian-prior Bayesian (bayesian.py) or always-valid
confidence sequences (sequential.py). Also the SRM check (srm.py), Holm and Benjamini–Hochberg
adjusted p-values (correction.py), power / sample size / MDE (power.py), and the designs of process
experiments: difference in differences, interrupted time series, log-ratio relative intervals
(process.py). `analyze_metric` (analysis.py) does all of it for one metric of one experiment.
Methods and the differences from GrowthBook's gbstats are in docs/experiments.md.
"""

# The submodules load on first use (PEP 562), so importing one light piece of the package,
# or the package in a command that never computes, doesn't load numpy and scipy.
from learnloop.analytics.lazy_exports import lazy_exports

_HOMES = {
    "Cell": "learnloop.analytics.stats.process",
    "Comparison": "learnloop.analytics.stats.comparison",
    "CovariateSums": "learnloop.analytics.stats.moments",
    "GaussianPrior": "learnloop.analytics.stats.bayesian",
    "MetricAnalysis": "learnloop.analytics.stats.analysis",
    "Moments": "learnloop.analytics.stats.moments",
    "VariantAggregates": "learnloop.analytics.stats.analysis",
    "VariationResult": "learnloop.analytics.stats.analysis",
    "analyze_metric": "learnloop.analytics.stats.analysis",
    "benjamini_hochberg": "learnloop.analytics.stats.correction",
    "binomial_moments": "learnloop.analytics.stats.moments",
    "compare": "learnloop.analytics.stats.comparison",
    "compare_log_ratio": "learnloop.analytics.stats.comparison",
    "difference_in_differences": "learnloop.analytics.stats.process",
    "confidence_sequence": "learnloop.analytics.stats.sequential",
    "cuped_moments": "learnloop.analytics.stats.moments",
    "cuped_theta": "learnloop.analytics.stats.moments",
    "gaussian_posterior": "learnloop.analytics.stats.bayesian",
    "holm": "learnloop.analytics.stats.correction",
    "interrupted_time_series": "learnloop.analytics.stats.process",
    "mde_binomial": "learnloop.analytics.stats.power",
    "mde_mean": "learnloop.analytics.stats.power",
    "mean_moments": "learnloop.analytics.stats.moments",
    "power_binomial": "learnloop.analytics.stats.power",
    "power_mean": "learnloop.analytics.stats.power",
    "ratio_moments": "learnloop.analytics.stats.moments",
    "relative_ratio": "learnloop.analytics.stats.process",
    "sample_size_binomial": "learnloop.analytics.stats.power",
    "sample_size_mean": "learnloop.analytics.stats.power",
    "srm_p_value": "learnloop.analytics.stats.srm",
    "welch_test": "learnloop.analytics.stats.frequentist",
}

__all__ = sorted(_HOMES)


__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())
