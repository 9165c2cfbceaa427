"""What the session pages show once there is a year of sessions: running ones apart from past ones,
a closed session's summary that stops polling, actions linked to their own page, and grouping
controls only for the people taking part."""

from django.utils import timezone

from learnloop.reflection import cards, follow_up
from learnloop.reflection.models import Session
from tests import factories
from tests.conftest import signed_in_client
from tests.reflection.conftest import join, move_to


def test_running_sessions_are_listed_apart_from_past_ones(make_session, facilitator):
    running = make_session(title="Sprint 9 retro")
    finished = move_to(make_session(title="Sprint 8 retro"), "closed", by=facilitator)
    page = signed_in_client(facilitator).get("/sessions/").content.decode()
    running_part, past_part = page.split('id="past-heading"')
    assert "Running now" in running_part and running.title in running_part and finished.title not in running_part
    assert finished.title in past_part and running.title not in past_part


def test_a_closed_session_shows_its_summary_without_polling(session, facilitator, writer, keys):
    session = move_to(session, "reflect", by=facilitator)
    join(session, writer)
    cards.write_card(by=writer, session=session, column="stop", text="Late reviews", writer_key=keys["w"])
    session = move_to(session, "discuss", by=facilitator)
    action = follow_up.create_session_action(by=facilitator, session=session, title="Review within a day",
                                             owner=writer)
    session = move_to(session, "closed", by=facilitator)

    page = signed_in_client(facilitator).get(f"/sessions/{session.pk}/").content.decode()
    assert "Summary" in page and "Late reviews" in page
    assert "hx-trigger" not in page, "nothing changes in a closed session: no need to poll"
    assert "Next phase" not in page and "Raise anonymity" not in page
    assert f'href="/actions/{action.pk}/"' in page
    assert f"on {timezone.localtime(Session.objects.get(pk=session.pk).closed_at):%-d %b %Y}" in page


def test_only_people_taking_part_get_grouping_controls(session, facilitator, writer, keys):
    session = move_to(session, "reflect", by=facilitator)
    join(session, writer)
    first = cards.write_card(by=writer, session=session, column="stop", text="Slow builds", writer_key=keys["w"])
    second = cards.write_card(by=writer, session=session, column="stop", text="Flaky tests", writer_key=keys["w"])
    session = move_to(session, "group", by=facilitator)
    cards.group_cards(by=writer, session=session, cards=[first], title="CI")
    watcher = factories.person(role="learning_lead")  # may look at every session, takes part in none

    watching = signed_in_client(watcher).get(f"/sessions/{session.pk}/").content.decode()
    assert "Slow builds" in watching and "Flaky tests" in watching
    assert "Group selected cards" not in watching and "Take out of group" not in watching
    assert 'name="cards"' not in watching and "/rename/" not in watching
    taking_part = signed_in_client(writer).get(f"/sessions/{session.pk}/").content.decode()
    assert "Group selected cards" in taking_part and "Take out of group" in taking_part
    assert f'value="{second.pk}"' in taking_part
