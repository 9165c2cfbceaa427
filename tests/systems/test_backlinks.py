"""The pages of what a diagram can be attached to (a session, a postmortem, a recurring theme, an
experiment) link back to the diagrams attached to them that the reader may open, in a fixed
number of queries however many are attached."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learnloop.insights.themes_models import Theme, ThemeItem
from learnloop.reflection import services as reflection
from learnloop.systems import diagram_services as services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    people, _ids = factories.small_organization()
    lead, admin = people["lead"], people["admin"]
    postmortem = reflection.create_session(by=lead, team=people["team"], title="Postmortem: duplicate payouts",
                                           template=reflection.builtin_template("blameless-postmortem"))
    theme = Theme.objects.create(label="Duplicate payouts")
    ThemeItem.objects.create(theme=theme, source="survey_comment", ref="c1", key="survey_comment:c1", text="t",
                             on=date(2026, 1, 5))
    other_team = factories.team(name="Elsewhere")
    targets = {
        "session": ("reflection.session", people["session"].pk, reverse("reflection:session",
                                                                       args=[people["session"].pk])),
        "postmortem": ("reflection.session", postmortem.pk, reverse("reflection:session", args=[postmortem.pk])),
        "theme": ("insights.theme", theme.pk, reverse("insights:theme", args=[theme.pk])),
        "experiment": ("experiments.experiment", people["experiment"].pk,
                       reverse("experiments:detail", args=[people["experiment"].pk])),
    }
    client = Client()
    client.force_login(lead)
    for _, _, url in targets.values():
        client.get(url)  # a board's first visit hands out its writer key: not measured

    def attach(count: int, team=None):
        for number in range(count):
            diagram = services.create_diagram(by=admin, title=f"Loop {team or 'org'} {number}", team=team)
            for target_type, target_id, _ in targets.values():
                services.attach(by=admin, diagram=diagram, target_type=target_type, target_id=target_id)

    return {"client": client, "targets": targets, "attach": attach, "other_team": other_team,
            "team": people["team"]}


def _page(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(captured.captured_queries)


def test_each_page_lists_the_diagrams_the_reader_may_open(world):
    world["attach"](1, world["team"])
    world["attach"](1, world["other_team"])  # the lead is not of this team: never listed
    for name, (_, _, url) in world["targets"].items():
        page, _ = _page(world["client"], url)
        section = page.split('id="systems-diagrams"')[1].split("</section>")[0]
        assert f"Loop {world['team']} 0" in section, name
        assert "Elsewhere" not in section and f"Loop {world['other_team']}" not in page, name


def test_no_section_without_a_diagram(world):
    for _, _, url in world["targets"].values():
        assert 'id="systems-diagrams"' not in _page(world["client"], url)[0]


def test_the_section_runs_the_same_queries_for_one_or_ten_diagrams(world):
    world["attach"](1)
    small = {name: _page(world["client"], url)[1] for name, (_, _, url) in world["targets"].items()}
    world["attach"](9)
    world["attach"](5, world["team"])
    for name, (_, _, url) in world["targets"].items():
        page, count = _page(world["client"], url)
        assert page.count("Loop ") >= 15, name
        assert count == small[name], (name, small[name], count)
