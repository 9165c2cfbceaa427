"""Analysis in a second process (search index rebuilds): the child must index exactly the terms
the parent would, batch by batch in order, and a child that dies must fail loudly."""

import pytest

from learnloop.analytics import text
from learnloop.analytics.terms_worker import TermsWorker, WorkerFailed

WEIGHTS = {"title": 2, "tags": 1}
TEXTS = [
    ("Roll back in two steps", "First deploy code that works with both schemas.\nrollback", "databases\ndeploys"),
    ("Use `__dir__` and os.path.join", "CamelCase names, snake_case, C++ and .NET; the team's runbook.", ""),
    ("", "A body without a title: İstanbul office, naïve café, 東京 and emoji 🚀.", "unicode"),
    ("Only a title", "", ""),
    ("x" * 60 + " long word", "it's the team’s call", "ci"),
]


def test_the_child_gives_the_same_terms_as_this_process_batch_by_batch():
    worker = TermsWorker(WEIGHTS)
    try:
        worker.submit(TEXTS)
        worker.submit(TEXTS[::-1])
        worker.submit([])
        expected = [" ".join(text.weighted_terms(title, rest, tags, WEIGHTS)) for title, rest, tags in TEXTS]
        assert worker.result() == expected
        assert worker.result() == expected[::-1]
        assert worker.result() == []
    finally:
        worker.close()


def test_the_child_follows_this_process_analyzer_switches(monkeypatch):
    monkeypatch.setattr(text, "IDENTIFIERS", False)
    worker = TermsWorker(WEIGHTS)
    try:
        worker.submit(TEXTS[1:2])
        found = worker.result()
    finally:
        worker.close()
    assert found == [" ".join(text.weighted_terms(*TEXTS[1], WEIGHTS))]
    assert "__dir__" not in found[0].split()


def test_a_child_that_dies_fails_the_caller_instead_of_hanging():
    worker = TermsWorker(WEIGHTS)
    worker._process.kill()
    worker._process.wait()
    worker.submit(TEXTS)
    with pytest.raises(WorkerFailed, match="stopped"):
        worker.result()
    worker.close()


def test_weighted_terms_are_the_whole_text_with_title_and_tags_weighted():
    title, rest, tags = TEXTS[0]
    whole = text.analyze(f"{title}\n{rest}")
    terms = text.weighted_terms(title, rest, tags, {"title": 3, "tags": 2})
    assert sorted(terms) == sorted(whole + text.analyze(title) * 2 + text.analyze(tags))
