"""Learning strategy: the shared vision, goals (objectives and key results), the roadmap of
initiatives and the learning champions. The seven team-learning steps are derived from these and
from the other modules' rows (steps.py), never stored."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    ORGANIZATION = "organization", _("Organization")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")


# --- goals -----------------------------------------------------------------------------------


class Objective(models.Model):
    """An objective at organization (no team), department or team level; `parent` aligns it
    with an objective one level up (or at the same level higher in the tree)."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    level = models.CharField(max_length=20, choices=Level.choices)
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["level", "title", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level="organization", team=None) | (~Q(level="organization")
                                                                                  & Q(team__isnull=False)),
                                   name="strategy_objective_team_matches_level"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="strategy_objective_dates"),
        ]

    def __str__(self):
        return self.title


class KeyResultKind(models.TextChoices):
    MANUAL = "manual", _("Manual (values entered with a date)")
    METRIC = "metric", _("Bound to a platform metric")


class KeyResult(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=KeyResultKind.choices, default=KeyResultKind.MANUAL)
    # Bound key results: a key of learnloop.analytics.learning_metrics.CATALOGUE, the scope it is
    # computed for (no team = the organization; a department includes every team below it) and,
    # for survey scale scores, the dimension.
    metric_key = models.CharField(max_length=60, blank=True)
    dimension = models.CharField(max_length=60, blank=True)
    scope_team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    window_days = models.PositiveSmallIntegerField(default=90)  # the trailing period the metric covers
    unit = models.CharField(max_length=30, blank=True)
    baseline = models.FloatField(null=True, blank=True)
    target = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["objective_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="manual", metric_key="") | Q(kind="metric") & ~Q(metric_key=""),
                                   name="strategy_bound_key_result_names_a_metric"),
        ]

    def __str__(self):
        return self.title


class KeyResultValue(models.Model):
    """A dated value: entered by hand, or computed from the catalogue (one a day, the last refresh
    of the day wins). Rates keep what they were computed from and a 95% interval."""

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="values")
    on = models.DateField()
    value = models.FloatField(null=True, blank=True)  # None: the metric had no data (missing, not 0)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    n = models.IntegerField(null=True, blank=True)
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key_result_id", "on", "pk"]
        constraints = [models.UniqueConstraint(fields=["key_result", "on"], name="strategy_one_value_a_day")]

    def __str__(self):
        return f"{self.key_result_id} on {self.on}: {self.value}"


# --- roadmap ---------------------------------------------------------------------------------


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Initiative(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=InitiativeStatus.choices, default=InitiativeStatus.PLANNED)
    starts_on = models.DateField()
    ends_on = models.DateField()
    budget_person_days = models.DecimalField(max_digits=9, decimal_places=1, default=0)
    budget_money = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    budget_people = models.PositiveSmallIntegerField(default=0)
    objectives = models.ManyToManyField(Objective, blank=True, related_name="initiatives")
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependents")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_on", "title", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="strategy_initiative_dates"),
        ]

    def __str__(self):
        return self.title


class SpendKind(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTUAL = "actual", _("Actual")


class Spend(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="spend")
    kind = models.CharField(max_length=10, choices=SpendKind.choices)
    on = models.DateField()
    person_days = models.DecimalField(max_digits=9, decimal_places=1, default=0)
    money = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["initiative_id", "on", "pk"]

    def __str__(self):
        return f"{self.kind} on {self.on}"


class InitiativeLink(models.Model):
    """What carries an initiative out: an experiment, session, action, learning path… named
    through the link registry (learnloop.links.registry), so the viewer only sees what they may."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="links")
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["initiative_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["initiative", "target_type", "target_id"],
                                               name="strategy_one_link_per_target")]

    def __str__(self):
        return f"{self.target_type}:{self.target_id}"


# --- vision ----------------------------------------------------------------------------------


class Vision(models.Model):
    """The organization's vision (no team) or a team's; its text lives in published versions."""

    team = models.OneToOneField("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    draft = models.TextField(blank=True)  # the owner's working text: proposals are accepted into it
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["team__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["team"], condition=Q(team=None),
                                               name="strategy_one_organization_vision")]

    def __str__(self):
        return self.title


class VisionVersion(models.Model):
    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    summary = models.CharField(max_length=300, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["vision_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["vision", "number"], name="strategy_version_number")]

    def __str__(self):
        return f"version {self.number}"


class Round(models.Model):
    """An open round of comments and proposed changes on the draft. An anonymous round stores no
    author, no time and a random id for its proposals (see docs/strategy.md)."""

    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    question = models.CharField(max_length=300, blank=True)
    anonymous = models.BooleanField(default=False)
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    # How many proposals one person may support in the round, counted on RoundParticipant, so a
    # client that drops its writer key can't support again in an anonymous round.
    support_budget = models.PositiveSmallIntegerField(default=5)

    class Meta:
        ordering = ["vision_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["vision", "number"], name="strategy_round_number")]

    def __str__(self):
        return f"round {self.number}"


class ProposalKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    CHANGE = "change", _("Proposed change")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Proposal(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(max_length=10, choices=ProposalKind.choices)
    text = models.TextField()  # the comment, or the reason for the change
    # A change replaces `replace` (a passage of the draft) with `with_text`; empty `replace` appends.
    replace = models.TextField(blank=True)
    with_text = models.TextField(blank=True)
    # Named rounds only. Anonymous rounds: sha256 of the writer's key and this proposal's id.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    writer_hash = models.CharField(max_length=64, blank=True)
    shuffle_key = models.PositiveIntegerField()  # random: the order says nothing about who wrote first
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    reason = models.TextField(blank=True)  # the owner's reason for accepting or rejecting
    decided_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["shuffle_key", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(author__isnull=True) | Q(writer_hash=""),
                                   name="strategy_named_proposal_has_no_key"),
        ]

    def __str__(self):
        return self.text[:60]


class Support(models.Model):
    """A support vote. One per person and proposal; in anonymous rounds it stores only a hash of
    the voter's key and the proposal, in a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    voter_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "voter_hash"], name="strategy_one_support")]

    def __str__(self):
        return "support"


class RoundParticipant(models.Model):
    """How many supports one person used in a round: the budget's count, and nothing about which
    proposals (an anonymous round's supports hold only per-key, per-proposal hashes)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    supports_used = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="strategy_one_round_participant")]

    def __str__(self):
        return f"{self.supports_used} supports"


class Connection(models.Model):
    """"This vision feels connected to my work": what it means for one person's work."""

    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="connections")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    marked_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["vision_id", "person__full_name"]
        constraints = [models.UniqueConstraint(fields=["vision", "person"], name="strategy_one_connection")]

    def __str__(self):
        return f"connected: {self.person_id}"


# --- champions -------------------------------------------------------------------------------


class Champion(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(max_length=120, blank=True)
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    named_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person__full_name", "pk"]
        constraints = [models.CheckConstraint(condition=Q(team__isnull=False) | ~Q(topic=""),
                                              name="strategy_champion_for_team_or_topic")]

    def __str__(self):
        return f"champion {self.person_id}"
