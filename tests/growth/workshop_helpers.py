"""Factories for workshop tests: a workshop planned in the past that has now taken place (the
services take `at` as "now"), and people with places at it."""

from datetime import timedelta

from django.utils import timezone

from learnloop.growth import workshops
from tests import factories


def people(team, count: int, *, prefix: str = "attendee"):
    found = []
    for number in range(count):
        person = factories.person(email=f"{prefix}{number}@example.org", full_name=f"{prefix.title()} {number:02d}")
        factories.membership(person, team)
        found.append(person)
    return found


def upcoming(host, *, days: int = 7, capacity: int = 10, **fields):
    starts = timezone.now() + timedelta(days=days)
    fields.setdefault("place", "Room 2")
    return workshops.create_workshop(by=host, title=fields.pop("title", "Writing good runbooks"), starts_at=starts,
                                     ends_at=starts + timedelta(hours=2), capacity=capacity, **fields)


def held(host, *, attendees=(), absent=(), days_ago: int = 2, capacity: int = 20, **fields):
    """A workshop planned 20 days before it was held `days_ago` days ago, with `attendees` marked
    as attended and `absent` signed up but not there."""
    now = timezone.now()
    starts = now - timedelta(days=days_ago)
    fields.setdefault("place", "Harbour room")
    workshop = workshops.create_workshop(by=host, title=fields.pop("title", "Postmortems that teach"),
                                         starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=capacity,
                                         at=starts - timedelta(days=20), **fields)
    for person in [*attendees, *absent]:
        workshops.sign_up(by=person, workshop=workshop, at=starts - timedelta(days=10))
    if attendees or absent:
        workshops.record_attendance(by=host, workshop=workshop, attended_ids=[p.pk for p in attendees],
                                    at=starts + timedelta(hours=2))
    return workshop
