"""Turning item answers into scale scores.

Answers are a respondents × items float array with NaN for an unanswered item.

Reverse keying maps an answer x on a MIN–MAX scale to MIN + MAX − x, so 1 ↔ 5 on a 1–5
scale. It uses the scale's declared range, not the range seen in the data (psych::alpha uses
the observed minimum and maximum; the two agree whenever someone used each end of the scale,
and reliability statistics do not depend on it at all because covariances only change sign).

Missing data rule for scale scores: a respondent's score is the mean of the items they
answered, provided they answered at least `MIN_ANSWERED_SHARE` (half) of the scale's items;
otherwise the score is missing. Averaging the answered items (rather than summing) keeps
scores on the answer scale and comparable between people who skipped an item and people who
did not; the floor stops a score resting on one or two answers of a long scale.
"""

import math
from dataclasses import dataclass

import numpy as np

MIN_ANSWERED_SHARE = 0.5


@dataclass(frozen=True)
class LikertScale:
    """The answer range of a scale's items, e.g. 1–5."""

    minimum: float
    maximum: float

    def __post_init__(self):
        if not self.maximum > self.minimum:
            raise ValueError(f"A scale's maximum must be above its minimum (got {self.minimum}–{self.maximum}).")

    @property
    def options(self) -> int:
        """How many answer options an integer scale offers (5 for 1–5)."""
        return round(self.maximum - self.minimum) + 1

    def reverse(self, answers: np.ndarray) -> np.ndarray:
        return self.minimum + self.maximum - answers


def reverse_keyed(answers: np.ndarray, scale: LikertScale, reverse: list[bool] | np.ndarray) -> np.ndarray:
    """A copy of `answers` with the columns marked in `reverse` mapped to MIN + MAX − x."""
    keyed = np.array(answers, dtype=float, copy=True)
    columns = np.asarray(reverse, dtype=bool)
    keyed[:, columns] = scale.reverse(keyed[:, columns])
    return keyed


def minimum_answered(n_items: int, share: float = MIN_ANSWERED_SHARE) -> int:
    """Fewest answered items that still give a score: at least one, at least `share` of the items."""
    return max(1, math.ceil(share * n_items - 1e-9))


def scale_scores(answers: np.ndarray, *, min_share: float = MIN_ANSWERED_SHARE) -> np.ndarray:
    """Mean of the answered items per respondent; NaN where fewer than `min_share` of the items were answered.

    `answers` must already be reverse keyed (see `reverse_keyed`).
    """
    answers = np.asarray(answers, dtype=float)
    answered = (~np.isnan(answers)).sum(axis=1)
    totals = np.nansum(answers, axis=1)
    scores = np.full(answers.shape[0], np.nan)
    enough = answered >= minimum_answered(answers.shape[1], min_share)
    scores[enough] = totals[enough] / answered[enough]
    return scores
