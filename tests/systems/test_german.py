"""The systems pages in German: a German causal loop diagram and a German stock-and-flow model, and
the diagrams list, a diagram's page (its table view) and the model's page show no English word in
their main content; sliders and chart data keep plain numbers; the German catalogue is complete."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from learnloop.systems import diagram_services, stockflow_services
from tests import factories
from tests.conftest import signed_in_client
from tests.i18n_check import assert_no_english
from tests.i18n_pages import main_content

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}
NOTFALL = {
    "variables": [{"name": "Doppelte Auszahlungen"}, {"name": "Manuelle Erstattungen"},
                  {"name": "Rückstand beim Abgleich"}],
    "links": [
        {"source": "Doppelte Auszahlungen", "target": "Manuelle Erstattungen", "polarity": "+"},
        {"source": "Manuelle Erstattungen", "target": "Doppelte Auszahlungen", "polarity": "-"},
        {"source": "Manuelle Erstattungen", "target": "Rückstand beim Abgleich", "polarity": "+", "delay": True},
        {"source": "Rückstand beim Abgleich", "target": "Doppelte Auszahlungen", "polarity": "+"},
    ],
}
WISSEN_MDL = """{UTF-8}
Frische Erkenntnisse = INTEG(Schreiben - Veralten, Anfangsbestand)
\t~\tErkenntnisse
\t~\tErkenntnisse in der Wissensdatenbank, die noch geprüft sind.
\t|
Schreiben = Schreibrate
\t~\tErkenntnisse/Monat
\t~\tNeue Erkenntnisse aus Retrospektiven.
\t|
Veralten = Frische Erkenntnisse / Haltbarkeit
\t~\tErkenntnisse/Monat
\t~\tErkenntnisse, deren Prüfdatum verstreicht.
\t|
Schreibrate = 6
\t~\tErkenntnisse/Monat [0,20]
\t~\tWie viele Erkenntnisse im Monat entstehen.
\t|
Anfangsbestand = 40
\t~\tErkenntnisse [0,100]
\t~\tDer heutige Bestand.
\t|
Haltbarkeit = 7.5
\t~\tMonat [1,24]
\t~\tMonate bis zur nächsten Prüfung.
\t|
FINAL TIME = 12
\t~\tMonat
\t~\tEnde der Simulation.
\t|
INITIAL TIME = 0
\t~\tMonat
\t~\tBeginn der Simulation.
\t|
SAVEPER = TIME STEP
\t~\tMonat
\t~\tSpeicherintervall.
\t|
TIME STEP = 1
\t~\tMonat
\t~\tZeitschritt.
\t|
"""


@pytest.fixture
def hafen(db):
    factories.organization(name="Hafenwerke")
    lead = factories.person(email="jana.mueller@example.org", full_name="Jana Müller", role="learning_lead")
    crew = factories.team(name="Hafenbetrieb")
    factories.membership(lead, crew, role="facilitator")
    with translation.override("de"):  # a German writer: the version notes are written in German
        diagram = diagram_services.create_diagram(by=lead, title="Auszahlungen reparieren", team=crew,
                                                  content=NOTFALL,
                                                  description="Warum kommen doppelte Auszahlungen wieder?")
    diagram_services.add_comment(by=lead, diagram=diagram, text="Der Abgleich dauert zu lange.")
    model = stockflow_services.upload_model(lead, name="Wissensverfall", team=None, file_name="wissen.mdl",
                                            content=WISSEN_MDL.encode(), description="Erkenntnisse veralten.",
                                            translate_now=True)
    return {"lead": lead, "diagram": diagram, "model": model}


def german(client, url):
    response = client.get(url, **GERMAN)
    assert response.status_code == 200, url
    return response


def test_diagram_pages_have_no_english_left(hafen):
    client = signed_in_client(hafen["lead"])
    assert_no_english(main_content(german(client, reverse("systems:diagrams"))))
    page = german(client, reverse("systems:diagram", args=[hafen["diagram"].pk]))
    assert_no_english(main_content(page))
    assert "Fehlschlagende Lösungen" in page.content.decode()
    editor = json.loads(re.search(r'<script id="diagram-editor-data" type="application/json">(.*?)</script>',
                                  page.content.decode(), re.S)[1])
    assert editor["texts"]["choose_two"] == "Wählen Sie zwei Variablen."


def test_stock_and_flow_pages_have_no_english_left_and_keep_plain_numbers(hafen):
    client = signed_in_client(hafen["lead"])
    assert_no_english(main_content(german(client, reverse("systems:stockflow_list"))))
    page = german(client, reverse("systems:stockflow_detail", args=[hafen["model"].pk]))
    assert_no_english(main_content(page))
    html = page.content.decode()
    assert 'step="any"' in html or "value=" in html
    for value in re.findall(r'<input type="range"[^>]*value="([^"]*)"', html):
        float(value)  # a German comma here would break the slider
    assert re.search(r'<input type="range"[^>]*value="7.5"', html)


def test_the_edit_page_and_a_model_being_translated_have_no_english_left(hafen):
    client = signed_in_client(hafen["lead"])
    page = german(client, reverse("systems:stockflow_edit", args=[hafen["model"].pk]))
    assert_no_english(main_content(page))
    assert "Die Live-Zahlen" in page.content.decode()
    waiting = stockflow_services.upload_model(hafen["lead"], name="Wissensstau", team=None, file_name="stau.mdl",
                                              content=WISSEN_MDL.encode(), description="Noch in Arbeit.")
    page = german(client, reverse("systems:stockflow_detail", args=[waiting.pk]))
    assert_no_english(main_content(page))
    assert "Wird übersetzt" in page.content.decode()


def test_the_same_pages_stay_english_without_a_language(hafen):
    page = signed_in_client(hafen["lead"]).get(reverse("systems:diagram", args=[hafen["diagram"].pk]))
    assert "Fixes that fail" in page.content.decode() and "Feedback loops" in page.content.decode()

