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
) -> ActivityEvent | None:
    """Append one event.

    With anonymous=True no event is appended: the actor and data are dropped whatever was
    passed and only the day's counter for (verb, subject) goes up (see AnonymousActivity), so
    nothing ties the act to a person, a time or a row order. Returns None then.
    """
    subject_type, subject_id = subject_key(subject)
    when = at or timezone.now()
    if anonymous:
        count_anonymous_activity(verb=verb, subject_type=subject_type, subject_id=subject_id, team=team,
                                 day=timezone.localtime(when).date() if timezone.is_aware(when) else when.date())
        return None
    return ActivityEvent.objects.create(
        verb=verb,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor,
        team=team,
        data=data or {},
        created_at=when,
    )


def count_anonymous_activity(*, verb: str, subject_type: str, subject_id: str, team, day) -> None:
    """Raise the day's counter in place (created at 0 the first time)."""
    with transaction.atomic():
        counter, _ = AnonymousActivity.objects.get_or_create(
            verb=verb, subject_type=subject_type, subject_id=subject_id, day=day, defaults={"team": team},
        )
        AnonymousActivity.objects.filter(pk=counter.pk).update(count=F("count") + 1)
