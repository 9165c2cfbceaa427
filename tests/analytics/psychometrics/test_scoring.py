import numpy as np
import pytest

from learnloop.analytics.psychometrics.scoring import LikertScale, minimum_answered, reverse_keyed, scale_scores

NAN = np.nan


def test_reverse_keying_mirrors_answers_on_the_declared_scale():
    answers = np.array([[1.0, 1.0], [5.0, 2.0], [NAN, 4.0]])

    keyed = reverse_keyed(answers, LikertScale(1, 5), [True, False])

    assert keyed[:, 0].tolist()[:2] == [5.0, 1.0]
    assert np.isnan(keyed[2, 0])
    assert keyed[:, 1].tolist() == [1.0, 2.0, 4.0]
    assert answers[0, 0] == 1.0  # the caller's array is left alone


def test_a_score_is_the_mean_of_answered_items_when_at_least_half_were_answered():
    answers = np.array([
        [4.0, 2.0, 3.0, 5.0],  # all answered
        [4.0, NAN, 2.0, NAN],  # half answered: mean of the two
        [4.0, NAN, NAN, NAN],  # a quarter answered: no score
        [NAN, NAN, NAN, NAN],
    ])

    scores = scale_scores(answers)

    assert scores[:2].tolist() == [3.5, 3.0]
    assert np.isnan(scores[2:]).all()


@pytest.mark.parametrize(("items", "needed"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (7, 4)])
def test_half_the_items_rounded_up_must_be_answered(items, needed):
    assert minimum_answered(items) == needed


def test_a_scale_needs_its_maximum_above_its_minimum():
    with pytest.raises(ValueError, match="maximum"):
        LikertScale(5, 1)
    assert LikertScale(1, 7).options == 7
