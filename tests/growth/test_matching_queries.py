"""No N+1 on the matching pages and API lists: as many queries with ten times the offers, requests
and proposals as with one (tests/web/test_query_counts.py's rule, for this module's pages)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnloop.growth import matching_services, services
from learnloop.growth.matching_models import MatchingRound
from tests import factories
from tests.conftest import signed_in_client

MEMBER_PAGES = ["/growth/mentoring/matching/", "/api/v1/growth/mentoring/offers", "/api/v1/growth/mentoring/requests",
                "/api/v1/growth/mentoring/proposals"]
LEAD_PAGES = [*MEMBER_PAGES, "/growth/mentoring/rounds/{round_id}/", "/api/v1/growth/mentoring/rounds",
              "/api/v1/growth/mentoring/rounds/{round_id}"]

def _add_people(n, *, team, skills):
    for _ in range(n):
        mentor, mentee = factories.person(), factories.person()
        factories.membership(mentee, team)
        for skill in skills:
            services.rate(by=mentor, person=mentor, skill=skill, level=4)
        services.set_sharing(by=mentee, person=mentee, shared=True)
        services.set_sharing(by=mentor, person=mentor, shared=True)
        matching_services.offer_mentoring(by=mentor, skills=skills, capacity=2)
        matching_services.request_mentoring(by=mentee, wanted=[(skills[0], 4), (skills[1], 5)])


def _counts(client, pages, round_id):
    counts = {}
    for page in pages:
        url = page.format(round_id=round_id)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[page] = len(queries)
    return counts


@pytest.mark.parametrize("who", ["learning_lead", "ana"])
def test_matching_pages_do_not_grow_with_data(request, who, learning_lead, team, incident, testing):
    viewer = request.getfixturevalue(who)
    pages = LEAD_PAGES if who == "learning_lead" else MEMBER_PAGES
    skills = [incident, testing]
    services.rate(by=viewer, person=viewer, skill=incident, level=3)
    matching_services.offer_mentoring(by=viewer, skills=[incident], capacity=1)
    _add_people(1, team=team, skills=skills)
    first = matching_services.run_round(by=learning_lead)
    assert first.proposals.exists()
    client = signed_in_client(viewer)
    small = _counts(client, pages, first.pk)
    _add_people(9, team=team, skills=skills)
    second = matching_services.run_round(by=learning_lead)
    assert second.proposals.count() >= 9 and MatchingRound.objects.count() == 2
    assert _counts(client, pages, second.pk) == small
