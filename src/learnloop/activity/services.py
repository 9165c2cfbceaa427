"""Emitting domain events. Services call record_activity inside their own transaction."""

from datetime import datetime

from django.db import router, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone

from learnloop.activity.models import ActivityEvent, AnonymousActivity, subject_key


def record_activity(
    *,
    verb: str,
    subject,
    actor=None,
    anonymous: bool = False,
    team=None,
    data: dict | None = None,
    at: datetime | None = None,
) -> ActivityEvent:
    """Append one event.

    With anonymous=True the actor is dropped whatever was passed, and the time is kept only to
    the day. That is not enough for acts whose author must stay secret (an anonymous card, a
    vote): the event's auto-increment id still places it among named events. Those call
    count_anonymous_activity instead, which appends no event at all.
    """
    when = at or timezone.now()
    if anonymous:
        actor = None
        when = when.replace(hour=0, minute=0, second=0, microsecond=0)
    event = new_activity_event(verb=verb, subject=subject, actor=actor, team=team, data=data, at=when)
    event.save(force_insert=True)
    return event


def new_activity_event(*, verb: str, subject, actor=None, team=None, data: dict | None = None,
                       at: datetime | None = None) -> ActivityEvent:
    """A named event, not yet written: for record_activities."""
    subject_type, subject_id = subject_key(subject)
    return ActivityEvent(verb=verb, subject_type=subject_type, subject_id=subject_id, actor=actor, team=team,
                         data=data or {}, created_at=at or timezone.now())


def record_activities(events: list[ActivityEvent]) -> list[ActivityEvent]:
    """Append many events in one statement (an import writes thousands). Whoever listens to the
    activity stream hears each as if it were saved alone: bulk inserts send no post_save, so it
    is sent here, once the rows and their ids exist."""
    if not events:
        return events
    ActivityEvent.objects.bulk_create(events)
    using = router.db_for_write(ActivityEvent)
    for event in events:
        post_save.send(sender=ActivityEvent, instance=event, created=True, update_fields=None, raw=False,
                       using=using)
    return events


def count_anonymous_activity(*, verb: str, subject, team=None, day=None) -> None:
    """Count an act whose author must stay secret: the (verb, subject, day) counter goes up in
    place (see AnonymousActivity). No event row, no actor, no time finer than the day."""
    subject_type, subject_id = subject_key(subject)
    day = day or timezone.localdate()
    with transaction.atomic():
        counter, _ = AnonymousActivity.objects.get_or_create(
            verb=verb, subject_type=subject_type, subject_id=subject_id, day=day, defaults={"team": team},
        )
        AnonymousActivity.objects.filter(pk=counter.pk).update(count=F("count") + 1)
