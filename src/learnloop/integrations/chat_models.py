"""Chat channels: a team's incoming webhook in Slack, Microsoft Teams or Mattermost."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChatKind(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"
    MATTERMOST = "mattermost", "Mattermost"


class ChatEvent(models.TextChoices):
    SESSION_STARTING = "session_starting", _("A retro or review of the team opens for writing")
    ACTION_DUE = "action_due", _("An action of the team is due soon")
    REPORT_RELEASED = "report_released", _("A survey report is released")
    THEME_RECURRED = "theme_recurred", _("A theme came back after an effective action on it")
    WEEKLY_DIGEST = "weekly_digest", _("The team's week: its actions and the figures that moved")


class ChatChannel(models.Model):
    """Where a team's notices go. The webhook URL is a secret (anyone holding it can post to the
    channel): it is shown only as its host once saved, and sent only to its checked address."""

    team = models.ForeignKey("org.Team", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ChatKind.choices)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)
    failures_in_a_row = models.PositiveIntegerField(default=0)
    last_status = models.CharField(max_length=200, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["team__name", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.team}"


class ChatDigestDelivery(models.Model):
    """A channel's weekly digest, reserved before it is queued: once per channel and week however
    often `learnloop actions digest` runs."""

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="+")
    week_of = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "week_of"], name="one_chat_digest_per_week")]

    def __str__(self):
        return f"digest of {self.week_of} to channel {self.channel_id}"
