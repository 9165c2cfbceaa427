"""Survey psychometrics, checked against R's psych package (see docs/psychometrics.md).

Answers are respondents × items arrays with NaN for an unanswered item. Modules:
scoring (reverse keying, scale scores and the missing-data rule), matrices (pairwise
covariance and correlation), reliability (alpha, Feldt interval, item statistics),
factor (minres factor analysis), schmid_leiman (the general factor),
omega (omega total), agreement (rwg(j), ICC(1), ICC(2)),
answers_file (CSV input) and report (everything for one scale, as the CLI prints it).
"""

# The submodules load on first use (PEP 562), so importing one light piece of the package,
# or the package in a command that never computes, doesn't load numpy and scipy.
from learnloop.analytics.lazy_exports import lazy_exports

_HOMES = {
    "FactorSolution": "learnloop.analytics.psychometrics.factor",
    "IntraclassCorrelations": "learnloop.analytics.psychometrics.agreement",
    "ItemStatistics": "learnloop.analytics.psychometrics.reliability",
    "LikertScale": "learnloop.analytics.psychometrics.scoring",
    "MIN_ANSWERED_SHARE": "learnloop.analytics.psychometrics.scoring",
    "ReliabilityReport": "learnloop.analytics.psychometrics.report",
    "covariance_to_correlation": "learnloop.analytics.psychometrics.matrices",
    "cronbach_alpha": "learnloop.analytics.psychometrics.reliability",
    "feldt_interval": "learnloop.analytics.psychometrics.reliability",
    "intraclass_correlations": "learnloop.analytics.psychometrics.agreement",
    "item_statistics": "learnloop.analytics.psychometrics.reliability",
    "minimum_answered": "learnloop.analytics.psychometrics.scoring",
    "minres": "learnloop.analytics.psychometrics.factor",
    "omega_total": "learnloop.analytics.psychometrics.omega",
    "pairwise_correlation": "learnloop.analytics.psychometrics.matrices",
    "pairwise_covariance": "learnloop.analytics.psychometrics.matrices",
    "reliability_report": "learnloop.analytics.psychometrics.report",
    "reverse_keyed": "learnloop.analytics.psychometrics.scoring",
    "rwg_j": "learnloop.analytics.psychometrics.agreement",
    "scale_scores": "learnloop.analytics.psychometrics.scoring",
    "uniform_null_variance": "learnloop.analytics.psychometrics.agreement",
}

__all__ = sorted(_HOMES)


__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())
