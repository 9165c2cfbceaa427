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

    member.goto(f"/sessions/{session.pk}/summary/")
    with member.expect_download() as download:
        member.get_by_role("link", name="Markdown").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "**Decision:** Cap planning at 45 minutes" in text and "Long planning meetings — Mo Member" in text
