"""Outgoing webhooks: subscriptions, the events they receive, each delivery and its attempts;
calendar feeds with their hashed secret tokens."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookSubscription(models.Model):
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list)
    # Needed in clear to sign each request; shown to admins only (like a receiver's own copy).
    secret = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["url", "id"]

    def __str__(self):
        return self.url


class WebhookEvent(models.Model):
    """One thing that happened, as sent: the same payload goes to every subscription."""

    type = models.CharField(max_length=40)
    # What it is about, so the same fact is sent once ("activity:42", "action.overdue:7:2026-12-01").
    key = models.CharField(max_length=120, unique=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.type} ({self.key})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    # webhook-id: the same on every attempt and on a replay, so receivers can de-duplicate.
    message_id = models.CharField(max_length=40, db_index=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subscription", "created_at"])]

    def __str__(self):
        return f"{self.message_id} to subscription {self.subscription_id}: {self.status}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self):
        return f"attempt of delivery {self.delivery_id}: {self.status_code or self.error}"


class CalendarFeed(models.Model):
    """A secret calendar URL: the person's own feed (team null) or a team's, seen as the person
    sees it. Only the token's SHA-256 is stored; rotating replaces it, so the old URL stops."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "team"], name="one_calendar_feed_per_person_team"),
            models.UniqueConstraint(fields=["person"], condition=models.Q(team__isnull=True),
                                    name="one_personal_calendar_feed"),
        ]

    def __str__(self):
        return f"calendar feed of person {self.person_id}" + (f", team {self.team_id}" if self.team_id else "")


class NotificationPreference(models.Model):
    """A kind of email a person turned off (or on again). No row: the kind is on."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    enabled = models.BooleanField(default=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="one_preference_per_person_kind")]

    def __str__(self):
        return f"{self.kind} {'on' if self.enabled else 'off'} for person {self.person_id}"


# Chat channels' and SCIM provisioning's models live in their own modules (read by Django
# through these imports).
from learnloop.integrations.chat_models import ChatChannel, ChatDigestDelivery, ChatEvent, ChatKind  # noqa: E402, F401
from learnloop.integrations.oidc_models import OidcIdentity  # noqa: E402, F401
from learnloop.integrations.saml_models import SamlAssertionUse, SamlIdentity, SamlRequest  # noqa: E402, F401
from learnloop.integrations.scim_models import ExternalId, ProvisioningToken  # noqa: E402, F401
