import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learnloop.knowledge import services
from learnloop.knowledge.models import Application, Feedback
from tests import factories

pytestmark = pytest.mark.browser


def test_apply_a_lesson_and_say_it_helped(page_as, live_server, member):
    author = factories.person(full_name="Ann Author")
    lesson = services.create_entry(by=author, kind="lesson", title="Keep feature flags short-lived",
                                   body="Remove a flag within two sprints.")
    page = page_as(member)
    page.goto(f"/knowledge/{lesson.pk}/")
    page.evaluate("window.__stillTheSamePage = true")
    applications = page.locator("#applications")
    expect(applications.get_by_role("heading")).to_have_text("Applied 0 times")

    page.get_by_text("I applied this").click()
    page.get_by_label("Where did you apply it?").fill("Checkout redesign")
    page.get_by_label("Outcome", exact=True).select_option(label="It worked")
    page.get_by_label("Note").fill("Deleted four stale flags.")
    page.get_by_role("button", name="Record it").click()

    expect(applications.get_by_role("heading")).to_have_text("Applied 1 time")
    expect(page.locator("#entry-reuse")).to_have_text("Applied 1 time")  # the header's count too
    expect(applications).to_contain_text("Mo Member")
    expect(applications).to_contain_text("Checkout redesign")
    expect(applications).to_contain_text("It worked")
    expect(page.locator("#entry-status")).to_have_text("Recorded. Applied 1 time.")

    feedback = page.locator("#feedback")
    feedback.get_by_role("button", name="Yes").click()
    expect(feedback).to_contain_text("1 found it helpful · 0 didn't")
    expect(feedback.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__stillTheSamePage") is True

    application = Application.objects.get()
    assert (application.person, application.outcome, application.context) == (member, "worked", "Checkout redesign")
    assert Feedback.objects.get().helpful is True
    lesson.refresh_from_db()
    assert lesson.application_count == 1

    page.reload()
    expect(page.locator("#entry-reuse")).to_have_text("Applied 1 time")
    expect(page.locator("#feedback").get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")


def test_verify_an_entry_from_the_review_queue(page_as, live_server, member, team):
    factories.membership(member, team)
    ten_days_ago = timezone.now() - timedelta(days=10)
    mine = services.create_entry(by=member, kind="playbook", title="Restore last night's backup",
                                 body="Steps.", review_interval_days=7, created_at=ten_days_ago)
    ours = services.create_entry(by=member, kind="lesson", title="Rotate the on-call weekly", body="Text.",
                                 owner_team=team, review_interval_days=3, created_at=ten_days_ago)
    page = page_as(member)
    page.goto("/")
    expect(page.get_by_role("article").filter(has_text="Due for your review").get_by_role("link", name=mine.title))\
        .to_be_visible()
    page.get_by_role("link", name="Open the review queue").click()

    queue = page.get_by_role("list", name="Entries to review")
    # Most overdue first.
    expect(queue.get_by_role("heading")).to_have_text([ours.title, mine.title])
    row = page.locator(f"#review-{mine.pk}")
    expect(row).to_contain_text("Due for review")
    row.get_by_role("button", name=re.compile(rf"^Verify “{re.escape(mine.title)}”")).click()
    expect(row.get_by_role("status")).to_contain_text("Verified. Next review on")

    mine.refresh_from_db()
    assert mine.freshness() == "fresh"
    assert mine.last_verified_by == member
    page.reload()
    expect(page.get_by_role("list", name="Entries to review").get_by_role("heading")).to_have_text([ours.title])


def test_accept_a_decision_then_supersede_it(page_as, live_server, member):
    old = services.create_entry(by=member, kind="decision", title="Nightly batch payouts",
                                context="Payouts ran by hand.", decision="Run payouts in one nightly batch.")
    new = services.create_entry(by=member, kind="decision", title="Hourly payouts",
                                context="Merchants want money sooner.", decision="Run payouts every hour.")
    page = page_as(member)
    page.goto(f"/knowledge/{new.pk}/edit/")
    expect(page.get_by_label("Decision", exact=True)).to_have_count(1)  # proposed: the content is editable
    for record in (old, new):
        page.goto(f"/knowledge/{record.pk}/")
        expect(page.get_by_role("button", name="Edit")).to_be_visible()  # proposed: still editable
        page.get_by_role("button", name="Mark accepted").click()
        expect(page.get_by_role("main")).to_contain_text("The decision is now accepted.")
    # Accepted: the content is frozen; only ownership, review and the status can change.
    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_role("note")).to_contain_text("its content is read-only")
    expect(page.get_by_label("Decision", exact=True)).to_have_count(0)

    page.goto(f"/knowledge/{old.pk}/")
    page.get_by_label("Superseded by").select_option(label="Hourly payouts")
    page.get_by_role("button", name="Mark superseded").click()
    expect(page.get_by_role("note")).to_contain_text("This decision was superseded by Hourly payouts")
    page.get_by_role("note").get_by_role("link", name="Hourly payouts").click()
    expect(page).to_have_url(re.compile(rf"/knowledge/{new.pk}/$"))
    old.refresh_from_db()
    assert (old.status, old.superseded_by_id) == ("superseded", new.pk)
