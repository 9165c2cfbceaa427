"""Growth in the browser: rating yourself and answering an evidence suggestion; building a plan
with a learning path and completing one of its steps; running a matching round as a learning lead
and accepting the proposed pair as the mentee and the mentor."""

import re

import pytest
from playwright.sync_api import expect

from learnloop.growth import matching_services, services
from learnloop.growth.models import Activity, MentoringPair, Rating, SkillCategory, StepCompletion
from learnloop.knowledge import services as knowledge
from tests import factories
from tests.browser.conftest import sign_in_context
from tests.browser.test_axe import AXE, RUN_AXE

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


def test_run_a_matching_round_and_accept_the_pair_as_both_people(page_as, live_server, team, skills):
    lead = factories.person(email="lou.learning@example.org", full_name="Lou Learning", role="learning_lead")
    maya = factories.person(email="maya@example.org", full_name="Maya Mentor")
    cleo = factories.person(email="cleo@example.org", full_name="Cleo Curious")
    factories.membership(cleo, team)
    services.rate(by=maya, person=maya, skill=skills["incident"], level=5)
    matching_services.offer_mentoring(by=maya, skills=[skills["incident"]], capacity=1)

    mentee_page = page_as(cleo)  # the mentee asks for a mentor on the page
    mentee_page.goto("/growth/mentoring/matching/", timeout=60_000)
    mentee_page.get_by_label("Skill 1", exact=True).select_option(label="Incident response")
    mentee_page.get_by_label("Target level for skill 1").fill("4")
    mentee_page.get_by_label("I prefer a mentor from another team").check()
    mentee_page.get_by_role("button", name="Save request").click()
    expect(mentee_page.get_by_text("You ask for Incident response (level 4), preferably from another team")) \
        .to_be_visible()

    page = page_as(lead)  # the learning lead runs the round
    page.goto("/growth/mentoring/matching/")
    pool = "In the pool now: offers with room: 1; requests not waiting on a proposal: 1."
    expect(page.get_by_text(pool)).to_be_visible()
    page.get_by_role("button", name="Run a matching round").click()
    expect(page).to_have_url(re.compile(r"/growth/mentoring/rounds/\d+/$"))
    row = page.get_by_role("row", name=re.compile("Maya Mentor"))
    expect(row).to_contain_text("Cleo Curious")
    expect(row).to_contain_text("matches 1 of 1 wanted skill (1 at or above the target level)")
    expect(row).to_contain_text("cross-team")
    expect(page.locator("#round-total")).to_have_text("1.00")

    mentee_page.reload()  # the mentee accepts first: no pair yet
    proposal = mentee_page.locator("article.proposal")
    expect(proposal).to_contain_text("Maya Mentor mentors you")
    proposal.get_by_role("button", name="Accept").click()
    expect(mentee_page.get_by_text("Nothing waits for your answer.")).to_be_visible()
    assert not MentoringPair.objects.exists()

    mentor_page = page_as(maya)  # then the mentor: the pair starts
    mentor_page.goto("/growth/mentoring/matching/")
    proposal = mentor_page.locator("article.proposal")
    expect(proposal).to_contain_text("You mentor Cleo Curious")
    expect(proposal).to_contain_text("Cleo Curious: accepted")
    proposal.get_by_role("button", name="Accept").click()
    expect(mentor_page.get_by_role("row", name=re.compile("Cleo Curious"))).to_contain_text("Paired")
    pair = MentoringPair.objects.get()
    assert (pair.mentor, pair.mentee) == (maya, cleo)

    mentor_page.goto(f"/growth/mentoring/{pair.pk}/")  # and ends it on the page
    mentor_page.get_by_role("button", name="End this mentoring pair").click()
    expect(mentor_page.get_by_text("This pair has ended.")).to_be_visible()


def test_matching_pages_have_no_serious_accessibility_violations(new_context, live_server, team, skills):
    lead = skills["incident"].events.get().by  # the learning lead who made the skills
    maya = factories.person(email="maya@example.org", full_name="Maya Mentor")
    services.rate(by=maya, person=maya, skill=skills["incident"], level=5)
    cleo = factories.person(email="cleo@example.org", full_name="Cleo Curious")
    factories.membership(cleo, team)
    matching_services.offer_mentoring(by=maya, skills=[skills["incident"]], capacity=1)
    matching_services.request_mentoring(by=cleo, wanted=[(skills["incident"], 4)])
    matching_round = matching_services.run_round(by=lead, notify=False)
    pair = services.start_pair(by=cleo, mentor=lead, mentee=cleo)
    pages = {lead: ["/growth/mentoring/matching/", f"/growth/mentoring/rounds/{matching_round.pk}/",
                    f"/growth/skills/{skills['incident'].pk}/", "/growth/mentoring/"],
             cleo: ["/growth/mentoring/matching/", f"/growth/mentoring/{pair.pk}/"]}
    problems = []
    for person, paths in pages.items():
        context = new_context()
        context.add_init_script(script=AXE.read_text())
        sign_in_context(context, person, live_server.url)
        page = context.new_page()
        for path in paths:
            assert page.goto(path, timeout=60_000).ok, path
            problems += [f"{path}: {v['impact']} {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
                         for v in page.evaluate(RUN_AXE)]
    assert not problems, "\n".join(problems)
