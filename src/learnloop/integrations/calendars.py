"""iCalendar feeds: a secret URL per person (their own dates) and per team (the team's dates, as
the URL's owner may see them).

The token is in the URL because calendar apps can't send headers; only its SHA-256 is stored, so
a database copy doesn't hold working URLs. Rotating replaces the hash: the old URL answers 404 at
once. A feed is read as its owner: a deactivated owner's feeds stop, a team feed stops when the
owner may no longer see the team, and it shows only what the owner may see.

What a feed holds (all-day events unless a time is known):
- actions: the due date of open and in-progress ones ("Due: …"), the effectiveness check date of
  done ones still unchecked ("Check: …");
- knowledge: the review date of entries owned (by the person, or the team) that are not obsolete;
- reflection sessions: the day each is held (the last 180 days and later), and each deadline of
  an open asynchronous session's phases (timed);
- workshops (timed, with their place or link): in a person's feed those they have a place at,
  wait for ("Waiting list: …") or host; in a team's feed the team's own; not cancelled ones, and
  not those that ended more than 180 days ago.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from learnloop.actions import permissions as action_permissions
from learnloop.actions.models import Action, Status
from learnloop.growth import workshop_selectors
from learnloop.integrations.models import CalendarFeed
from learnloop.knowledge import permissions as knowledge_permissions
from learnloop.knowledge.models import Entry
from learnloop.org.membership import is_active_person, led_team_ids, member_team_ids
from learnloop.org.models import Team
from learnloop.reflection import permissions as reflection_permissions
from learnloop.reflection.models import Phase, Session

SESSION_HISTORY_DAYS = 180  # sessions held longer ago than this are left out of feeds
TOKEN_PREFIX = "llcal_"  # noqa: S105 (a prefix, not a secret)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return settings.BASE_URL + reverse("integrations:feed", kwargs={"token": token})


def may_have_team_feed(person, team: Team) -> bool:
    return action_permissions.can_see_team(person, team)


def issue_feed(*, by, team: Team | None = None) -> str:
    """Create the feed, or rotate its secret: returns the new token (shown once)."""
    if not is_active_person(by):
        raise PermissionDenied(gettext("Sign in first."))
    if team is not None and not may_have_team_feed(by, team):
        raise PermissionDenied(gettext("You can only subscribe to the calendars of teams you see."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(person=by, team=team).delete()
        CalendarFeed.objects.create(person=by, team=team, token_hash=_hash(token))
    return token


def revoke_feed(*, by, team: Team | None = None) -> bool:
    return bool(CalendarFeed.objects.filter(person=by, team=team).delete()[0])


def feeds_of(person) -> list[CalendarFeed]:
    return list(CalendarFeed.objects.filter(person=person).select_related("team").order_by("team__name", "id"))


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed this URL token opens, if it still works (owner active, team still visible)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("person", "team").filter(token_hash=_hash(token)).first()
    if feed is None or not is_active_person(feed.person):
        return None
    if feed.team is not None and not may_have_team_feed(feed.person, feed.team):
        return None
    return feed


# --- the feed's contents ---------------------------------------------------------------------------

def _link(name: str, **kwargs) -> str:
    return settings.BASE_URL + reverse(name, kwargs=kwargs)


def calendar_items(feed: CalendarFeed) -> list[dict]:
    """The feed's events as plain dicts (uid, summary, day or start, url), in a stable order."""
    person, team = feed.person, feed.team
    actions = Action.objects.filter(action_permissions.visible_q(person)).select_related("team")
    entries = Entry.objects.filter(knowledge_permissions.visible_q(person), obsolete_at__isnull=True)
    if team is None:
        actions = actions.filter(owner=person)
        entries = entries.filter(owner_person=person)
        session_teams = member_team_ids(person) | led_team_ids(person)
        sessions = Session.objects.filter(Q(team_id__in=session_teams) | Q(facilitator=person))
    else:
        actions = actions.filter(team=team)
        entries = entries.filter(owner_team=team)
        sessions = Session.objects.filter(team=team)
    items = []
    for action in actions.filter(status__in=[Status.OPEN, Status.IN_PROGRESS], due_on__isnull=False).order_by("pk"):
        items.append({"uid": f"action-{action.pk}-due", "summary": f"Due: {action.title}", "day": action.due_on,
                      "url": _link("actions:detail", action_id=action.pk), "category": "action"})
    for action in actions.filter(status=Status.DONE, effect="", check_on__isnull=False).order_by("pk"):
        items.append({"uid": f"action-{action.pk}-check", "summary": f"Check: {action.title}",
                      "day": action.check_on, "url": _link("actions:detail", action_id=action.pk),
                      "category": "effectiveness check"})
    for entry in entries.distinct().order_by("pk"):
        items.append({"uid": f"entry-{entry.pk}-review", "summary": f"Review: {entry.title}",
                      "day": timezone.localdate(entry.review_due_at),
                      "url": _link("knowledge:entry", entry_id=entry.pk), "category": "knowledge review"})
    since = timezone.localdate() - timedelta(days=SESSION_HISTORY_DAYS)
    for session in sessions.filter(held_on__gte=since).select_related("team").order_by("pk"):
        if not reflection_permissions.can_view_session(person, session):
            continue
        items.append({"uid": f"session-{session.pk}", "summary": f"Session: {session.title}", "day": session.held_on,
                      "url": _link("reflection:session", session_id=session.pk), "category": "reflection session"})
        if session.phase == Phase.CLOSED:
            continue
        for phase, moment in sorted((session.phase_deadlines or {}).items()):
            start = parse_datetime(moment) if isinstance(moment, str) else None
            if start is None:
                continue
            items.append({"uid": f"session-{session.pk}-{phase}", "summary": f"{session.title}: {phase} phase ends",
                          "start": start, "url": _link("reflection:session", session_id=session.pk),
                          "category": "reflection session"})
    for workshop in workshop_selectors.calendar_workshops(person, team=team, history_days=SESSION_HISTORY_DAYS):
        waiting = getattr(workshop, "waiting_for_place", False)
        items.append({"uid": f"workshop-{workshop.pk}",
                      "summary": f"{'Waiting list: ' if waiting else ''}Workshop: {workshop.title}",
                      "start": workshop.starts_at, "end": workshop.ends_at,
                      "location": workshop.place or workshop.link,
                      "url": _link("growth:workshop", workshop_id=workshop.pk), "category": "workshop"})
    return items


def render_ics(feed: CalendarFeed) -> bytes:
    from icalendar import Calendar, Event

    host = settings.BASE_URL.split("//", 1)[-1].split("/", 1)[0]
    calendar = Calendar()
    calendar.add("prodid", "-//Learnloop//Calendar feed//EN")
    calendar.add("version", "2.0")
    name = f"Learnloop: {feed.team.name}" if feed.team else f"Learnloop: {feed.person.full_name}"
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    stamp = timezone.now().replace(microsecond=0)
    for item in calendar_items(feed):
        event = Event()
        event.add("uid", f"{item['uid']}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", item["summary"])
        if "day" in item:
            event.add("dtstart", item["day"])
            event.add("dtend", item["day"] + timedelta(days=1))
        else:
            event.add("dtstart", item["start"])
            event.add("dtend", item.get("end") or item["start"] + timedelta(minutes=30))
        if item.get("location"):
            event.add("location", item["location"])
        event.add("url", item["url"])
        event.add("description", item["url"])
        event.add("categories", [item["category"]])
        calendar.add_component(event)
    return calendar.to_ical()
