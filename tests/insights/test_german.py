"""The insights pages in German: two teams write German retro cards about the same problems, and
the dashboards, the themes list and a theme page show no English word in their main content; the
chart data keeps plain numbers; the German catalogue is complete."""

import json
import re
from datetime import date, timedelta

import pytest

from learnloop.insights import themes_services
from learnloop.insights.themes_models import ThemeItem
from tests import factories
from tests.conftest import signed_in_client
from tests.i18n_check import assert_no_english
from tests.i18n_pages import main_content
from tests.insights.conftest import retro

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}
DEPLOY = [
    "Freitagsdeployments haben die Produktion wieder lahmgelegt",
    "Das Deployment am Freitag hat die Produktion eine Stunde lahmgelegt",
    "Deployments am Freitagnachmittag legen die Produktion immer wieder lahm",
]
PAGER = [
    "Nächtliche Pager-Alarme in der Rufbereitschaft ohne Handbuch",
    "Der Pager hat uns nachts geweckt und das Handbuch der Rufbereitschaft fehlte",
    "Pager-Alarme nachts in der Rufbereitschaft ohne Handbuch",
]


@pytest.fixture
def hafen(db):
    factories.organization(name="Hafenwerke")
    lead = factories.person(email="jana.mueller@example.org", full_name="Jana Müller", role="learning_lead")
    department = factories.team(name="Logistik", kind="department")
    crews = {}
    for name, people in (("Hafenbetrieb", ("Tobias Schröder", "Aylin Yıldız")),
                         ("Lagerhaltung", ("Greta Böhm", "Lukas Weiß"))):
        crew = factories.team(name=name, parent=department)
        crew_lead = factories.person(email=f"leitung.{name.lower()}@example.org", full_name=f"Leitung {name}")
        factories.membership(crew_lead, crew, role="facilitator")
        members = []
        for full_name in people:
            member = factories.person(email=f"{full_name.split()[0].lower()}@example.org", full_name=full_name)
            factories.membership(member, crew)
            members.append(member)
        crews[name] = {"team": crew, "lead": crew_lead, "members": members}
    today = date.today()
    retro(crews["Hafenbetrieb"], [DEPLOY[0], PAGER[0]], held_on=today - timedelta(days=40),
          title="Retrospektive Hafenbetrieb Oktober")
    retro(crews["Lagerhaltung"], [DEPLOY[1], PAGER[1]], held_on=today - timedelta(days=20),
          title="Retrospektive Lagerhaltung November")
    retro(crews["Lagerhaltung"], [DEPLOY[2], PAGER[2]], held_on=today - timedelta(days=5),
          title="Retrospektive Lagerhaltung Dezember")
    themes_services.rebuild()
    return {"lead": lead, "crews": crews}


def german(client, url):
    response = client.get(url, **GERMAN)
    assert response.status_code == 200, url
    return response


def test_organization_and_team_dashboards_have_no_english_left(hafen):
    client = signed_in_client(hafen["lead"])
    for url in ("/insights/", "/insights/organization/", "/insights/teams/hafenbetrieb/",
                "/insights/teams/logistik/"):
        assert_no_english(main_content(german(client, url)))


def test_chart_data_keeps_plain_numbers_in_german(hafen):
    page = german(signed_in_client(hafen["lead"]), "/insights/organization/").content.decode()
    data = json.loads(re.search(r'<script id="dashboard-chart-data" type="application/json">(.*?)</script>',
                                page, re.S)[1])
    values = [value for chart in data for series in chart.get("series", []) for value in series["values"]]
    assert values and all(value is None or isinstance(value, int | float) for value in values)
    assert "Der Lernkreislauf, Monat für Monat" in page


def test_themes_list_and_a_theme_page_have_no_english_left(hafen):
    client = signed_in_client(hafen["lead"])
    listing = german(client, "/insights/themes/")
    assert_no_english(main_content(listing))
    assert "Das kam in 3 Retrospektiven auf, über 2 Teams hinweg." in listing.content.decode()
    theme = ThemeItem.objects.get(text=DEPLOY[0]).theme
    assert_no_english(main_content(german(client, f"/insights/themes/{theme.pk}/")))
    assert_no_english(main_content(german(client, "/insights/themes/corrections/")))


def test_the_same_pages_stay_english_without_a_language(hafen):
    page = signed_in_client(hafen["lead"]).get("/insights/themes/").content.decode()
    assert "Recurring themes" in page and "This came up in 3 retros across 2 teams." in page

