"""Emitting domain events. Services call record_activity inside their own transaction."""

from datetime import datetime

from django.utils import timezone

from learnloop.activity.models import ActivityEvent, subject_key


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
    the day, so the event cannot be tied back to a person by when it happened.
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
