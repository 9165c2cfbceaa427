"""A batch of writes: work deferred to its end runs once, at the end, and not when it fails."""

import pytest

from learnloop.activity.batch import at_batch_end, batch_memo, gather_until_batch_end, writing_in_batch


def test_outside_a_batch_nothing_is_gathered_and_the_caller_acts_now():
    finished = []
    assert batch_memo() is None
    assert not gather_until_batch_end("ids", 1, finished.append)
    assert not at_batch_end("ids", lambda: finished.append("end"))
    assert finished == []


def test_gathered_items_reach_their_finisher_once_sorted_at_the_end():
    finished = []
    with writing_in_batch():
        for item in (3, 1, 3, 2):
            assert gather_until_batch_end("ids", item, finished.append)
        gather_until_batch_end("other", "x", finished.append)
        assert finished == []
    assert finished == [[1, 2, 3], ["x"]]
    assert batch_memo() is None


def test_work_added_by_a_finisher_runs_in_a_later_round():
    finished = []

    def first(items):
        finished.append(items)
        gather_until_batch_end("ids", 9, finished.append)  # the same key again, after its round

    with writing_in_batch():
        gather_until_batch_end("ids", 1, first)
    assert finished == [[1], [9]]


def test_a_batch_that_raises_runs_no_end_work():
    finished = []
    with pytest.raises(RuntimeError), writing_in_batch():
        gather_until_batch_end("ids", 1, finished.append)
        raise RuntimeError("refused")
    assert finished == [] and batch_memo() is None
