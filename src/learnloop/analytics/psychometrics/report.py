"""One scale's reliability report: everything `learnloop survey reliability` prints."""

import math
from dataclasses import dataclass, field

import numpy as np

from learnloop.analytics.psychometrics.agreement import (
    intraclass_correlations,
    rwg_j,
    uniform_null_variance,
)
from learnloop.analytics.psychometrics.defaults import OMEGA_FACTORS
from learnloop.analytics.psychometrics.matrices import pairwise_covariance_and_correlation
from learnloop.analytics.psychometrics.omega import omega_total
from learnloop.analytics.psychometrics.reliability import cronbach_alpha, feldt_interval, item_statistics
from learnloop.analytics.psychometrics.scoring import LikertScale, reverse_keyed, scale_scores


@dataclass(frozen=True)
class ItemReport:
    item: str
    reversed: bool
    n: int
    mean: float
    sd: float
    item_total_r: float
    alpha_if_deleted: float | None


@dataclass(frozen=True)
class GroupReport:
    group: str
    n: int  # respondents in the group with a scale score
    n_complete: int  # respondents who answered every item (the ones rwg(j) uses)
    mean: float | None
    rwg_j: float | None


@dataclass(frozen=True)
class GroupingReport:
    column: str
    null_variance: float
    icc1: float | None
    icc2: float | None
    rwg_j_mean: float | None
    groups: list[GroupReport] = field(default_factory=list)
    ungrouped: int = 0  # respondents whose group cell was empty


@dataclass(frozen=True)
class ReliabilityReport:
    n: int
    n_scored: int
    scale: LikertScale
    alpha: float
    alpha_ci: tuple[float, float]
    omega_total: float | None
    omega_factors: int | None
    omega_total_one_factor: float | None
    score_mean: float
    score_sd: float
    items: list[ItemReport]
    grouping: GroupingReport | None = None

    def as_dict(self) -> dict:
        result = {
            "n": self.n,
            "n_scored": self.n_scored,
            "scale": [self.scale.minimum, self.scale.maximum],
            "alpha": self.alpha,
            "alpha_ci": list(self.alpha_ci),
            "omega_total": self.omega_total,
            "omega_factors": self.omega_factors,
            "omega_total_one_factor": self.omega_total_one_factor,
            "score_mean": self.score_mean,
            "score_sd": self.score_sd,
            "items": [vars(item) for item in self.items],
        }
        if self.grouping is not None:
            grouping = self.grouping
            result.update(
                group_column=grouping.column,
                null_variance=grouping.null_variance,
                icc1=grouping.icc1,
                icc2=grouping.icc2,
                rwg_j_mean=grouping.rwg_j_mean,
                ungrouped=grouping.ungrouped,
                groups=[vars(group) for group in grouping.groups],
            )
        return _without_nan(result)


