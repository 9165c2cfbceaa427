"""Actions: what a team decided to do, followed to closure and checked for effect.

One engine for every source. Where an action came from is named generically (source_type
"reflection.session", source_id "42", a readable label and a link), like knowledge provenance,
so sessions, survey focus areas and experiments all create the same kind of row.

The invariants a report relies on are database constraints, not only service checks: a declined
action says why, a closed action says when, a done action has either an answer to "did it work?"
or a date on which someone will be asked.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Priority(models.TextChoices):
    LOW = "low", gettext_lazy("Low")
    NORMAL = "normal", gettext_lazy("Normal")
    HIGH = "high", gettext_lazy("High")
    URGENT = "urgent", gettext_lazy("Urgent")


class Status(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    IN_PROGRESS = "in_progress", gettext_lazy("In progress")
    DONE = "done", gettext_lazy("Done")
    NOT_DOING = "not_doing", gettext_lazy("Not doing")


ACTIVE_STATUSES = (Status.OPEN, Status.IN_PROGRESS)
CLOSED_STATUSES = (Status.DONE, Status.NOT_DOING)


class Effect(models.TextChoices):
    WORKED = "worked", gettext_lazy("It worked")
    DID_NOT_WORK = "did_not_work", gettext_lazy("It did not work")
    UNKNOWN = "unknown", gettext_lazy("We can't tell")


# Used for actions without a team and for teams that never set their own policy.
DEFAULT_GRACE_DAYS = 0
DEFAULT_REMIND_DAYS_BEFORE = 2


class Action(models.Model):
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # Nullable: an action can be agreed before anyone takes it (the team board shows it unassigned).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_actions"
    )
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    due_on = models.DateField(null=True, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    not_doing_reason = models.TextField(blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    source_label = models.CharField(max_length=300, blank=True)
    source_url = models.CharField(max_length=500, blank=True)

    # The effectiveness check: answered when the action is done, or scheduled for check_on.
    effect = models.CharField(max_length=15, choices=Effect.choices, blank=True)
    evidence = models.TextField(blank=True)
    check_on = models.DateField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # "This is the same as #123": the earlier action this one agrees again (actions/repeats.py).
    # Both keep their own history and answer; the link is what makes a repeat countable.
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )

    class Meta:
        ordering = ["due_on", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="action_has_a_title"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="action_priority_known"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="action_status_known"),
            models.CheckConstraint(condition=Q(effect__in=[*Effect.values, ""]), name="action_effect_known"),
            models.CheckConstraint(
                condition=(Q(status=Status.NOT_DOING) & ~Q(not_doing_reason=""))
                | (~Q(status=Status.NOT_DOING) & Q(not_doing_reason="")),
                name="not_doing_has_a_reason",
            ),
            models.CheckConstraint(
                condition=(Q(status__in=CLOSED_STATUSES) & Q(closed_at__isnull=False))
                | (Q(status__in=ACTIVE_STATUSES) & Q(closed_at__isnull=True)),
                name="closed_action_has_closed_at",
            ),
            models.CheckConstraint(
                condition=Q(effect="", checked_at__isnull=True) | (~Q(effect="") & Q(checked_at__isnull=False)),
                name="checked_action_has_an_effect",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.DONE) | Q(effect="", check_on__isnull=True, evidence=""),
                name="only_done_actions_are_checked",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.DONE) | ~Q(effect="") | Q(check_on__isnull=False),
                name="done_action_checked_or_scheduled",
            ),
            models.CheckConstraint(
                condition=Q(source_type="", source_id="") | (~Q(source_type="") & ~Q(source_id="")),
                name="action_source_type_and_id_together",
            ),
            models.CheckConstraint(condition=~Q(repeat_of=models.F("pk")), name="action_not_a_repeat_of_itself"),
        ]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["status", "check_on"]),
        ]

    def __str__(self):
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def check_pending(self) -> bool:
        return self.status == Status.DONE and not self.effect and self.check_on is not None

    def overdue_on(self, day: date, *, grace_days: int = DEFAULT_GRACE_DAYS) -> bool:
        """Still to do and past its due date plus the team's grace days."""
        return (
            self.status in ACTIVE_STATUSES
            and self.due_on is not None
            and day > self.due_on + timedelta(days=grace_days)
        )


class ActionComment(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="action_comment_has_a_body")]

    def __str__(self):
        return f"Comment on {self.action}"


class TeamActionPolicy(models.Model):
    """A team's overdue rule. Teams without one use the defaults above."""

    team = models.OneToOneField("org.Team", on_delete=models.CASCADE, related_name="action_policy")
    # An action counts as overdue this many days after its due date (0: the day after).
    overdue_grace_days = models.PositiveSmallIntegerField(default=DEFAULT_GRACE_DAYS)
    # The owner is reminded this many days before the due date (0: no advance reminder).
    remind_days_before = models.PositiveSmallIntegerField(default=DEFAULT_REMIND_DAYS_BEFORE)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "team action policies"
        constraints = [
            models.CheckConstraint(condition=Q(overdue_grace_days__lte=90), name="grace_days_at_most_90"),
            models.CheckConstraint(condition=Q(remind_days_before__lte=60), name="remind_days_at_most_60"),
        ]

    def __str__(self):
        return f"Action policy of {self.team}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", gettext_lazy("Due soon")
    OVERDUE = "overdue", gettext_lazy("Overdue")
    CHECK_DUE = "check_due", gettext_lazy("Effectiveness check due")


class ActionReminder(models.Model):
    """One reminder, reserved before its email is queued so a second run never sends it again.

    `for_date` is the date the reminder is about (the due date, or the check date): moving the due
    date arms the reminders again, while running the job twice on one day, or every day while an
    action stays overdue, sends each reminder once.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    for_date = models.DateField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "for_date", "recipient"], name="one_reminder_per_action_kind_date"
            ),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_kind_known"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} reminder for {self.action}"


class DigestDelivery(models.Model):
    """The weekly digest sent to one person for one week (the Monday it starts)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_of = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "week_of"], name="one_digest_per_person_week")]

    def __str__(self):
        return f"Digest for {self.person}, week of {self.week_of}"


class EvidenceProposal(models.Model):
    """Evidence for "did it work?" offered by another part of the platform (a survey campaign's
    re-measure of a focus area), shown on the action's check until someone who may change the
    action accepts it. A proposal never answers the check by itself: people decide what worked.
    One per action and source, so offering it again (a decision run twice) changes nothing."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence_proposals")
    source_type = models.CharField(max_length=60)
    source_id = models.CharField(max_length=64)
    source_label = models.CharField(max_length=300)
    source_url = models.CharField(max_length=500, blank=True)
    # The evidence as it would be added to the check, and the figures it states, for the API.
    text = models.TextField()
    figures = models.JSONField(default=dict, blank=True)
    proposed_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "source_type", "source_id"], name="one_proposal_per_source"),
            models.CheckConstraint(condition=~Q(text=""), name="evidence_proposal_has_text"),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True, accepted_by__isnull=True)
                | Q(accepted_at__isnull=False, accepted_by__isnull=False),
                name="accepted_proposal_has_who_and_when",
            ),
        ]

    def __str__(self):
        return f"Evidence for {self.action_id} from {self.source_label}"
