"""Workshops and peer-learning sessions: who hosts them, which skills they develop, who signed up
(or waits for a place), who attended, and the attendees' anonymous feedback.

Feedback follows docs/anonymity.md: a WorkshopFeedback row has a random id, a random shuffle key,
no author, no time and nothing pointing at a person; every answer rewrites the workshop's
feedback rows (and its receipts) in a fresh random order. That an attendee has answered is kept
apart, as a FeedbackReceipt: a keyed hash of the workshop and the person (see workshop_keys.py),
with no link to the feedback row. Referenced models are named by string so this module imports
nothing of growth's own models (models.py imports it).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkshopFormat(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    PEER = "peer", _("Peer-learning session")


class WorkshopStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", pgettext_lazy("workshop", "Cancelled")


class Workshop(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=10, choices=WorkshopFormat.choices, default=WorkshopFormat.WORKSHOP)
    hosts = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="hosted_workshops")
    skills = models.ManyToManyField("growth.Skill", blank=True, related_name="workshops")
    # Materials from the knowledge base (shown to each viewer only if they may read the entry).
    materials = models.ManyToManyField("knowledge.Entry", blank=True, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    link = models.URLField(max_length=500, blank=True)
    capacity = models.PositiveIntegerField()
    # Org-wide when blank; else open to (and seen by) this team's members and leads.
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=WorkshopStatus.choices, default=WorkshopStatus.SCHEDULED)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    # Set when a host closes feedback or the last attendee answers; feedback also closes by itself
    # FEEDBACK_DAYS after the end (see workshops.feedback_closes_at).
    feedback_closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="growth_workshop_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="growth_workshop_capacity_positive"),
        ]

    def __str__(self):
        return self.title


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Has a place")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", pgettext_lazy("workshop", "Cancelled")


class WorkshopSignup(models.Model):
    """One person's place (or place in the queue) at a workshop. Cancelling keeps the row; signing
    up again puts the person at the back of the queue (`signed_up_at` orders the waiting list)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workshop_signups")
    status = models.CharField(max_length=10, choices=SignupStatus.choices)
    signed_up_at = models.DateTimeField(default=timezone.now)
    attended = models.BooleanField(default=False)

    class Meta:
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "person"], name="growth_one_signup_per_person"),
            models.CheckConstraint(condition=~Q(status="cancelled") | Q(attended=False),
                                   name="growth_cancelled_signup_not_attended"),
        ]

    def __str__(self):
        return f"{self.person} at {self.workshop} ({self.status})"


class WorkshopFeedback(models.Model):
    """One attendee's anonymous answer: a rating from 1 to 5 and an optional comment. No author, no
    time, a random id; rows are rewritten in random order on every answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    shuffle_key = models.PositiveIntegerField()

    class Meta:
        ordering = ["shuffle_key", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="growth_feedback_rating_range"),
        ]

    def __str__(self):
        return f"Feedback on {self.workshop_id}"


class FeedbackReceipt(models.Model):
    """That one attendee has answered, as a keyed hash of the workshop and the person (no person,
    no time, a random id): it lets the server refuse a second answer and tell the attendee they
    answered, and lets nobody without the server's secret key tell who answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workshop", "key_hash"], name="growth_one_feedback_per_key")]

    def __str__(self):
        return f"Receipt on {self.workshop_id}"