def _without_nan(value):
    """JSON has no NaN: undefined statistics become null."""
    if isinstance(value, dict):
        return {key: _without_nan(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nan(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def reliability_report(
    answers: np.ndarray,
    *,
    items: list[str],
    scale: LikertScale,
    reverse: list[str] = (),
    groups: list[str] | None = None,
    group_column: str = "group",
    omega_factors: int = OMEGA_FACTORS,
) -> ReliabilityReport:
    """Reliability of the scale made of `items` (columns of `answers`, NaN where unanswered).

    Raises ValueError with a reader-facing message when the data can't support the analysis.
    """
    answers = np.asarray(answers, dtype=float)
    unknown = [name for name in reverse if name not in items]
    if unknown:
        verb = "is" if len(unknown) == 1 else "are"
        raise ValueError(f"--reverse names {', '.join(unknown)}, which {verb} not in --items.")
    if len(items) < 2:
        raise ValueError("A reliability analysis needs at least two items.")
    answered = (~np.isnan(answers)).sum(axis=0)
    keyed = reverse_keyed(answers, scale, [name in reverse for name in items])
    with np.errstate(invalid="ignore"):
        spread = np.nanstd(keyed, axis=0)
    flat = [name for name, count, sd in zip(items, answered, spread, strict=True) if count < 2 or not sd > 0]
    if flat:
        raise ValueError(
            f"No variation to analyse in {', '.join(flat)}: "
            "every answer is the same, or fewer than two people answered."
        )
    covariance, correlation = pairwise_covariance_and_correlation(keyed)
    if np.isnan(covariance).any() or np.isnan(correlation).any():
        raise ValueError("Some pairs of items were never answered by the same two or more people; can't relate them.")

    alpha = cronbach_alpha(covariance)
    n_respondents = answers.shape[0]
    item_reports = [
        ItemReport(
            item=name,
            reversed=name in reverse,
            n=int(answered[column]),
            mean=float(np.nanmean(keyed[:, column])),
            sd=float(np.nanstd(keyed[:, column], ddof=1)),
            item_total_r=stats.item_total_r,
            alpha_if_deleted=_finite_or_none(stats.alpha_if_deleted),
        )
        for column, (name, stats) in enumerate(zip(items, item_statistics(covariance), strict=True))
    ]
    omega, factors, omega_one = None, None, None
    if len(items) >= 3:
        factors = min(omega_factors, len(items) - 1)
        omega = omega_total(correlation, factors)
        omega_one = omega_total(correlation, 1)

    scores = scale_scores(keyed)
    scored = scores[~np.isnan(scores)]
    grouping = None
    if groups is not None:
        grouping = _grouping(keyed, scores, groups, scale, group_column)
    return ReliabilityReport(
        n=n_respondents,
        n_scored=int(scored.size),
        scale=scale,
        alpha=alpha,
        alpha_ci=feldt_interval(alpha, n_respondents, len(items)),
        omega_total=omega,
        omega_factors=factors,
        omega_total_one_factor=omega_one,
        score_mean=float(scored.mean()) if scored.size else float("nan"),
        score_sd=float(scored.std(ddof=1)) if scored.size > 1 else float("nan"),
        items=item_reports,
        grouping=grouping,
    )


def _grouping(keyed, scores, groups, scale, column) -> GroupingReport:
    labels = np.asarray(groups, dtype=str)
    null_variance = uniform_null_variance(scale.options)
    grouped = labels != ""
    names, codes = np.unique(labels[grouped], return_inverse=True)
    # Rows of each group, found with one sort instead of one scan of all rows per group.
    rows = np.flatnonzero(grouped)[np.argsort(codes, kind="stable")]
    members_by_group = np.split(rows, np.cumsum(np.bincount(codes, minlength=len(names)))[:-1])
    reports = []
    for name, members in sorted(zip(names, members_by_group, strict=True), key=lambda pair: _natural_key(pair[0])):
        member_scores = scores[members]
        with_score = member_scores[~np.isnan(member_scores)]
        member_answers = keyed[members]
        reports.append(
            GroupReport(
                group=str(name),
                n=int(with_score.size),
                n_complete=int((~np.isnan(member_answers).any(axis=1)).sum()),
                mean=float(with_score.mean()) if with_score.size else None,
                rwg_j=_finite_or_none(rwg_j(member_answers, null_variance)),
            )
        )
    agreements = [report.rwg_j for report in reports if report.rwg_j is not None]
    icc1 = icc2 = None
    try:
        iccs = intraclass_correlations(scores[grouped], labels[grouped])
        icc1, icc2 = _finite_or_none(iccs.icc1), _finite_or_none(iccs.icc2)
    except ValueError:
        pass  # fewer than two groups, or one respondent per group: no ICCs to report
    return GroupingReport(
        column=column,
        null_variance=null_variance,
        icc1=icc1,
        icc2=icc2,
        rwg_j_mean=float(np.mean(agreements)) if agreements else None,
        groups=reports,
        ungrouped=int((~grouped).sum()),
    )


def _natural_key(label: str):
    """Numeric group labels in numeric order (2 before 10), others alphabetically after them."""
    try:
        return (0, float(label), "")
    except ValueError:
        return (1, 0.0, label)
