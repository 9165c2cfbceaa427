"""Workshops in iCalendar feeds (integrations/calendars.py): a person's feed holds the workshops
they have a place at, wait for or host, timed, with the place; cancelled ones drop out."""

from datetime import timedelta

from icalendar import Calendar

from learnloop.growth import workshops
from learnloop.integrations import calendars
from tests.growth.workshop_helpers import held, upcoming


def _events(client, token: str) -> dict:
    path = calendars.feed_url(token).split("://", 1)[1].split("/", 1)[1].join(["/", ""])
    answer = client.get(path)
    assert answer.status_code == 200
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(answer.content).walk("VEVENT")}


def test_signed_up_hosted_and_waiting_workshops_are_in_the_personal_feed(client, team, lead, ana, ben):
    full = upcoming(lead, title="Kanban clinic", capacity=1, place="Dock 4")
    workshops.sign_up(by=ben, workshop=full)
    workshops.sign_up(by=ana, workshop=full)  # waits
    mine = upcoming(lead, title="SQL for planners", days=9, link="https://meet.example.org/sql", place="")
    workshops.sign_up(by=ana, workshop=mine)
    upcoming(lead, title="Not for Ana", days=4)
    gone = upcoming(lead, title="Called off", days=5)
    workshops.sign_up(by=ana, workshop=gone)
    workshops.cancel_workshop(by=lead, workshop=gone)
    left = upcoming(lead, title="Changed my mind", days=6)
    workshops.sign_up(by=ana, workshop=left)
    workshops.cancel_signup(by=ana, workshop=left)
    held(lead, attendees=[ana], title="Last week's retro dojo", days_ago=7)

    events = _events(client, calendars.issue_feed(by=ana))
    assert set(events) == {"Waiting list: Workshop: Kanban clinic", "Workshop: SQL for planners",
                           "Workshop: Last week's retro dojo"}
    sql = events["Workshop: SQL for planners"]
    assert sql.decoded("DTSTART") == mine.starts_at.replace(microsecond=0)
    assert sql.decoded("DTEND") - sql.decoded("DTSTART") == timedelta(hours=2)
    assert str(sql["LOCATION"]) == "https://meet.example.org/sql"
    assert str(events["Waiting list: Workshop: Kanban clinic"]["LOCATION"]) == "Dock 4"
    assert str(sql["URL"]).endswith(f"/growth/workshops/{mine.pk}/")
    hosting = _events(client, calendars.issue_feed(by=lead))
    assert {"Workshop: Kanban clinic", "Workshop: Not for Ana", "Workshop: Last week's retro dojo"} <= set(hosting)
    assert "Workshop: Called off" not in hosting


def test_a_team_feed_holds_the_team_s_workshops(client, team, lead, ana):
    upcoming(lead, title="Payments pairing hour", team=team)
    upcoming(lead, title="Org-wide talk")
    events = _events(client, calendars.issue_feed(by=ana, team=team))
    assert "Workshop: Payments pairing hour" in events and "Workshop: Org-wide talk" not in events
