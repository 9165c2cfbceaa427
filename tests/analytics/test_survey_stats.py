import math

from learnloop.analytics import survey_stats as stats
from learnloop.analytics.psychometrics import LikertScale

SCALE = LikertScale(1, 5)
SAFETY = stats.DimensionSpec("safety", "Safety", "fear_of_failure", (("a", False), ("b", True)))
TIME = stats.DimensionSpec("time", "Time", "time_and_resources", (("c", False),))


def test_dimension_scores_reverse_key_and_give_an_interval():
    answers = [{"a": 5, "b": 1, "c": 2}, {"a": 3, "b": 3, "c": 2}, {"a": 4, "b": 2, "c": 5}]
    safety, time = stats.dimension_scores(answers, [SAFETY, TIME], SCALE)
    # b is reverse keyed: 1 -> 5, 3 -> 3, 2 -> 4; scores 5, 3, 4.
    assert safety.mean == 4.0 and safety.n == 3
    assert safety.low < 4.0 < safety.high
    assert math.isclose(safety.high - safety.mean, 4.302652729911275 * 1.0 / math.sqrt(3))
    assert time.mean == 3.0


def test_net_promoter_counts_promoters_minus_detractors():
    answers = [{"nps": 10}, {"nps": 9}, {"nps": 7}, {"nps": 3}]
    assert stats.net_promoter(answers, "nps") == 25.0


def test_drivers_rank_the_dimension_that_moves_with_the_outcome_first():
    answers = [{"a": level, "b": 6 - level, "c": 3 + (level % 2), "nps": 2 * level} for level in (1, 2, 3, 4, 5)]
    drivers = stats.drivers(answers, [SAFETY, TIME], SCALE, "nps")
    assert drivers[0].key == "safety" and math.isclose(drivers[0].r, 1.0)


def test_barrier_scores_average_their_dimensions():
    scores = [stats.DimensionScore("safety", "Safety", 2.0, 1.5, 2.5, 5),
              stats.DimensionScore("time", "Time", 4.0, 3.5, 4.5, 5)]
    assert stats.barrier_scores(scores, [SAFETY, TIME]) == {"fear_of_failure": 2.0, "time_and_resources": 4.0}
    assert stats.weak(scores[0], SCALE) and not stats.weak(scores[1], SCALE)
