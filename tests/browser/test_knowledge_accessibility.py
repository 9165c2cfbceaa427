from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learnloop.knowledge import services
from tests import factories
from tests.browser.test_accessibility import label_problems

pytestmark = pytest.mark.browser

# Wider than the viewport means sideways scrolling on a phone.
FIND_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def knowledge(member, team):
    factories.membership(member, team)
    lesson = services.create_entry(by=member, kind="lesson", title="Roll back database migrations in two steps",
                                   body="Ship the code first.", tags=["deploys"], teams=[team])
    services.update_entry(by=member, entry=lesson, body="Ship the code first.\nThen the schema.")
    decision = services.create_entry(by=member, kind="decision", title="Use PostgreSQL for the ledger",
                                     context="Transactions.", decision="PostgreSQL.")
    question = services.create_entry(by=member, kind="question", title="Who rotates the credentials?")
    services.add_answer(by=factories.person(full_name="Pat Peer"), question=question, body="Ops does.")
    services.create_entry(by=member, kind="playbook", title="Restore last night's backup", body="Steps.",
                          review_interval_days=7, created_at=timezone.now() - timedelta(days=10))
    return [
        "/knowledge/",
        "/knowledge/?q=migrations",
        "/knowledge/new/",
        "/knowledge/new/?kind=lesson",
        "/knowledge/new/?kind=decision",
        f"/knowledge/{lesson.pk}/",
        f"/knowledge/{lesson.pk}/edit/",
        f"/knowledge/{lesson.pk}/history/",
        f"/knowledge/{lesson.pk}/diff/?from=1&to=2",
        f"/knowledge/{decision.pk}/",
        f"/knowledge/{question.pk}/",
        "/knowledge/reviews/",
    ]


def test_every_knowledge_form_field_has_a_label(page_as, live_server, member, knowledge):
    page = page_as(member)
    problems = []
    for path in knowledge:
        problems += label_problems(page, path)
        # One h1 per page, and the page's regions are landmarks.
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        expect(page.get_by_role("main")).to_have_count(1)
    assert problems == []


def test_the_knowledge_pages_fit_a_phone(page_as, live_server, member, knowledge):
    page = page_as(member)
    page.set_viewport_size({"width": 375, "height": 740})
    overflowing = []
    for path in knowledge:
        page.goto(path)
        if page.evaluate(FIND_OVERFLOW) > 0:
            overflowing.append(path)
    assert overflowing == []
