"""A champion's page: what they modelled, as counts, with lists that name only what the viewer may
open, in the same number of queries with one or ten of everything."""

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from learnloop.experiments.models import Experiment
from learnloop.knowledge.models import Application, Entry
from learnloop.reflection import services as reflection
from learnloop.reflection.models import Session
from learnloop.strategy import champions


def _grow(org, times: int, start: int) -> None:
    template = reflection.builtin_template("start-stop-continue")
    for number in range(start, start + times):
        Session.objects.create(team=org.crew, template=template, title=f"Retro {number}",
                               facilitator=org.facilitator, held_on=org.today - timedelta(days=number + 1))
        lesson = Entry.objects.create(kind="lesson", title=f"Lesson {number}", body="b", author=org.facilitator,
                                      owner_team=org.crew)
        Application.objects.create(entry=lesson, person=org.outsider)
        Experiment.objects.create(
            title=f"Experiment {number}", team=org.crew, owner=org.facilitator, change="c", effect="e",
            population="p", success_metric="m", expected_delta="+1%", status="running",
            started_on=org.today - timedelta(days=number + 1), created_by=org.facilitator)


def _page(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_champion_page_shows_what_they_modelled_in_a_fixed_number_of_queries(org):
    champion = champions.name_champion(by=org.lead, person=org.facilitator, team=org.crew)
    client = Client()
    client.force_login(org.members[0])
    url = f"/strategy/champions/{champion.pk}/"
    client.get(url)  # a first visit's session writes are not what is measured
    _grow(org, 1, 0)
    small, body = _page(client, url)
    assert "Retro 0" in body and "Lesson 0" in body and "Experiment 0" in body
    assert "applied 1 time" in body
    _grow(org, 9, 1)
    large, body = _page(client, url)
    assert large == small, (small, large)
    found = champions.modelled(org.members[0], champion)
    assert found["figures"] == {"sessions": 10, "lessons": 10, "reuses": 10, "experiments": 10, "mentees": 0}
    assert len(found["sessions"]) == len(found["lessons"]) == len(found["experiments"]) == 10
    assert client.get("/strategy/champions/999999/").status_code == 404
    # The champions page links to it.
    assert url in client.get("/strategy/champions/").content.decode()
