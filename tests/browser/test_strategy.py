"""A walk through the strategy in a real browser: propose a change to the vision and accept it,
bind a key result to a metric and watch it move after a real action is closed, plan an
initiative and see it on the roadmap."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from learnloop.actions import services as actions
from learnloop.strategy import services, vision
from learnloop.strategy.tasks import refresh_key_results
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def people(team):
    lead = factories.person(email="lena.lead@example.org", full_name="Lena Lead", role="learning_lead")
    member = factories.person(email="mia.member@example.org", full_name="Mia Member")
    factories.membership(member, team)
    return lead, member


def test_propose_a_change_and_accept_it(page_as, people):
    lead, member = people
    org_vision = vision.create_vision(by=lead, title="Our vision", draft="We learn in the open.")
    vision.publish(by=lead, vision=org_vision)
    vision.open_round(by=lead, vision=org_vision, question="What is missing?", anonymous=True)

    page = page_as(member)
    page.goto(f"/strategy/vision/{org_vision.pk}/")
    form = page.locator("#propose-form")
    form.get_by_label("Your comment, or why this change").fill("Say how")
    form.get_by_label(re.compile("Passage to replace")).fill("We learn in the open.")
    form.get_by_label("New text").fill("We learn in the open, by doing.")
    form.get_by_role("button", name="Send").click()
    expect(page.locator(".proposal")).to_contain_text("(anonymous)")
    expect(page.locator(".proposal")).to_contain_text("(yours)")

    page = page_as(lead)
    page.goto(f"/strategy/vision/{org_vision.pk}/")
    expect(page.locator(".proposal")).not_to_contain_text("(yours)")
    decide = page.locator(".decide-form")
    decide.get_by_label("Reason").fill("Clearer")
    decide.get_by_role("button", name="Accept").click()
    expect(page.locator("#draft-text")).to_have_text("We learn in the open, by doing.")
    page.get_by_role("button", name="Publish the draft as the next version").click()
    expect(page.locator("#published-text")).to_have_text("We learn in the open, by doing.")
    page.get_by_role("link", name="Version 2").click()
    expect(page.locator("#diff")).to_contain_text("We learn in the open, by doing.")


def test_bind_a_key_result_and_watch_it_move(page_as, people, team):
    lead, member = people
    today = timezone.localdate()
    done = actions.create_action(by=lead, title="Write the runbook", team=team, owner=member)
    actions.complete_action(by=member, action=done, effect="worked", evidence="Used twice")
    declined = actions.create_action(by=lead, title="Rewrite everything", team=team, owner=member)
    actions.decline_action(by=member, action=declined, reason="Too big")
    still_open = actions.create_action(by=lead, title="Pair on releases", team=team, owner=member,
                                       due_on=today - timedelta(days=30))
    objective = services.create_objective(by=lead, title="Finish what we agree", team=team, starts_on=today,
                                          ends_on=today + timedelta(days=60))
    kr = services.add_key_result(by=lead, objective=objective, title="Completion", target=0.9)

    page = page_as(lead)
    page.goto(f"/strategy/key-results/{kr.pk}/")
    form = page.locator("#bind-form")
    form.get_by_label("Metric").select_option("completion_rate")
    form.get_by_role("button", name="Bind").click()
    # done 1 / (done 1 + not doing 1 + overdue 1)
    expect(page.locator("#kr-latest")).to_contain_text("33.3%")
    expect(page.locator("#kr-source")).to_contain_text("Action completion rate")

    # The owner closes the overdue action on the actions page, as anyone would.
    owner_page = page_as(member)
    owner_page.goto("/actions/")
    owner_page.get_by_role("list", name="Actions to do").get_by_role("link", name="Pair on releases").click()
    expect(owner_page).to_have_url(re.compile(rf"/actions/{still_open.pk}/$"))
    done_form = owner_page.get_by_role("form", name="Mark as done")
    done_form.get_by_label("It worked").check()
    done_form.get_by_role("button", name="Mark as done").click()
    expect(owner_page.locator("#action-status")).to_contain_text("Done")
    # Closing it queued a refresh of the bound key results for the worker (debounced).
    assert DBTaskResult.objects.filter(task_path=refresh_key_results.module_path,
                                       status=TaskResultStatus.READY).count() == 1

    page.get_by_role("button", name="Read it again now").click()
    expect(page.locator("#kr-latest")).to_contain_text("66.7%")
    expect(page.locator("#kr-history")).to_contain_text("66.7%")


def test_plan_an_initiative(page_as, people, team):
    lead, _ = people
    page = page_as(lead)
    page.goto("/strategy/roadmap/")
    page.get_by_role("link", name="Plan an initiative").click()
    form = page.locator("#plan-form")
    form.get_by_label("Title", exact=True).fill("Retro facilitation guild")
    form.locator("#id_team").select_option(label=team.name)
    today = timezone.localdate()
    form.get_by_label("Starts on", exact=True).fill(str(today))
    form.get_by_label("Ends on", exact=True).fill(str(today + timedelta(days=90)))
    form.get_by_label("Budget: person-days").fill("12")
    form.get_by_role("button", name="Plan it").click()
    expect(page.locator("h1")).to_have_text("Retro facilitation guild")
    expect(page.locator("#budget")).to_contain_text("12.0")
    page.goto("/strategy/roadmap/")
    expect(page.locator("#roadmap-table")).to_contain_text("Retro facilitation guild")
    expect(page.locator(".strategy-chart canvas")).to_have_count(1)
