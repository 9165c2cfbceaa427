"""No N+1 on the workshop pages and API lists: the same number of queries at 1x and 10x the
workshops, sign-ups, attendees and feedback (as tests/web/test_query_counts.py does for the
other pages)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from learnloop.growth import workshops
from learnloop.growth.models import Workshop, WorkshopSignup
from learnloop.org.models import Organization
from tests import factories
from tests.growth.workshop_helpers import held, people, upcoming

SCALE = 10
PAGES = [
    ("upcoming workshops", "member", "/growth/workshops/"),
    ("past workshops", "member", "/growth/workshops/?when=past"),
    ("workshop", "member", "/growth/workshops/{upcoming_id}/"),
    ("hosts' page before", "host", "/growth/workshops/{upcoming_id}/host"),
    ("hosts' page after", "host", "/growth/workshops/{past_id}/host"),
    ("past workshop of an attendee", "member", "/growth/workshops/{past_id}/"),
    ("profile with workshop evidence", "member", "/growth/"),
    ("api workshops", "member", "/api/v1/growth/workshops?when=all"),
    ("api workshop", "member", "/api/v1/growth/workshops/{upcoming_id}"),
    ("api sign-ups", "host", "/api/v1/growth/workshops/{past_id}/signups"),
    ("api feedback", "host", "/api/v1/growth/workshops/{past_id}/feedback"),
]


def _grow(host, member, team, skills, round_: int, ids: dict, size: int = 6) -> None:
    """Two more workshops (one upcoming, one held with feedback); the pages measured are these."""
    crowd = people(team, size, prefix=f"round{round_}-")
    soon = upcoming(host, title=f"Upcoming {round_}", capacity=3, skills=skills)
    for person in [member, *crowd]:
        workshops.sign_up(by=person, workshop=soon)
    past = held(host, attendees=[member, *crowd], title=f"Past {round_}", skills=skills)
    for person in [member, *crowd]:
        workshops.give_feedback(by=person, workshop=past, rating=4, comment=f"Round {round_}")
    ids.update(upcoming_id=soon.pk, past_id=past.pk)


def _count(client, path: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries)


@pytest.fixture
def counts(team, lead, ana, incident, testing):
    Organization.current()
    Organization.objects.filter(pk=1).update(anonymity_threshold=3)
    ids: dict = {}
    clients = {"host": Client(), "member": Client()}
    clients["host"].force_login(lead)
    clients["member"].force_login(ana)
    api = {"host": factories.token_client(lead), "member": factories.token_client(ana)}
    for viewer in ("host", "member"):
        api[viewer].get("/api/v1/me")  # the first use of a token writes its last use; not measured
    _grow(lead, ana, team, [incident, testing], 0, ids)

    def measure():
        found = {}
        for name, viewer, path in PAGES:
            chosen = api if path.startswith("/api/") else clients
            chosen[viewer].get(path.format(**ids))  # a first visit may set things up
            found[name] = _count(chosen[viewer], path.format(**ids))
        return found

    small = measure()
    for round_ in range(1, SCALE):  # ten times the workshops; the last measured has ten times the people
        _grow(lead, ana, team, [incident, testing], round_, ids, size=6 * SCALE if round_ == SCALE - 1 else 6)
    sizes = (Workshop.objects.count(), WorkshopSignup.objects.filter(workshop_id=ids["past_id"]).count())
    return small, measure(), sizes


def test_workshop_pages_run_the_same_queries_at_ten_times_the_data(counts):
    small, large, sizes = counts
    assert sizes == (2 * SCALE, 6 * SCALE + 1)  # the comparison proves something only if the data grew
    assert large == small
