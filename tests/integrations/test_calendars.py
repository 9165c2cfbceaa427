"""iCalendar feeds, parsed back with the `icalendar` library: what they hold, who sees what,
rotating and removing the secret address."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from icalendar import Calendar

from learnloop.actions import services as actions
from learnloop.integrations import calendars
from learnloop.integrations.models import CalendarFeed
from tests import factories

pytestmark = pytest.mark.django_db


def path_of(token: str) -> str:
    return calendars.feed_url(token).split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def events_of(client, token: str) -> dict[str, object]:
    answer = client.get(path_of(token))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_a_personal_feed_has_due_dates_checks_and_reviews(client, admin, member, team):
    from learnloop.knowledge import services as knowledge

    factories.membership(member, team)
    due = date.today() + timedelta(days=5)
    mine = actions.create_action(by=member, title="Write the runbook", owner=member, team=team, due_on=due)
    actions.create_action(by=admin, title="Someone else's", owner=admin, team=team, due_on=due)
    done = actions.create_action(by=member, title="Try canaries", owner=member, team=team)
    actions.complete_action(by=member, action=done, check_on=due + timedelta(days=30))
    entry = knowledge.create_entry(by=member, kind="lesson", title="Canaries catch it", body="b",
                                   review_interval_days=30)
    token = calendars.issue_feed(by=member)

    events = events_of(client, token)
    assert set(events) == {"Due: Write the runbook", "Check: Try canaries", "Review: Canaries catch it"}
    due_event = events["Due: Write the runbook"]
    assert due_event.decoded("DTSTART") == due
    assert due_event.decoded("DTEND") == due + timedelta(days=1)
    assert str(due_event["URL"]).endswith(f"/actions/{mine.pk}/")
    assert events["Check: Try canaries"].decoded("DTSTART") == due + timedelta(days=30)
    assert events["Review: Canaries catch it"].decoded("DTSTART") == timezone.localdate(entry.review_due_at)


def test_a_team_feed_shows_the_team_as_its_owner_sees_it(client, admin, member, team):
    from learnloop.knowledge import services as knowledge

    other = factories.team(name="Search")
    factories.membership(member, team)
    due = date.today() + timedelta(days=3)
    actions.create_action(by=admin, title="Team work", team=team, due_on=due)
    actions.create_action(by=admin, title="Other team's work", team=other, due_on=due)
    knowledge.create_entry(by=admin, kind="lesson", title="Team lesson", body="b", owner_team=team,
                           teams=[team], visibility="team")
    token = calendars.issue_feed(by=member, team=team)
    assert set(events_of(client, token)) == {"Due: Team work", "Review: Team lesson"}

    with pytest.raises(PermissionDenied):
        calendars.issue_feed(by=member, team=other)


def test_session_deadlines_are_timed_events(client, admin, team):
    from learnloop.reflection import services as reflection
    from learnloop.reflection.models import Session

    factories.membership(admin, team, role="facilitator")
    template = reflection.builtin_template("start-stop-continue")
    session = reflection.create_session(by=admin, team=team, template=template, title="Sprint 12 retro",
                                        held_on=date.today() + timedelta(days=1))
    deadline = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    Session.objects.filter(pk=session.pk).update(phase_deadlines={"reflect": deadline.isoformat()})
    events = events_of(client, calendars.issue_feed(by=admin, team=team))
    assert events["Sprint 12 retro: reflect phase ends"].decoded("DTSTART") == deadline
    assert events["Session: Sprint 12 retro"].decoded("DTSTART") == date.today() + timedelta(days=1)


def test_rotating_stops_the_old_address(client, member):
    old = calendars.issue_feed(by=member)
    new = calendars.issue_feed(by=member)
    assert client.get(path_of(old)).status_code == 404
    assert client.get(path_of(new)).status_code == 200
    assert CalendarFeed.objects.filter(person=member).count() == 1
    assert not CalendarFeed.objects.filter(token_hash__contains=new[6:20]).exists()  # only the hash is kept


def test_a_feed_stops_when_its_owner_loses_access(client, member, team):
    membership = factories.membership(member, team)
    token = calendars.issue_feed(by=member, team=team)
    assert client.get(path_of(token)).status_code == 200
    membership.delete()
    from learnloop.org import membership as org_membership

    org_membership._forget_every_answer()
    assert client.get(path_of(token)).status_code == 404


def test_a_deactivated_owner_s_feed_stops(client, member):
    token = calendars.issue_feed(by=member)
    member.is_active, member.deactivated_at = False, timezone.now()
    member.save(update_fields=["is_active", "deactivated_at"])
    assert client.get(path_of(token)).status_code == 404


def test_unknown_tokens_are_404(client):
    assert client.get("/integrations/calendars/feed/llcal_nope.ics").status_code == 404
    assert client.get("/integrations/calendars/feed/x.ics").status_code == 404


def test_calendar_pages_and_api(member, member_client, team, api_as):
    factories.membership(member, team)
    made = member_client.post("/integrations/calendars/new/", {"team": team.pk})
    assert made.status_code == 302
    page = member_client.get("/integrations/calendars/").content.decode()
    assert "/integrations/calendars/feed/llcal_" in page and f"Team {team.name}" in page
    assert member_client.post("/integrations/calendars/new/", {"team": "abc"}).status_code == 302
    assert member_client.post("/integrations/calendars/new/", {"team": 99999}).status_code == 403

    client = api_as(member)
    created = client.post("/api/v1/calendars", {}, content_type="application/json")
    assert created.status_code == 201 and "/integrations/calendars/feed/llcal_" in created.json()["url"]
    assert client.get("/api/v1/calendars").json()["count"] == 2
    assert client.delete("/api/v1/calendars").status_code == 204
    assert client.delete("/api/v1/calendars").status_code == 404
    assert client.post("/api/v1/calendars", {"team_id": 99999}, content_type="application/json").status_code == 404
