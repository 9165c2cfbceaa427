"""A facilitator runs a timer the member sees count down, writes a group's notes and decision in
the discussion, and shares the summary, which the member downloads as Markdown."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from learnloop.reflection import cards, services
from tests import factories
from tests.reflection.conftest import move_to

pytestmark = pytest.mark.browser


def test_timer_notes_and_summary(page_as, team):
    fran = factories.person(full_name="Fran Facilitator")
    factories.membership(fran, team, role="facilitator")
    mo = factories.person(full_name="Mo Member")
    factories.membership(mo, team)
    session = services.create_session(by=fran, team=team, template=services.builtin_template("start-stop-continue"),
                                      title="Sprint 9 retro", anonymity="named")
    for person in (fran, mo):
        services.join_session(by=person, session=session)
    session = move_to(session, "reflect", by=fran)
    cards.write_card(by=mo, session=session, column="stop", text="Long planning meetings", writer_key=None)

    facilitator, member = page_as(fran), page_as(mo)
    facilitator.goto(f"/sessions/{session.pk}/")
    member.goto(f"/sessions/{session.pk}/")
    facilitator.get_by_label("Timer, minutes").fill("3")
    facilitator.get_by_role("button", name="Start timer").click()
    expect(facilitator.get_by_text("Timer set: 3 minutes.")).to_be_visible()
    # The member's board shows the time left at its next poll, without a reload.
    expect(member.get_by_test_id("timer")).to_contain_text("left")

    move_to(session, "discuss", by=fran)
    # The board follows the phase change by itself (a reload now would race with it).
    expect(facilitator.get_by_label("Discussion notes for Long planning meetings")).to_be_visible()
    facilitator.get_by_label("Discussion notes for Long planning meetings").fill("Planning takes two hours.")
    facilitator.get_by_label("Decision for Long planning meetings").fill("Cap planning at 45 minutes")
    facilitator.get_by_role("button", name="Save notes").click()
    expect(facilitator.get_by_text("Notes saved for “Long planning meetings”.")).to_be_visible()

    facilitator.get_by_role("link", name="Summary").click()
    expect(facilitator.get_by_test_id("decision")).to_contain_text("Cap planning at 45 minutes")
    facilitator.get_by_role("button", name="Make a share link").click()
    expect(facilitator.get_by_text("Share link (shown once")).to_be_visible()

    # The member's board still polls and follows phase changes by itself: a navigation of its
    # own starting just then would abort this one (seen once under load), so leave it first.
    member.goto("about:blank")
    member.goto(f"/sessions/{session.pk}/summary/")
    with member.expect_download() as download:
        member.get_by_role("link", name="Markdown").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "**Decision:** Cap planning at 45 minutes" in text and "Long planning meetings — Mo Member" in text


def drag(page, source, target):
    """The HTML5 drag events a mouse drag fires (dragstart, dragover, drop), with one DataTransfer:
    headless Chromium under Playwright does not start a native drag from a card holding buttons."""
    transfer = page.evaluate_handle("() => new DataTransfer()")
    source.dispatch_event("dragstart", {"dataTransfer": transfer})
    target.dispatch_event("dragover", {"dataTransfer": transfer})
    target.dispatch_event("drop", {"dataTransfer": transfer})


def test_cards_are_grouped_by_dragging_them(page_as, team):
    from learnloop.reflection.models import Card, Group

    fran = factories.person(full_name="Fran Facilitator")
    factories.membership(fran, team, role="facilitator")
    session = services.create_session(by=fran, team=team, template=services.builtin_template("start-stop-continue"),
                                      title="Drag retro", anonymity="named")
    services.join_session(by=fran, session=session)
    session = move_to(session, "reflect", by=fran)
    for text in ("Flaky tests", "Builds are slow", "Coffee machine broke", "Great demo"):
        cards.write_card(by=fran, session=session, column="stop", text=text, writer_key=None)
    session = move_to(session, "group", by=fran)
    cards.group_cards(by=fran, session=session, cards=list(Card.objects.filter(text="Flaky tests")),
                      title="Quality")

    page = page_as(fran)
    page.goto(f"/sessions/{session.pk}/")
    quality = page.locator("article[data-drop-group]", has_text="Quality")
    drag(page, page.locator("li[draggable=true]", has_text="Builds are slow"), quality)
    expect(page.locator("article[data-drop-group]", has_text="Quality")).to_contain_text("Builds are slow")
    assert sorted(Card.objects.filter(group__title="Quality").values_list("text", flat=True)) == [
        "Builds are slow", "Flaky tests"]

    drag(page, page.locator("li[draggable=true]", has_text="Coffee machine broke"),
         page.locator("li[draggable=true]", has_text="Great demo"))
    expect(page.locator("article[data-drop-group]", has_text="Great demo")).to_contain_text("Coffee machine broke")
    assert Group.objects.filter(session=session).count() == 2


def test_check_in_round(page_as, team):
    fran = factories.person(full_name="Fran Facilitator")
    factories.membership(fran, team, role="facilitator")
    mo = factories.person(full_name="Mo Member")
    factories.membership(mo, team)
    session = services.create_session(by=fran, team=team, template=services.builtin_template("start-stop-continue"),
                                      title="Sprint 10 retro", anonymity="anonymous")
    facilitator, member = page_as(fran), page_as(mo)
    facilitator.goto(f"/sessions/{session.pk}/")
    facilitator.get_by_label("Ask a check-in question (optional)").fill("One word for how you arrive today?")
    facilitator.get_by_role("button", name="Ask").click()
    expect(facilitator.get_by_text("Check-in question set.")).to_be_visible()

    member.goto(f"/sessions/{session.pk}/")
    member.get_by_label("Your answer").fill("Curious")
    member.get_by_role("button", name="Check in").click()
    expect(member.get_by_text("1 answer so far")).to_be_visible()
    facilitator.reload()
    expect(facilitator.get_by_test_id("checkin")).not_to_contain_text("Curious")

    move_to(session, "reflect", by=fran)
    facilitator.reload()
    expect(facilitator.get_by_test_id("checkin")).to_contain_text("Curious")
    expect(facilitator.get_by_test_id("checkin")).not_to_contain_text("Mo Member")
