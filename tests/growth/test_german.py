"""The growth pages in German: a German team with German skills, a learning path, a mentoring
pair and a workshop, and no English on the profile of skills, the framework, the learning paths,
a path, the mentoring pages and the workshops."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.growth import services, workshops
from learnloop.growth.models import SkillCategory
from tests import factories
from tests.conftest import signed_in_client
from tests.german_pages import assert_german, german_get, german_main

# The length hint that web/input_checks adds to text fields ("At most 200 characters."): the web
# app's text, translated with it.
WEB_HINT = frozenset({"at", "most"})
# Level descriptors are content (each skill stores its own); these are written in German.
LEVELS = ["Kennt es", "Mit Anleitung", "Selbstständig", "Fortgeschritten", "Prägt die Praxis"]


@pytest.fixture
def german_growth(db):
    factories.organization()
    hafen = factories.team(name="Hafenbetrieb")
    lead = factories.person(email="petra.lernen@example.org", full_name="Petra Lernfeld", role="learning_lead")
    jana = factories.person(email="jana.mueller@example.org", full_name="Jana Müller")
    lukas = factories.person(email="lukas.schaefer@example.org", full_name="Lukas Schäfer")
    factories.membership(jana, hafen, role="facilitator")
    factories.membership(lukas, hafen)
    category = SkillCategory.objects.create(name="Betrieb")
    kran = services.create_skill(by=lead, name="Kransteuerung", category=category, aliases="Kran, Verladung",
                                 level_descriptors=LEVELS,
                                 description="Container sicher be- und entladen.")
    planung = services.create_skill(by=lead, name="Schichtplanung", category=category, level_descriptors=LEVELS)
    services.rate(by=jana, person=jana, skill=kran, level=3)
    services.rate(by=lukas, person=lukas, skill=planung, level=2)
    services.set_need(by=jana, team=hafen, skill=kran, level=3, people=2)
    path = services.create_path(by=lead, title="Sicher am Kran", description="Vom ersten Hub zur Nachtschicht.",
                                skill=kran, target_level=3)
    services.add_step(by=lead, path=path, kind="url", title="Sicherheitsunterweisung", url="https://example.org/kran")
    pair = services.start_pair(by=lead, mentor=jana, mentee=lukas, goals="Kranschein bis März")
    services.add_note(by=jana, pair=pair, body="Erste Runde am Simulator.")
    starts = timezone.now() + timedelta(days=7)
    workshop = workshops.create_workshop(by=jana, title="Übergaben im Hafen", starts_at=starts,
                                         ends_at=starts + timedelta(hours=2), capacity=8, place="Hafenraum 2",
                                         skills=[kran])
    workshops.sign_up(by=lukas, workshop=workshop)
    return {"lead": lead, "jana": jana, "lukas": lukas, "path": path, "pair": pair, "workshop": workshop,
            "skill": kran, "team": hafen}


def test_profile_of_skills_in_german(german_growth):
    jana = german_growth["jana"]
    page = german_get(signed_in_client(jana), f"/growth/people/{jana.pk}/")
    assert "Kransteuerung" in german_main(page) and "Fähigkeiten" in german_main(page)
    assert_german(page, allowed=WEB_HINT)
    assert_german(german_get(signed_in_client(jana), "/growth/"), allowed=WEB_HINT)


def test_framework_skill_and_team_in_german(german_growth):
    client = signed_in_client(german_growth["lead"])
    assert_german(german_get(client, "/growth/framework/"), allowed=WEB_HINT)
    assert_german(german_get(client, f"/growth/skills/{german_growth['skill'].pk}/"), allowed=WEB_HINT)
    jana_client = signed_in_client(german_growth["jana"])
    assert_german(german_get(jana_client, f"/growth/teams/{german_growth['team'].pk}/"))
    assert_german(german_get(jana_client, "/growth/coverage/"))


def test_learning_paths_in_german(german_growth):
    client = signed_in_client(german_growth["lukas"])
    listing = german_get(client, "/growth/paths/")
    assert "Lernpfade" in german_main(listing) and "Sicher am Kran" in german_main(listing)
    assert_german(listing, allowed=WEB_HINT)
    page = german_get(client, f"/growth/paths/{german_growth['path'].pk}/")
    assert "Sicherheitsunterweisung" in german_main(page)
    assert_german(page, allowed=WEB_HINT)


def test_mentoring_in_german(german_growth):
    client = signed_in_client(german_growth["jana"])
    pairs = german_get(client, "/growth/mentoring/")
    assert "Jana Müller begleitet Lukas Schäfer" in german_main(pairs)
    assert_german(pairs, allowed=WEB_HINT)
    assert_german(german_get(client, f"/growth/mentoring/{german_growth['pair'].pk}/"), allowed=WEB_HINT)
    assert_german(german_get(client, "/growth/mentoring/matching/"), allowed=WEB_HINT)


def test_workshops_in_german(german_growth):
    client = signed_in_client(german_growth["lukas"])
    listing = german_get(client, "/growth/workshops/")
    assert "Übergaben im Hafen" in german_main(listing)
    assert_german(listing)
    workshop = german_growth["workshop"]
    assert_german(german_get(client, f"/growth/workshops/{workshop.pk}/"), allowed=WEB_HINT)
    host = signed_in_client(german_growth["jana"])
    assert_german(german_get(host, f"/growth/workshops/{workshop.pk}/host"), allowed=WEB_HINT)
