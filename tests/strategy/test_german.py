"""The strategy pages in German: German content, Accept-Language de, no English word left in the
page's main content (the layout around it belongs to the web app's catalogue), and the German
catalogue complete."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from learnloop.strategy import champions, services, vision
from tests import factories
from tests.conftest import signed_in_client
from tests.i18n_check import assert_no_english
from tests.i18n_pages import main_content

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


@pytest.fixture
def hafen(db):
    factories.organization(name="Hafenwerke")
    lead = factories.person(email="jana.mueller@example.org", full_name="Jana Müller", role="learning_lead")
    department = factories.team(name="Logistik", kind="department")
    crew = factories.team(name="Hafenbetrieb", parent=department)
    factories.membership(lead, crew, role="facilitator")
    kollege = factories.person(email="tobias.schroeder@example.org", full_name="Tobias Schröder")
    factories.membership(kollege, crew)
    today = date.today()
    ziel = services.create_objective(by=lead, title="Schneller aus Fehlern lernen", team=crew, starts_on=today,
                                     ends_on=today + timedelta(days=90))
    manuell = services.add_key_result(by=lead, objective=ziel, title="Postmortems innerhalb einer Woche", target=10)
    services.record_value(by=lead, key_result=manuell, on=today, value=4, note="Erste Zählung")
    services.add_key_result(by=lead, objective=ziel, title="Erledigungsquote", target=0.8,
                            metric_key="completion_rate")
    services.create_initiative(by=lead, title="Lernzeit im Sprint", team=crew, starts_on=today,
                               ends_on=today + timedelta(days=30), budget_person_days=5)
    leitbild = vision.create_vision(by=lead, title="Unser Leitbild", team=crew,
                                    draft="Wir lernen gemeinsam aus jedem Einsatz.")
    vision.publish(by=lead, vision=leitbild, summary="Erste Fassung")
    runde = vision.open_round(by=lead, vision=leitbild, question="Was fehlt?")
    vision.propose(by=kollege, round_=runde, kind="comment", text="Mehr Zeit für Übungen")
    vision.mark_connected(by=kollege, vision=leitbild, note="Hilft bei der Schichtübergabe")
    champions.name_champion(by=lead, person=kollege, team=crew)
    return {"lead": lead, "crew": crew, "vision": leitbild, "objective": ziel, "key_result": manuell,
            "kollege": kollege}


@pytest.mark.parametrize("page", ["vision", "goals", "roadmap", "champions", "team", "home", "objective",
                                  "key_result", "barriers"])
def test_strategy_pages_have_no_english_left(hafen, page):
    urls = {
        "vision": reverse("strategy:vision", args=[hafen["vision"].pk]),
        "goals": reverse("strategy:goals"),
        "roadmap": reverse("strategy:roadmap"),
        "champions": reverse("strategy:champions"),
        "team": reverse("strategy:team", args=[hafen["crew"].slug]),
        "home": reverse("strategy:home"),
        "objective": reverse("strategy:objective", args=[hafen["objective"].pk]),
        "key_result": reverse("strategy:key_result", args=[hafen["key_result"].pk]),
        "barriers": reverse("strategy:barriers"),
    }
    response = signed_in_client(hafen["lead"]).get(urls[page], **GERMAN)
    assert response.status_code == 200
    assert_no_english(main_content(response))


def test_the_seven_steps_and_barriers_speak_german(hafen):
    page = main_content(signed_in_client(hafen["lead"]).get(
        reverse("strategy:team", args=[hafen["crew"].slug]), **GERMAN))
    assert "Eine gemeinsame Vision festlegen" in page
    assert "Die sieben Schritte" in page
    english = main_content(signed_in_client(hafen["lead"]).get(reverse("strategy:team", args=[hafen["crew"].slug])))
    assert "Define a shared vision" in english

