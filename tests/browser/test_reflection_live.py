import pytest
from playwright.sync_api import Error, expect

from learnloop.reflection import services
from learnloop.reflection.models import Card
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def people(team):
    fran = factories.person(full_name="Fran Facilitator")
    factories.membership(fran, team, role="facilitator")
    mo = factories.person(full_name="Mo Member")
    factories.membership(mo, team)
    return fran, mo


def _reload(page):
    """Reload, unless the board's live refresh is navigating already: then that load counts (a
    reload started in the middle of it is aborted, which is the browser's answer, not the app's)."""
    try:
        page.reload()
    except Error as error:
        if "ERR_ABORTED" not in str(error):
            raise
        page.wait_for_load_state("load")


def _session(team, fran, anonymity):
    return services.create_session(by=fran, team=team, template=services.builtin_template("start-stop-continue"),
                                   title="Sprint 9 retro", anonymity=anonymity)


def _write(page, column, text):
    page.get_by_label("Column").select_option(label=column)
    page.get_by_label("Your card", exact=True).fill(text)
    page.get_by_role("button", name="Add card").click()
    expect(page.get_by_text("Card added.")).to_be_visible()


def test_a_retro_run_live_by_two_people(page_as, team, people):
    fran, mo = people
    session = _session(team, fran, "named")
    facilitator, member = page_as(fran), page_as(mo)
    facilitator.goto(f"/sessions/{session.pk}/")
    member.goto(f"/sessions/{session.pk}/")
    facilitator.get_by_role("button", name="Next phase: reflect").click()
    # The member's board follows the phase change without a reload.
    expect(member.get_by_test_id("phase")).to_have_text("Reflect")
    expect(member.get_by_label("Your card", exact=True)).to_be_visible()

    _write(member, "Stop", "Long planning meetings")
    _write(facilitator, "Stop", "Planning meetings run too long")
    _write(facilitator, "Continue", "Demo on Fridays")
    expect(member.get_by_test_id("cards-written")).to_have_text("3 cards written")
    expect(member.get_by_text("Demo on Fridays")).to_have_count(0)  # private until revealed
    member.get_by_role("button", name="I'm done writing").click()
    expect(facilitator.locator("#live-status")).to_contain_text("1 done: Mo Member")

    facilitator.get_by_role("button", name="Reveal cards").click()
    expect(member.get_by_text("Demo on Fridays")).to_be_visible()
    facilitator.get_by_role("button", name="Next phase: group").click()
    expect(member.get_by_test_id("phase")).to_have_text("Group")
    # Similar cards are suggested as a group; the member accepts the suggestion.
    member.get_by_label("Title for this suggested group").fill("Planning")
    member.get_by_role("button", name="Accept suggestion").click()
    expect(member.get_by_role("heading", name="Planning")).to_be_visible()

    _reload(facilitator)
    facilitator.get_by_role("button", name="Next phase: vote").click()
    expect(member.get_by_test_id("votes-left")).to_have_text("(3 votes left)")
    member.get_by_role("button", name="Vote for Planning").click()
    # Each vote is a full form post: wait for the first page to land before the second click,
    # or the second click can fall on the page being replaced.
    expect(member.get_by_test_id("votes-left")).to_have_text("(2 votes left)")
    member.get_by_role("button", name="Vote for Planning").click()
    expect(member.get_by_test_id("votes-left")).to_have_text("(1 vote left)")
    facilitator.get_by_role("button", name="Vote for Demo on Fridays").click()
    expect(facilitator.get_by_text("Vote cast.")).to_be_visible()
    # While voting nobody sees tallies, the facilitator included, and groups are listed by title.
    expect(facilitator.get_by_test_id("votes")).to_have_count(0)
    expect(facilitator.locator("article.group").first).to_contain_text("Demo on Fridays")

    facilitator.get_by_role("button", name="Next phase: discuss").click()
    expect(member.get_by_test_id("phase")).to_have_text("Discuss")
    first_group = member.locator("article.group").first
    expect(first_group).to_contain_text("Planning")
    expect(first_group.get_by_test_id("votes")).to_have_text("2 votes")
    # Going back to vote now would restart the vote, and the control says so.
    _reload(facilitator)
    expect(facilitator.get_by_test_id("restart-vote-note")).to_contain_text("restarts voting")

    facilitator.get_by_role("button", name="Next phase: actions").click()
    facilitator.get_by_label("Action", exact=True).fill("Timebox planning to 45 minutes")
    facilitator.get_by_label("Owner").select_option(label="Mo Member")
    facilitator.get_by_role("button", name="Create action").click()
    expect(facilitator.get_by_text("Action created.")).to_be_visible()
    _reload(member)
    expect(member.locator("#actions-heading + ul")).to_contain_text("Timebox planning to 45 minutes")


def test_in_an_anonymous_session_the_facilitator_cannot_tell_who_wrote_a_card(page_as, team, people):
    fran, mo = people
    session = _session(team, fran, "anonymous")
    facilitator, member = page_as(fran), page_as(mo)
    facilitator.goto(f"/sessions/{session.pk}/")
    facilitator.get_by_role("button", name="Next phase: reflect").click()
    member.goto(f"/sessions/{session.pk}/")
    _write(member, "Start", "Ask for help earlier")
    expect(member.get_by_text("(yours)")).to_be_visible()
    member.get_by_role("button", name="I'm done writing").click()
    expect(facilitator.locator("#live-status")).to_contain_text("1 done")
    expect(facilitator.locator("#live-status")).not_to_contain_text("Mo Member")
    # Two people: "not me" tells each who wrote the other cards, and the facilitator is told.
    _reload(facilitator)
    expect(facilitator.get_by_test_id("weak-anonymity")).to_contain_text("Anonymity is weak")
    facilitator.get_by_role("button", name="Reveal cards (anonymity is weak)").click()
    card = facilitator.locator("li[data-card]", has_text="Ask for help earlier")
    expect(card).to_be_visible()
    expect(card).not_to_contain_text("Mo")
    assert "Mo Member" not in facilitator.content()
    assert Card.objects.get(text="Ask for help earlier").author_id is None
