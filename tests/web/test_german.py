"""The shell in German: the home page for each role (navigation included), the sign-in page and
the error pages, with German content and no English left."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import learnloop
from tests import factories
from tests.i18n_check import assert_no_english

DE = {"HTTP_ACCEPT_LANGUAGE": "de"}
# "Person" is German too (die Person, "Person hinzufügen").
GERMAN_TOO = frozenset({"person"})


def assert_no_english_de(page):
    assert_no_english(page, allowed=GERMAN_TOO)
APPS_DIR = Path(learnloop.__file__).parent


def _translated(app_label: str) -> bool:
    return (APPS_DIR / app_label / "locale" / "de" / "LC_MESSAGES" / "django.po").exists()


def _panels_of_translated_apps(response) -> str:
    """The page less the home panels of apps that ship no German catalogue yet (each app's
    translator checks its own panels; once every app has one, this is the whole page)."""
    html = response.content.decode()
    for number, panel in enumerate(response.context["panels"], start=1):
        if not _translated(panel["template"].split("/")[0]):
            html = re.sub(rf'<article class="panel" aria-labelledby="panel-{number}">.*?</article>', "", html,
                          flags=re.S)
    return html


@pytest.fixture
def german_organization(db):
    factories.organization(name="Hafen Nord AG")
    department = factories.team(name="Logistik", kind="department")
    team = factories.team(name="Hafenbetrieb", parent=department)
    people = {
        "member": factories.person(email="jana.mueller@example.org", full_name="Jana Müller"),
        "team_lead": factories.person(email="lars.becker@example.org", full_name="Lars Becker"),
        "learning_lead": factories.person(email="eva.schmidt@example.org", full_name="Eva Schmidt",
                                          role="learning_lead"),
        "admin": factories.person(email="jonas.weber@example.org", full_name="Jonas Weber", role="admin"),
    }
    factories.membership(people["member"], team)
    factories.membership(people["team_lead"], team, role="facilitator")
    return people


@pytest.mark.parametrize("role", ["member", "team_lead", "learning_lead", "admin"])
def test_the_home_page_is_german_for_every_role(german_organization, role):
    person = german_organization[role]
    person.language = "de"
    person.save(update_fields=["language"])
    client = Client()
    client.force_login(person)
    response = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Abmelden" in html and "Mein Profil" in html and "Personen" in html
    assert_no_english_de(_panels_of_translated_apps(response))


def test_the_navigation_is_german_for_an_admin(german_organization):
    client = Client()
    client.force_login(german_organization["admin"])
    html = client.get(reverse("web:home"), **DE).content.decode()
    navigation = html.split('<main', 1)[0]
    for label in ["Personen", "Teams", "Einladungen", "Audit-Protokoll", "Webhooks", "Benachrichtigungen"]:
        assert label in navigation
    assert_no_english_de(navigation)


def test_the_sign_in_page_is_german(db):
    response = Client().get(reverse("accounts:login"), **DE)
    assert response.status_code == 200
    assert_no_english_de(response)


def test_a_failed_sign_in_is_german(db):
    factories.person(email="jana.mueller@example.org", full_name="Jana Müller")
    response = Client().post(reverse("accounts:login"), {"username": "jana.mueller@example.org", "password": "falsch"},
                             **DE)
    assert response.status_code == 200
    assert_no_english_de(response)


def test_the_password_reset_pages_are_german(db):
    assert_no_english_de(Client().get(reverse("accounts:password-reset"), **DE))


def test_the_not_found_page_is_german(german_organization):
    client = Client()
    client.force_login(german_organization["member"])
    response = client.get("/gibt-es-nicht/", **DE)
    assert response.status_code == 404
    assert_no_english_de(response)


def test_the_api_token_and_two_step_pages_are_german(german_organization):
    client = Client()
    client.force_login(german_organization["member"])
    assert_no_english_de(client.get(reverse("accounts:tokens"), **DE))
    assert_no_english_de(client.get(reverse("accounts:two-factor"), **DE))
    assert_no_english_de(client.get(reverse("accounts:password-change"), **DE))


def test_dates_and_numbers_in_the_shell_localize(german_organization):
    """A date shown with |date takes German month names; the form help's number its grouping."""
    from django.template import Context, Template
    from django.utils import translation

    template = Template('{% load l10n %}{{ day|date:"j F Y" }} · {{ share|floatformat:1 }} · {{ share|unlocalize }}')
    import datetime
    with translation.override("de"):
        text = template.render(Context({"day": datetime.date(2026, 3, 5), "share": 0.25}))
    assert text == "5 März 2026 · 0,2 · 0.25" or text == "5 März 2026 · 0,3 · 0.25"
