"""People and teams in German: the pages a person uses daily, with German content, show no
English (the language comes from the person's own choice here, from Accept-Language elsewhere)."""

import pytest
from django.test import Client
from django.urls import reverse

from learnloop.org import invitations
from tests import factories
from tests.i18n_check import assert_no_english

DE = {"HTTP_ACCEPT_LANGUAGE": "de"}
# "Person" is German too (die Person, "Person hinzufügen").
GERMAN_TOO = frozenset({"person"})


def assert_no_english_de(page):
    assert_no_english(page, allowed=GERMAN_TOO)


@pytest.fixture
def hafen(db):
    factories.organization(name="Hafen Nord AG")
    department = factories.team(name="Logistik", kind="department", description="Alles rund um den Umschlag")
    team = factories.team(name="Hafenbetrieb", parent=department, description="Kräne, Liegeplätze und Schichten")
    lead = factories.person(email="lars.becker@example.org", full_name="Lars Becker", title="Schichtleiter")
    jana = factories.person(email="jana.mueller@example.org", full_name="Jana Müller", title="Kranführerin")
    jana.manager = lead
    jana.save(update_fields=["manager"])
    admin = factories.person(email="jonas.weber@example.org", full_name="Jonas Weber", role="admin",
                             title="Personalwesen")
    factories.membership(jana, team)
    factories.membership(lead, team, role="facilitator")
    for person in (lead, jana, admin):
        person.language = "de"
        person.save(update_fields=["language"])
    return {"team": team, "department": department, "lead": lead, "jana": jana, "admin": admin}


def _as(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_my_profile_is_german(hafen):
    response = _as(hafen["jana"]).get(reverse("org:profile"))
    assert response.status_code == 200
    assert "Sprache" in response.content.decode()
    assert_no_english_de(response)


def test_the_people_list_is_german_for_a_member_and_an_admin(hafen):
    assert_no_english_de(_as(hafen["jana"]).get(reverse("org:people")))
    assert_no_english_de(_as(hafen["admin"]).get(reverse("org:people")))


def test_the_people_search_answer_is_german(hafen):
    response = _as(hafen["jana"]).get(reverse("org:people"), {"q": "nieman"}, HTTP_HX_REQUEST="true")
    assert "Niemand passt" in response.content.decode()
    assert_no_english_de(response)


def test_the_team_pages_are_german(hafen):
    lead = _as(hafen["lead"])
    assert_no_english_de(lead.get(reverse("org:team", args=[hafen["team"].slug])))
    assert_no_english_de(lead.get(reverse("org:team", args=[hafen["department"].slug])))
    assert_no_english_de(lead.get(reverse("org:teams")))
    assert_no_english_de(_as(hafen["admin"]).get(reverse("org:team", args=[hafen["team"].slug])))


def test_a_person_page_is_german(hafen):
    assert_no_english_de(_as(hafen["jana"]).get(reverse("org:person", args=[hafen["lead"].pk])))
    assert_no_english_de(_as(hafen["admin"]).get(reverse("org:person", args=[hafen["jana"].pk])))


def test_the_invitations_page_is_german(hafen):
    admin = hafen["admin"]
    invitations.invite_person(by=admin, email="eva.schmidt@example.org", full_name="Eva Schmidt", title="",
                       role="member", team=hafen["team"], team_role="member", base_url="http://testserver")
    response = _as(admin).get(reverse("org:invitations"))
    assert "eva.schmidt@example.org" in response.content.decode()
    assert_no_english_de(response)


def test_the_admin_pages_of_people_are_german(hafen):
    admin = _as(hafen["admin"])
    for url in [reverse("org:person-create"), reverse("org:person-edit", args=[hafen["jana"].pk]),
                reverse("org:orphans"), reverse("org:attributes"),
                reverse("org:team-create"), reverse("org:person-deactivate", args=[hafen["jana"].pk])]:
        assert_no_english_de(admin.get(url))


def test_the_import_page_is_german_around_its_column_names(hafen):
    # The file format names CSV columns and values (email, member, learning_lead): code, not prose.
    response = _as(hafen["admin"]).get(reverse("org:import"))
    assert_no_english(response, allowed=GERMAN_TOO | {"email", "member", "learning", "lead"})


def test_a_flash_message_is_german(hafen):
    admin = _as(hafen["admin"])
    response = admin.post(reverse("org:team-edit", args=[hafen["team"].slug]), {
        "name": "Hafenbetrieb", "kind": "team", "parent": hafen["department"].pk, "description": "Kräne",
    }, follow=True)
    assert "Hafenbetrieb wurde gespeichert." in response.content.decode()
    assert_no_english_de(response)


def test_a_form_error_is_german(hafen):
    response = _as(hafen["jana"]).post(reverse("org:profile"), {"full_name": "", "title": "", "language": "de"})
    assert response.status_code == 200
    assert_no_english_de(response)


def test_a_refusal_is_german(hafen):
    response = _as(hafen["jana"]).get(reverse("org:invitations"))
    assert response.status_code == 403
    assert "Nur Admins dürfen Personen einladen." in response.content.decode()
    assert_no_english_de(response)
