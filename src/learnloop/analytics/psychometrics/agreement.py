"""Whether team members agree enough, and teams differ enough, to report a team-level score.

rwg(j) (James, Demaree & Wolf 1984) compares the spread of a group's answers with the spread
expected if everyone answered at random. For J items, mean within-group item variance s̄²
(sample variances, n − 1) and the null variance σ²_E:

    rwg(j) = J (1 − s̄²/σ²_E) / (J (1 − s̄²/σ²_E) + s̄²/σ²_E)

With a uniform null on A answer options σ²_E = (A² − 1) / 12 (2 for a 1–5 scale). As in
multilevel::rwg.j, a group's respondents who skipped any item are left out, s̄² is capped at
σ²_E (so rwg(j) is 0 rather than negative or above 1 when a group disagrees more than chance),
and a group with fewer than two complete respondents has no rwg(j).

ICC(1) and ICC(2) (Bliese 2000) come from a one-way ANOVA of the scale score on group, over
respondents with a score, with mean squares MSB (between, G − 1 df) and MSW (within, N − G
df) and the average group size k = N / G, as psych::statsBy and multilevel::ICC1 compute them:

    ICC(1) = (MSB − MSW) / (MSB + (k − 1) MSW)     how much of a person's score is the team's
    ICC(2) = (MSB − MSW) / MSB                     how reliable a team's mean score is
"""

import math
from dataclasses import dataclass

import numpy as np


def uniform_null_variance(options: int) -> float:
    """Variance of answers picked uniformly at random from `options` equally spaced options."""
    if options < 2:
        raise ValueError("A uniform null distribution needs at least two answer options.")
    return (options**2 - 1) / 12.0


def rwg_j(answers: np.ndarray, null_variance: float) -> float:
    """rwg(j) of one group's answers (respondents × items); NaN with fewer than two complete respondents."""
    answers = np.asarray(answers, dtype=float)
    complete = answers[~np.isnan(answers).any(axis=1)]
    if complete.shape[0] < 2:
        return float("nan")
    n_items = complete.shape[1]
    ratio = min(float(complete.var(axis=0, ddof=1).mean()), null_variance) / null_variance
    return float(n_items * (1.0 - ratio) / (n_items * (1.0 - ratio) + ratio))


@dataclass(frozen=True)
class IntraclassCorrelations:
    icc1: float
    icc2: float
    groups: int
    respondents: int
    ms_between: float
    ms_within: float


def intraclass_correlations(scores: np.ndarray, groups: np.ndarray) -> IntraclassCorrelations:
    """ICC(1) and ICC(2) of `scores` grouped by `groups` (any hashable labels); missing scores are left out."""
    scores = np.asarray(scores, dtype=float)
    groups = np.asarray(groups)
    keep = ~np.isnan(scores)
    scores, groups = scores[keep], groups[keep]
    labels, codes = np.unique(groups, return_inverse=True)
    n_groups, n_total = len(labels), len(scores)
    if n_groups < 2 or n_total <= n_groups:
        raise ValueError("ICCs need at least two groups and more respondents than groups.")
    sizes = np.bincount(codes, minlength=n_groups)
    means = np.bincount(codes, weights=scores, minlength=n_groups) / sizes
    grand_mean = scores.mean()
    ms_between = float((sizes * (means - grand_mean) ** 2).sum() / (n_groups - 1))
    ms_within = float(((scores - means[codes]) ** 2).sum() / (n_total - n_groups))
    average_size = n_total / n_groups
    icc1_denominator = ms_between + (average_size - 1.0) * ms_within
    return IntraclassCorrelations(
        # Everyone scoring the same leaves both undefined; identical team means leave ICC(2) so.
        icc1=(ms_between - ms_within) / icc1_denominator if icc1_denominator > 0 else math.nan,
        icc2=(ms_between - ms_within) / ms_between if ms_between > 0 else math.nan,
        groups=n_groups,
        respondents=n_total,
        ms_between=ms_between,
        ms_within=ms_within,
    )
