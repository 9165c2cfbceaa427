"""A learning lead walks the growth pages: the skills framework (loading the starter one), team
coverage (heat map, gaps, single points of knowledge) and workshops (sign-ups, feedback counts;
the feedback itself is for the hosts only, learning leads are not exempt)."""

import re

import pytest
from playwright.sync_api import expect

from learnloop.growth import services, workshops
from learnloop.growth.models import SkillCategory
from learnloop.org.models import Organization
from tests import factories
from tests.growth.workshop_helpers import held, people, upcoming

pytestmark = pytest.mark.browser


def test_a_learning_lead_walks_framework_coverage_and_workshops(page_as, live_server, team):
    Organization.current()
    Organization.objects.filter(pk=1).update(anonymity_threshold=3)
    lena = factories.person(email="lena.learning@example.org", full_name="Lena Learning", role="learning_lead")
    fran = factories.person(email="fran@example.org", full_name="Fran Facilitator")
    factories.membership(fran, team, role="facilitator")
    ana, ben, cy = people(team, 3, prefix="crew")
    category = SkillCategory.objects.create(name="Operations")
    incident = services.create_skill(by=lena, name="Incident response", category=category, aliases="incident")
    testing = services.create_skill(by=lena, name="Automated testing", category=category)
    services.rate(by=fran, person=ana, skill=incident, level=4)
    services.rate(by=ben, person=ben, skill=testing, level=3)
    services.rate(by=cy, person=cy, skill=testing, level=3)
    services.set_need(by=fran, team=team, skill=incident, level=3, people=2)
    past = held(fran, attendees=[ana, ben, cy], title="Pager drills", skills=[incident])
    for person, comment in ((ana, "Loved the drills"), (ben, "Too short"), (cy, "More of these")):
        workshops.give_feedback(by=person, workshop=past, rating=4, comment=comment)
    soon = upcoming(fran, title="Testing dojo", capacity=2, skills=[testing])
    for person in (ana, ben, cy):
        workshops.sign_up(by=person, workshop=soon)

    page = page_as(lena)
    page.goto("/growth/framework/", timeout=60_000)  # the server's first request imports the whole API
    expect(page.get_by_role("heading", name="Operations")).to_be_visible()
    page.get_by_role("button", name="Load the starter framework").click()
    expect(page.get_by_role("link", name="Backend development")).to_be_visible()
    page.get_by_role("link", name="Incident response").first.click()
    expect(page.get_by_role("heading", name="Levels")).to_be_visible()

    page.get_by_role("navigation", name="Growth").get_by_role("link", name="Team coverage").click()
    expect(page.locator("#coverage-chart.drawn")).to_be_visible()  # the ECharts heat map
    row = page.get_by_role("row", name=re.compile(team.name))
    expect(row).to_contain_text("1 / 2")  # one at level 3+ in incident response, two needed
    row.get_by_role("link", name=team.name).click()
    expect(page.get_by_role("heading", name=f"{team.name}: skills")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Incident response"))).to_contain_text("2 at level 3+")
    expect(page.get_by_text("Incident response: Crew 00")).to_be_visible()  # bus factor 1, named for leads
    expect(page.get_by_role("heading", name="Members × skills")).to_be_visible()

    page.get_by_role("navigation", name="Growth").get_by_role("link", name="Workshops").click()
    listing = page.get_by_role("row", name=re.compile("Testing dojo"))
    expect(listing).to_contain_text("2 of 2")
    expect(listing).to_contain_text("1 waiting")
    listing.get_by_role("link", name="Testing dojo").click()
    page.get_by_role("link", name="Sign-ups, attendance and feedback").click()
    expect(page.get_by_role("heading", name="Waiting list, in order")).to_be_visible()
    expect(page.locator("ol").nth(1)).to_contain_text("Crew 02")

    page.goto("/growth/workshops/")
    page.get_by_role("link", name="Past").click()
    page.get_by_role("link", name="Pager drills").click()
    page.get_by_role("link", name="Sign-ups, attendance and feedback").click()
    expect(page.locator("#feedback-count")).to_contain_text("3 of 3 attendees answered")
    expect(page.get_by_text("The feedback is shown to the workshop's hosts only.")).to_be_visible()
    for comment in ("Loved the drills", "Too short", "More of these"):
        expect(page.get_by_text(comment)).to_have_count(0)
