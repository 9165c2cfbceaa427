"""Survey psychometrics, checked against R's psych package (see docs/psychometrics.md).

Answers are respondents × items arrays with NaN for an unanswered item. Modules:
scoring (reverse keying, scale scores and the missing-data rule), matrices (pairwise
covariance and correlation), reliability (alpha, Feldt interval, item statistics),
factor (minres factor analysis), schmid_leiman (the general factor),
omega (omega total), agreement (rwg(j), ICC(1), ICC(2)),
answers_file (CSV input) and report (everything for one scale, as the CLI prints it).
"""

from learnloop.analytics.psychometrics.agreement import (
    IntraclassCorrelations,
    intraclass_correlations,
    rwg_j,
    uniform_null_variance,
)
from learnloop.analytics.psychometrics.factor import FactorSolution, minres
from learnloop.analytics.psychometrics.matrices import (
    covariance_to_correlation,
    pairwise_correlation,
    pairwise_covariance,
)
from learnloop.analytics.psychometrics.omega import omega_total
from learnloop.analytics.psychometrics.reliability import (
    ItemStatistics,
    cronbach_alpha,
    feldt_interval,
    item_statistics,
)
from learnloop.analytics.psychometrics.report import ReliabilityReport, reliability_report
from learnloop.analytics.psychometrics.scoring import (
    MIN_ANSWERED_SHARE,
    LikertScale,
    minimum_answered,
    reverse_keyed,
    scale_scores,
)

__all__ = [
    "MIN_ANSWERED_SHARE",
    "FactorSolution",
    "IntraclassCorrelations",
    "ItemStatistics",
    "LikertScale",
    "ReliabilityReport",
    "covariance_to_correlation",
    "cronbach_alpha",
    "feldt_interval",
    "intraclass_correlations",
    "item_statistics",
    "minimum_answered",
    "minres",
    "omega_total",
    "pairwise_correlation",
    "pairwise_covariance",
    "reliability_report",
    "reverse_keyed",
    "rwg_j",
    "scale_scores",
    "uniform_null_variance",
]
