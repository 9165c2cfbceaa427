import pytest
from playwright.sync_api import expect

from learnloop.knowledge.models import Entry
from tests import factories

pytestmark = pytest.mark.browser


def test_ask_a_question_get_an_answer_and_accept_it(page_as, live_server, member):
    peer = factories.person(full_name="Pat Peer")
    asker = page_as(member)
    asker.goto("/knowledge/new/?kind=question")
    asker.get_by_label("Title").fill("How do we rotate database credentials?")
    asker.get_by_label("Details").fill("Without downtime, ideally.")
    asker.get_by_role("button", name="Save question").click()
    expect(asker.get_by_role("heading", level=1)).to_have_text("How do we rotate database credentials?")
    expect(asker.locator("#answers")).to_contain_text("No answers yet.")
    question = Entry.objects.get(kind="question")

    # Someone else answers, in their own browser.
    answerer = page_as(peer)
    answerer.goto(f"/knowledge/{question.pk}/")
    answerer.get_by_label("Your answer").fill("Create the **new** user first, then switch the app over.")
    answerer.get_by_role("button", name="Post answer").click()
    answers = answerer.locator("#answers")
    expect(answers.get_by_role("heading", level=2)).to_have_text("1 answer")
    expect(answers.locator("strong", has_text="new")).to_be_visible()  # rendered Markdown
    expect(answers).to_contain_text("Your answer was posted.")
    expect(answerer.get_by_label("Your answer")).to_have_value("")
    # Only the asker (or the owner side) picks the accepted answer.
    expect(answers.get_by_role("button", name="Accept the answer by Pat Peer")).to_have_count(0)

    asker.reload()
    asker.get_by_role("button", name="Accept the answer by Pat Peer").click()
    expect(asker.locator("#answers")).to_contain_text("✓ Accepted answer")
    expect(asker.get_by_role("button", name="Unaccept the answer by Pat Peer")).to_be_visible()
    question.refresh_from_db()
    assert question.accepted_answer.author == peer

    answerer.reload()
    expect(answerer.locator("#answers")).to_contain_text("✓ Accepted answer")
