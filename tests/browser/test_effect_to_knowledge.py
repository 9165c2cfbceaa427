"""The joint between actions and lessons, in a real browser: a retro's action is done and worked,
its result goes into the retro's lesson, and the lesson shows the outcome."""

import re

import pytest
from playwright.sync_api import expect

from learnloop.knowledge.models import Entry
from tests.links.conftest import lead, member, retro, writer  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_retro_action_worked_and_the_lesson_shows_the_outcome(page_as, live_server, retro, member):  # noqa: F811
    action, lesson = retro["action"], retro["lesson"]
    page = page_as(member)
    page.goto(f"/actions/{action.pk}/")
    done = page.get_by_role("form", name="Mark as done")
    done.get_by_label("It worked").check()
    done.get_by_label("Evidence").fill("No failed release in six weeks.")
    done.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_role("region", name="Did it work?")).to_contain_text("It worked")

    keep = page.get_by_role("form", name="Add this result to a lesson")
    keep.get_by_label("Add it as evidence to a lesson").select_option(label="Deploy before Thursday noon")
    keep.get_by_role("button", name="Add to the lesson").click()

    expect(page).to_have_url(re.compile(rf"/knowledge/{lesson.pk}/$"))
    evidence = page.get_by_role("region", name="Evidence from outcomes")
    expect(evidence).to_contain_text("Verified by outcome")
    expect(evidence).to_contain_text("No failed release in six weeks.")
    evidence.get_by_role("link", name=re.compile("Move the release to Wednesday")).click()
    expect(page).to_have_url(re.compile(rf"/actions/{action.pk}/#check$"))
    expect(page.get_by_role("region", name="Lessons", exact=True)).to_contain_text("Deploy before Thursday noon")
    assert Entry.objects.get(pk=lesson.pk).verified_by_outcome_at is not None
