import re

import pytest
from playwright.sync_api import expect

from learnloop.knowledge.models import Entry
from tests import factories

pytestmark = pytest.mark.browser


def test_ask_answer_the_asker_is_notified_votes_and_accepts(page_as, live_server, member):
    peer = factories.person(full_name="Pat Peer")
    asker = page_as(member)
    asker.goto("/knowledge/new/?kind=question")
    asker.get_by_label("Title").fill("Who approves a night-time database restore?")
    asker.get_by_label("Details").fill("The on-call DBA rota is gone.")
    asker.get_by_role("button", name="Save question").click()
    expect(asker.get_by_role("heading", level=1)).to_have_text("Who approves a night-time database restore?")
    question = Entry.objects.get(kind="question")
    # Nobody answered yet: the question is in the unanswered queue.
    asker.goto("/knowledge/unanswered/")
    expect(asker.get_by_role("link", name="Who approves a night-time database restore?")).to_be_visible()

    answerer = page_as(peer)
    answerer.goto(f"/knowledge/{question.pk}/")
    answerer.get_by_label("Your answer").fill("The incident commander, since the rota change.")
    answerer.get_by_role("button", name="Post answer").click()
    expect(answerer.locator("#answers")).to_contain_text("Your answer was posted.")
    # Nobody votes on their own answer.
    expect(answerer.get_by_role("button", name=re.compile("Useful.*Pat Peer"))).to_have_count(0)

    # The asker finds the notice in their notifications and follows it to the question.
    asker.goto("/knowledge/notifications/")
    expect(asker.get_by_text("1 unread")).to_be_visible()
    asker.get_by_role("link", name=re.compile("Pat Peer answered your question")).click()
    expect(asker.get_by_role("heading", level=1)).to_have_text("Who approves a night-time database restore?")

    asker.get_by_role("button", name=re.compile("Useful.*Pat Peer")).click()
    expect(asker.locator("#answers")).to_contain_text("1 vote")
    asker.get_by_role("button", name="Accept the answer by Pat Peer").click()
    expect(asker.locator("#answers")).to_contain_text("✓ Accepted answer")
    question.refresh_from_db()
    assert question.accepted_answer.author == peer

    asker.goto("/knowledge/unanswered/")
    expect(asker.get_by_text("Every question here has an answer.")).to_be_visible()
    asker.goto("/knowledge/notifications/")
    asker.get_by_role("button", name="Mark all read").click()
    expect(asker.get_by_text("1 notification marked read.")).to_be_visible()
