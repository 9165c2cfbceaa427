"""The experiment registry: experiments, their pre-registered protocol, results and decisions.

The protocol (hypothesis, metrics, engine, alpha, planned sample size, stopping rule) is part of
the experiment row and its Metric rows. Once the experiment starts it is locked: services.py
refuses to change it without a reason, and every change it does make is kept as a Deviation.
Results are dated snapshots of per-variant sufficient statistics; the analysis is recomputed
from them (analysis.py), never stored, so it always matches the data.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ONLINE = "online", _("Online A/B test")
    PROCESS = "process", _("Process experiment")


class Design(models.TextChoices):
    RANDOMISED = "randomised", _("Randomised split (A/B)")
    BEFORE_AFTER = "before_after", _("Before / after")
    CONTROL_TEAMS = "control_teams", _("Trial teams against control teams")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    ANALYSING = "analysing", _("Analysing")
    CONCLUDED = "concluded", _("Concluded")


class Engine(models.TextChoices):
    FREQUENTIST = "frequentist", _("Frequentist (Welch t-test)")
    BAYESIAN = "bayesian", _("Bayesian")
    SEQUENTIAL = "sequential", _("Sequential (always-valid)")


class Decision(models.TextChoices):
    SHIP = "ship", _("Ship")
    ITERATE = "iterate", _("Iterate")
    STOP = "stop", pgettext_lazy("decision", "Stop")


class Outcome(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class Correction(models.TextChoices):
    NONE = "none", _("None (one pre-registered primary metric)")
    HOLM = "holm", _("Holm (family-wise error)")
    BENJAMINI_HOCHBERG = "benjamini_hochberg", _("Benjamini–Hochberg (false discovery rate)")


class MetricType(models.TextChoices):
    MEAN = "mean", _("Mean")
    BINOMIAL = "binomial", _("Conversion (binomial)")
    RATIO = "ratio", _("Ratio")


class MetricRole(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    GUARDRAIL = "guardrail", _("Guardrail")
    SECONDARY = "secondary", _("Secondary")


class Experiment(models.Model):
    title = models.CharField(max_length=200)
    team = models.ForeignKey("org.Team", on_delete=models.PROTECT, related_name="experiments")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="experiments_owned")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ONLINE)
    design = models.CharField(max_length=20, choices=Design.choices, default=Design.RANDOMISED)
    # "We believe <change> will cause <effect> for <population>; we will know when <metric> moves by <delta>."
    change = models.TextField()
    effect = models.TextField()
    population = models.CharField(max_length=300)
    success_metric = models.CharField(max_length=200)
    expected_delta = models.CharField(max_length=100)
    # The rest of the protocol.
    engine = models.CharField(max_length=20, choices=Engine.choices, default=Engine.FREQUENTIST)
    alpha = models.FloatField(default=0.05)
    planned_sample_per_variant = models.PositiveIntegerField(null=True, blank=True)
    # Adjusts the p-values of every metric × variant comparison of a snapshot together.
    correction = models.CharField(max_length=20, choices=Correction.choices, default=Correction.NONE)
    stopping_rule = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # The decision; the recommendation is what the statistics said at the time it was made.
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    recommendation = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    rationale = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    primary_lift = models.FloatField(null=True, blank=True)  # relative effect of the best variant, for sorting
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The decision as a decision record in the knowledge base, written when it is decided.
    decision_record = models.OneToOneField("knowledge.Entry", null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="decided_experiment")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(alpha__gt=0) & Q(alpha__lt=0.5), name="experiment_alpha_range"),
            models.CheckConstraint(
                condition=Q(status="concluded", decision__in=["ship", "iterate", "stop"])
                | (~Q(status="concluded") & Q(decision="")),
                name="experiment_concluded_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def hypothesis(self) -> str:
        return gettext("We believe %(change)s will cause %(effect)s for %(population)s; "
                       "we will know when %(metric)s moves by %(delta)s.") % {
            "change": self.change, "effect": self.effect, "population": self.population,
            "metric": self.success_metric, "delta": self.expected_delta}

    @property
    def is_locked(self) -> bool:
        return self.status != Status.DRAFT

    @property
    def primary_metric(self):
        return next((m for m in self.metrics.all() if m.role == MetricRole.PRIMARY), None)


class Variant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField()  # 0 is the control
    weight = models.FloatField(default=1.0)  # planned share of traffic, for the sample-ratio check

    class Meta:
        ordering = ["experiment", "position"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "position"], name="variant_position_unique"),
            models.UniqueConstraint(fields=["experiment", "name"], name="variant_name_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="variant_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_control(self) -> bool:
        return self.position == 0


class Metric(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(max_length=120)
    metric_type = models.CharField(max_length=20, choices=MetricType.choices, default=MetricType.BINOMIAL)
    role = models.CharField(max_length=20, choices=MetricRole.choices, default=MetricRole.SECONDARY)
    lower_is_better = models.BooleanField(default=False)
    # Guardrails only: the largest relative harm tolerated (0.02 = 2% worse) before it counts as a breach.
    threshold = models.FloatField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["experiment", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="metric_name_unique"),
            models.UniqueConstraint(fields=["experiment"], condition=Q(role="primary"), name="one_primary_metric"),
            models.CheckConstraint(condition=Q(threshold__isnull=True) | Q(threshold__gte=0),
                                   name="metric_threshold_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class Deviation(models.Model):
    """A change to a locked protocol: what changed, from what to what, why, who and when."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="deviations")
    field = models.CharField(max_length=120)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="deviation_has_reason")]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class Snapshot(models.Model):
    """The cumulative results as of one day: one row per metric and variant."""

    class Source(models.TextChoices):
        FORM = "form", _("Form")
        CSV = "csv", _("CSV upload")
        API = "api", _("API")
        WAREHOUSE = "warehouse", _("Warehouse refresh")

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="snapshots")
    taken_on = models.DateField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["experiment", "taken_on"]
        constraints = [models.UniqueConstraint(fields=["experiment", "taken_on"], name="snapshot_one_per_day")]

    def __str__(self) -> str:
        return f"{self.experiment} on {self.taken_on}"


