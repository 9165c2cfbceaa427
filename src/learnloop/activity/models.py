"""One append-only stream of domain events (created, viewed, applied, closed, ...).

Analytics read this stream later, so rows are never changed or removed through the ORM. An
event caused anonymously has no actor, no address and only a day-level timestamp: a precise
time could be matched against other events to guess who caused it. Acts whose author must stay
secret (anonymous cards, votes) are not events at all: they only raise a day-level counter
(AnonymousActivity), because an event row's id would still place them among named events.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove an activity event."""


def subject_key(subject) -> tuple[str, str]:
    """("app_label.model", "pk") for a model instance, so any domain can be a subject."""
    meta = subject._meta
    return f"{meta.app_label}.{meta.model_name}", str(subject.pk)


class ActivityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Activity events are append-only.")

    def delete(self):
        raise AppendOnlyError("Activity events are append-only.")


class ActivityEvent(models.Model):
    verb = models.CharField(max_length=40)
    # The subject is named generically ("knowledge.entry", 42) so every domain can emit events
    # without this app knowing its models.
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_events",
    )
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ActivityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["verb", "created_at"]),
        ]

    def __str__(self):
        return f"{self.verb} {self.subject_type}:{self.subject_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Activity events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Activity events are append-only.")


class AnonymousActivity(models.Model):
    """How often something anonymous happened to a subject on a day: one counter per
    (verb, subject, day), updated in place.

    Anonymous acts (writing an anonymous card, voting) are not ActivityEvent rows: an event's
    auto-increment id and its place among named events (someone's "viewed" just before) would
    date it to the second and tie it to a person, and a per-card subject would tie it to the
    card. A day-level count of a session keeps what activity figures need and nothing more.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    verb = models.CharField(max_length=40)
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "verb"]
        constraints = [
            models.UniqueConstraint(fields=["verb", "subject_type", "subject_id", "day"],
                                    name="one_anonymous_count_per_subject_day"),
        ]

    def __str__(self):
        return f"{self.verb} {self.subject_type}:{self.subject_id} on {self.day}: {self.count}"
