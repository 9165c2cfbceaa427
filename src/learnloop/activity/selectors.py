"""Reading the activity stream."""

from django.db.models import QuerySet

from learnloop.activity.models import ActivityEvent, subject_key


def events_for_subject(subject) -> QuerySet[ActivityEvent]:
    subject_type, subject_id = subject_key(subject)
    return ActivityEvent.objects.filter(subject_type=subject_type, subject_id=subject_id)