class WarehouseSource(models.Model):
    """Where an experiment's exposures are read from for `learnloop experiment refresh`.

    `source` is a URL without a password (duckdb:///PATH, postgresql://USER@HOST/DB, chdb://) or
    env:NAME, the environment variable holding the URL: credentials are never stored."""

    experiment = models.OneToOneField(Experiment, on_delete=models.CASCADE, related_name="warehouse_source")
    source = models.CharField(max_length=500)
    exposure_sql = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)
    # Scheduled refresh (warehouse_refresh.queue_due_refreshes, from cron): None = on demand only.
    refresh_every_hours = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.experiment}: {self.source}"


class WarehouseRefresh(models.Model):
    """One run of an experiment's warehouse refresh, queued on demand or by the schedule: its
    progress, the SQL it sent (for audit), and what came out of it. A failed or cancelled run
    writes no results, so the previous snapshot stays."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="warehouse_refreshes")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    scheduled = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    cancel_requested = models.BooleanField(default=False)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    metrics_total = models.PositiveIntegerField(default=0)
    metrics_done = models.PositiveIntegerField(default=0)
    # [{"metric": name, "sql": the query as sent, with its parameters inlined for reading}]
    queries = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    taken_on = models.DateField(null=True, blank=True)
    srm_p_value = models.FloatField(null=True, blank=True)
    # ["Refund rate: Treatment", ...]: guardrails a variant breached in this refresh's results.
    breached_guardrails = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment"], condition=models.Q(status__in=["queued", "running"]),
                                    name="one_open_warehouse_refresh"),
        ]

    def __str__(self) -> str:
        return f"{self.experiment} refresh ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class LibraryMetric(models.Model):
    """A metric defined once in warehouse SQL and reused across experiments (warehouse_library.py).
    Every change is a new version; an experiment's metric keeps the version it took until someone
    moves it on, so editing the library never changes a running experiment's numbers unseen."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    metric_type = models.CharField(max_length=20, choices=MetricType.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LibraryMetricVersion(models.Model):
    library_metric = models.ForeignKey(LibraryMetric, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    metric_sql = models.TextField()
    aggregation = models.CharField(max_length=20, default="sum")
    window_hours = models.FloatField(null=True, blank=True)
    cap = models.FloatField(null=True, blank=True)
    cuped_days = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)  # what changed, and why
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["library_metric", "-number"]
        constraints = [models.UniqueConstraint(fields=["library_metric", "number"], name="one_library_version_number")]

    def __str__(self) -> str:
        return f"{self.library_metric} v{self.number}"


