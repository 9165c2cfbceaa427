"""Emitting domain events. Services call record_activity inside their own transaction."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
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
    subject_type, subject_id = subject_key(subject)
    when = at or timezone.now()
    if anonymous:
        actor = None
        when = when.replace(hour=0, minute=0, second=0, microsecond=0)
    return ActivityEvent.objects.create(
        verb=verb,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor,
        team=team,
        data=data or {},
        created_at=when,
    )


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
