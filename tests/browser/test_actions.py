"""Closing an action with an effectiveness check, in a real browser."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learnloop.actions import services
from learnloop.actions.models import Action, Status
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def owner(team):
    person = factories.person(email="oli.owner@example.org", full_name="Oli Owner")
    factories.membership(person, team)
    return person


def test_close_an_action_now_asking_later_then_answer_the_check(page_as, live_server, owner, team):
    action = services.create_action(by=owner, title="Add alerts for the payment queue", team=team, owner=owner,
                                    due_on=timezone.localdate() - timedelta(days=2))
    page = page_as(owner)
    page.goto("/actions/")
    todo = page.get_by_role("list", name="Actions to do")
    expect(todo.get_by_role("listitem").filter(has_text="Add alerts")).to_contain_text("Overdue")
    todo.get_by_role("link", name="Add alerts for the payment queue").click()
    expect(page).to_have_url(re.compile(rf"/actions/{action.pk}/$"))

    done = page.get_by_role("form", name="Mark as done")
    # Too early to tell without a date: the form says why and keeps the choice.
    done.get_by_label("Check on").fill("")
    done.get_by_label("Too early to tell: ask me on a date").check()
    done.get_by_role("button", name="Mark as done").click()
    expect(page.locator("#id_check_on_error")).to_have_text("Pick the date on which to check whether it worked.")
    action.refresh_from_db()
    assert action.status == Status.OPEN

    check_on = timezone.localdate() + timedelta(days=21)
    done = page.get_by_role("form", name="Mark as done")
    expect(done.get_by_label("Too early to tell: ask me on a date")).to_be_checked()
    done.get_by_label("Check on").fill(check_on.isoformat())
    done.get_by_role("button", name="Mark as done").click()
    expect(page.locator(".messages")).to_contain_text("Marked done.")
    expect(page.locator("#action-status")).to_contain_text("Done")
    expect(page.get_by_role("region", name="Did it work?")).to_contain_text("To be checked on")

    # The check date comes; the owner answers on the same page.
    Action.objects.filter(pk=action.pk).update(check_on=timezone.localdate())
    page.reload()
    check = page.get_by_role("form", name="Effectiveness check")
    check.get_by_label("It worked").check()
    check.get_by_label("Evidence").fill("Two queue backlogs caught before customers noticed.")
    check.get_by_role("button", name="Record the check").click()

    expect(page.locator(".messages")).to_contain_text("the check is recorded")
    result = page.get_by_role("region", name="Did it work?")
    expect(result).to_contain_text("It worked")
    expect(result).to_contain_text("Two queue backlogs caught before customers noticed.")
    action.refresh_from_db()
    assert (action.status, action.effect, action.checked_by) == (Status.DONE, "worked", owner)


def test_comment_appears_without_reloading(page_as, live_server, owner, team):
    action = services.create_action(by=owner, title="Share the on-call handbook", team=team, owner=owner)
    page = page_as(owner)
    page.goto(f"/actions/{action.pk}/")
    page.evaluate("window.__stillTheSamePage = true")
    page.get_by_label("Your comment").fill("Draft is in the shared folder.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#comments")).to_contain_text("Draft is in the shared folder.")
    expect(page.get_by_label("Your comment")).to_have_value("")
    assert page.evaluate("window.__stillTheSamePage") is True


def test_every_action_page_labels_its_fields(page_as, live_server, owner, team):
    from tests.browser.test_accessibility import label_problems

    factories.membership(factories.person(), team, role="facilitator")
    open_action = services.create_action(by=owner, title="Open one", team=team, owner=owner)
    checked_later = services.create_action(by=owner, title="Check later", team=team, owner=owner)
    services.complete_action(by=owner, action=checked_later, check_on=timezone.localdate() + timedelta(days=3))
    page = page_as(owner)
    problems = []
    for path in ("/actions/", "/actions/new/", f"/actions/team/{team.pk}/", f"/actions/{open_action.pk}/",
                 f"/actions/{open_action.pk}/edit/", f"/actions/{checked_later.pk}/"):
        problems += label_problems(page, path)
    assert problems == []