class WarehouseMetric(models.Model):
    """How one metric is computed in the warehouse (docs/experiments.md, Metrics computed in the warehouse)."""

    metric = models.OneToOneField(Metric, on_delete=models.CASCADE, related_name="warehouse_definition")
    # Taken from the library: the version whose SQL and options were copied here (None: written here).
    library_version = models.ForeignKey(LibraryMetricVersion, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="uses")
    metric_sql = models.TextField()
    aggregation = models.CharField(max_length=20, default="sum")
    window_hours = models.FloatField(null=True, blank=True)
    cap = models.FloatField(null=True, blank=True)
    cuped_days = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.metric} (warehouse)"


class Aggregate(models.Model):
    """Sufficient statistics of one variant for one metric (see docs/experiments.md, Inputs)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="aggregates")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="aggregates")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="aggregates")
    users = models.PositiveIntegerField()
    sum = models.FloatField()
    sum_squares = models.FloatField(null=True, blank=True)
    denominator_sum = models.FloatField(null=True, blank=True)
    denominator_sum_squares = models.FloatField(null=True, blank=True)
    denominator_sum_product = models.FloatField(null=True, blank=True)
    # CUPED: the pre-experiment covariate's sums (see docs/experiments.md, CUPED).
    covariate_sum = models.FloatField(null=True, blank=True)
    covariate_sum_squares = models.FloatField(null=True, blank=True)
    covariate_sum_product = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["snapshot", "metric", "variant__position"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "metric", "variant"], name="aggregate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} · {self.variant}: n={self.users}"


class PeriodFigure(models.Model):
    """A process experiment's figure for one period (a week, a sprint, a month) of one group.

    Trial teams against control teams: the group is a variant, the control teams (position 0) or the
    trial teams. Before / after: no group (variant is empty), one series of the teams under the
    change. Periods starting
    before the experiment's start date are "before", the others "after". Sums as in Aggregate:
    `units` measured, the sum of their values and of the squares (a 0/1 metric: the sum).
    """

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="period_figures")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="period_figures")
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="period_figures")
    period = models.DateField()  # the first day of the period
    units = models.PositiveIntegerField()
    sum = models.FloatField()
    sum_squares = models.FloatField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["experiment", "metric", "period", "variant__position"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "variant", "period"], name="period_figure_unique"),
            models.UniqueConstraint(fields=["metric", "period"], condition=Q(variant__isnull=True),
                                    name="period_figure_unique_without_group"),
            models.CheckConstraint(condition=Q(units__gt=0), name="period_figure_has_units"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} · {self.variant} · {self.period}: n={self.units}"

    @property
    def mean(self) -> float:
        return self.sum / self.units


class ExperimentLesson(models.Model):
    """A takeaway kept as a knowledge lesson."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="lessons")
    entry = models.ForeignKey("knowledge.Entry", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["experiment", "entry"], name="experiment_lesson_unique")]

    def __str__(self) -> str:
        return f"{self.experiment} → {self.entry_id}"
