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


def test_the_author_edits_their_answer_and_an_admin_hides_it_with_a_reason(page_as, live_server, member):
    from learnloop.knowledge import services

    author = factories.person(full_name="Pat Peer")
    admin = factories.person(full_name="Ali Admin", role="admin")
    question = services.create_entry(by=member, kind="question", title="Where do the deploy keys live?")
    answer = services.add_answer(by=author, question=question, body="In the old vault.")

    # The author edits in place; everyone then sees "edited".
    own = page_as(author)
    own.goto(f"/knowledge/{question.pk}/")
    own.locator(f"#answer-{answer.pk} summary", has_text="Edit").click()
    own.get_by_label("Answer text").fill("In the new vault, under deploy/.")
    own.get_by_role("button", name="Save answer").click()
    article = own.locator(f"#answer-{answer.pk}")
    expect(article).to_contain_text("In the new vault, under deploy/.")
    expect(article).to_contain_text("edited")

    # An admin has no Edit, only Hide, which needs a reason.
    moderator = page_as(admin)
    moderator.goto(f"/knowledge/{question.pk}/")
    article = moderator.locator(f"#answer-{answer.pk}")
    expect(article.locator("summary", has_text="Edit")).to_have_count(0)
    article.locator("summary", has_text="Hide").click()
    moderator.get_by_role("button", name="Hide answer").click()
    expect(article).to_contain_text("Say why the answer is hidden")
    moderator.get_by_label("Why hide it?").fill("Keys moved again; see the runbook.")
    moderator.get_by_role("button", name="Hide answer").click()
    expect(moderator.locator(f"#answer-{answer.pk}")).to_contain_text(
        "Hidden by Ali Admin: Keys moved again; see the runbook.")

    # Another reader sees who hid it and why, not the text (the asker, who owns the question,
    # still would).
    reader = page_as(factories.person(full_name="Rita Reader"))
    reader.goto(f"/knowledge/{question.pk}/")
    article = reader.locator(f"#answer-{answer.pk}")
    expect(article).to_contain_text("Hidden by Ali Admin: Keys moved again; see the runbook.")
    expect(article).not_to_contain_text("In the new vault")
    answer.refresh_from_db()
    assert answer.body == "In the new vault, under deploy/."
