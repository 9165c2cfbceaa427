"""The second language end to end: a browser that asks for German signs in, writes a retro card,
opens its team's pages and the knowledge base, and meets no English on the way; then a person
who chose German on their profile gets it whatever their browser asks for."""

import pytest
from playwright.sync_api import expect

from learnloop.reflection import services as reflection
from tests import factories
from tests.i18n_check import english_left

pytestmark = pytest.mark.browser


def _no_english(page):
    left = english_left(page.content())
    assert not left, f"English left on {page.url}: {left}"


@pytest.fixture
def hafen():
    factories.organization(name="Hafen Nord AG")  # the default name, "Our organization", is content in English
    team = factories.team(name="Hafenbetrieb")
    jana = factories.person(email="jana.mueller@example.org", full_name="Jana Müller")
    factories.membership(jana, team, role="facilitator")
    lukas = factories.person(email="lukas.schmidt@example.org", full_name="Lukas Schmidt")
    factories.membership(lukas, team)
    session = reflection.create_session(by=jana, team=team, template=reflection.builtin_template("start-stop-continue"),
                                        title="Sprint-Rückblick 12", anonymity="named")
    reflection.join_session(by=lukas, session=session)
    session = reflection.set_phase(by=jana, session=session, phase="reflect")
    return team, jana, lukas, session


def test_a_german_browser_walks_the_main_pages_in_german(browser, live_server, hafen):
    team, _jana, lukas, session = hafen
    # A browser set to German asks for it in Accept-Language (the shared fixture's are en-GB).
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    _no_english(page)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.locator("input[name=username]").fill(lukas.email)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}/")
    _no_english(page)

    page.goto(f"/sessions/{session.pk}/")
    _no_english(page)
    page.locator("textarea[name=text]").fill("Übergaben am Kai dauern zu lange")
    page.get_by_role("button", name="Karte hinzufügen").click()
    expect(page.get_by_text("Karte hinzugefügt.")).to_be_visible()
    _no_english(page)

    for path in ("/knowledge/", "/actions/", "/sessions/", f"/teams/{team.slug}/", "/accounts/profile/"):
        page.goto(path)
        _no_english(page)
    context.close()


def test_a_person_who_chose_german_gets_it_whatever_the_browser_asks(page_as, hafen):
    _team, jana, _lukas, _session = hafen
    jana.language = "de"
    jana.save(update_fields=["language"])
    page = page_as(jana)  # an en-GB browser
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    _no_english(page)
    page.goto("/accounts/profile/")
    page.locator("select[name=language]").select_option("en")
    page.locator("select[name=language]").locator("xpath=ancestor::form").locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
