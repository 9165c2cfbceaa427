"""Growth in the browser: rating yourself and answering an evidence suggestion; building a plan
with a learning path and completing one of its steps."""

import re

import pytest
from playwright.sync_api import expect

from learnloop.growth import services
from learnloop.growth.models import Activity, Rating, SkillCategory, StepCompletion
from learnloop.knowledge import services as knowledge
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def skills(db):
    lead = factories.person(email="lena.learning@example.org", full_name="Lena Learning", role="learning_lead")
    category = SkillCategory.objects.create(name="Operations")
    return {
        "incident": services.create_skill(by=lead, name="Incident response", category=category, aliases="incident"),
        "testing": services.create_skill(by=lead, name="Automated testing", category=category),
    }


def test_rate_yourself_and_answer_an_evidence_suggestion(page_as, live_server, team, skills):
    ana = factories.person(email="ana@example.org", full_name="Ana Analyst")
    factories.membership(ana, team)
    for number in range(4):
        knowledge.create_entry(by=ana, kind="lesson", title=f"Pager lesson {number}", body="b", tags=["incident"])

    page = page_as(ana)
    page.goto("/growth/", timeout=60_000)  # the server's first request imports the whole API
    suggestion = page.locator("article.suggestion", has_text="Incident response")
    expect(suggestion).to_contain_text("4 authored lesson")
    suggestion.get_by_text("4 pieces of evidence").click()
    expect(suggestion.get_by_role("link", name="Pager lesson 0")).to_be_visible()

    page.get_by_label("Skill", exact=True).select_option(label="Automated testing")
    page.get_by_label("Level", exact=True).fill("2")
    page.locator("#id_note").fill("Writing my first integration tests")
    page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_role("row", name=re.compile("Automated testing"))).to_contain_text("Writing my first")

    suggestion = page.locator("article.suggestion", has_text="Incident response")
    suggestion.get_by_label("My level").select_option("3")
    suggestion.get_by_role("button", name="Add Incident response").click()
    expect(page.locator("article.suggestion")).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile("Incident response"))).to_contain_text("Added from an evidence")
    assert sorted(Rating.objects.values_list("skill__name", "level")) == [("Automated testing", 2),
                                                                         ("Incident response", 3)]


def test_build_a_plan_with_a_path_and_complete_a_step(page_as, live_server, team, skills):
    ben = factories.person(email="ben@example.org", full_name="Ben Builder")
    factories.membership(ben, team)
    entry = knowledge.create_entry(by=ben, kind="playbook", title="Paging playbook", body="Steps")
    path = services.create_path(by=ben, title="Incident basics", skill=skills["incident"], target_level=3)
    services.add_step(by=ben, path=path, kind="entry", entry=entry)
    services.add_step(by=ben, path=path, kind="book", title="Site Reliability Engineering")

    page = page_as(ben)
    page.goto("/growth/plans/")
    page.get_by_label("Title").fill("Become an incident commander")
    page.get_by_role("button", name="Start plan").click()
    expect(page).to_have_url(re.compile(r"/growth/plans/\d+/$"))

    page.get_by_label("Skill", exact=True).select_option(label="Incident response")
    page.get_by_label("Target level").fill("3")
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_role("row", name=re.compile("Incident response"))).to_contain_text("3")

    page.get_by_label("Kind").select_option(label="Learning path")
    page.get_by_label("Learning path").select_option(label="Incident basics")
    page.get_by_label("Due on").fill("2030-01-31")
    page.get_by_role("button", name="Add activity").click()
    expect(page.get_by_role("link", name="Incident basics")).to_be_visible()
    activity = Activity.objects.get()
    assert activity.action is not None and activity.action.owner == ben  # reminders through actions

    page.get_by_role("link", name="Incident basics").click()
    expect(page.locator("#path-progress")).to_have_text("0 of 2 steps done.")
    page.get_by_role("button", name="Mark step 1 done").click()
    expect(page.locator("#path-progress")).to_have_text("1 of 2 steps done.")
    page.get_by_role("button", name="Mark step 2 done").click()
    expect(page.locator("#path-progress")).to_have_text("Completed.")
    assert StepCompletion.objects.filter(person=ben).count() == 2
