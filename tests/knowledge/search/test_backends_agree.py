"""Both backends rank with the same formula (BM25 over the same weighted terms and the same
one-byte lengths), so they must list the same first ten entries in the same order. Runs on
PostgreSQL, where both backends are available: the embedded index is built beside the
PostgreSQL one from the same entries."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.knowledge.models import Entry
from learnloop.knowledge.search import SearchFilters
from learnloop.knowledge.search.base import Scope
from learnloop.knowledge.search.embedded import EmbeddedBackend
from learnloop.knowledge.search.postgres import PostgresBackend
from learnloop.knowledge.search.query import query_slots
from tests import factories
from tests.knowledge.search.conftest import only

pytestmark = pytest.mark.django_db

AGREEMENT = 0.95
SYLLABLES = ("ka", "lo", "mi", "ter", "von", "sa", "rel", "qu", "bi", "dor", "nex", "pul", "gra", "fen")


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    found: dict[str, None] = {}
    while len(found) < size:
        found["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return list(found)


def _corpus(rng: random.Random, vocabulary: list[str], count: int) -> list[tuple[str, str]]:
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf-like: a few common words
    entries = []
    for _ in range(count):
        title = " ".join(rng.choices(vocabulary, weights, k=rng.randint(2, 6)))
        # From a line to a few pages, so lengths beyond the one-byte scale's exact range occur.
        length = int(rng.choice((8, 30, 90, 400, 1500)) * rng.uniform(0.5, 1.5))
        entries.append((title, " ".join(rng.choices(vocabulary, weights, k=length))))
    return entries


@only("postgres")
def test_embedded_and_postgres_list_the_same_first_ten(search_backend):
    rng = random.Random(23)
    vocabulary = _vocabulary(rng, 600)
    author = factories.person(full_name="Ana Author")
    now = timezone.now()
    Entry.objects.bulk_create(
        Entry(kind="lesson", title=title, body=body, author=author, owner_person=author, visibility="everyone",
              review_due_at=now + timedelta(days=90), last_verified_at=now)
        for title, body in _corpus(rng, vocabulary, 400)
    )
    embedded, postgres = EmbeddedBackend(), PostgresBackend()
    assert embedded.rebuild() == postgres.rebuild() == 400
    scope = Scope(viewer_id=author.pk, team_ids=frozenset(), filters=SearchFilters(), now=now)
    queries = [" ".join(rng.sample(vocabulary[20:300], rng.randint(1, 4))) for _ in range(80)]
    same, compared = 0, 0
    for query in queries:
        slots, _ = query_slots(postgres, query, False)
        assert slots == query_slots(embedded, query, False)[0]
        first = [match.entry_id for match in embedded.window(scope, slots, limit=10)]
        second = [match.entry_id for match in postgres.window(scope, slots, limit=10)]
        if first or second:
            compared += 1
            same += first == second
    assert compared >= 70
    assert same / compared >= AGREEMENT, f"the same first ten for {same} of {compared} queries"
