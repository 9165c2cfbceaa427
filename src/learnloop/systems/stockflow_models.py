"""Stock-and-flow models uploaded as Vensim (.mdl) or XMILE files, their saved scenarios and their
queued sensitivity runs (docs/systems.md). The model text is stored in the database (backed up
with everything else); it is translated by PySD on first use in each process."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModelFormat(models.TextChoices):
    VENSIM = "vensim", _("Vensim (.mdl)")
    XMILE = "xmile", _("XMILE")


class TranslationState(models.TextChoices):
    TRANSLATING = "translating", _("Translating…")
    FAILED = "failed", _("Failed")
    READY = "ready", _("Ready")


class StockFlowModel(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             help_text="The owning team; none: the organization.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    format = models.CharField(max_length=10, choices=ModelFormat.choices)
    file_name = models.CharField(max_length=200)
    content = models.TextField()
    content_sha256 = models.CharField(max_length=64)
    # What learnloop.analytics.systems.outline found at upload: constants with slider ranges,
    # stocks, variables, time settings. Read by every page without translating the model.
    outline = models.JSONField(default=dict)
    # Constant name -> key of stockflow_bindings.LIVE_NUMBERS: its value comes from the platform.
    bindings = models.JSONField(default=dict, blank=True)
    # An upload is translated by the worker in a limited child process (stockflow_translation);
    # only a ready model runs. `state_error` says why a translation failed.
    state = models.CharField(max_length=12, choices=TranslationState.choices, default=TranslationState.READY)
    state_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def set_content(self, text: str) -> None:
        self.content = text
        self.content_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def suffix(self) -> str:
        return ".mdl" if self.format == ModelFormat.VENSIM else ".xmile"

    @property
    def is_ready(self) -> bool:
        return self.state == TranslationState.READY


class Scenario(models.Model):
    """A named set of constant values for one model; constants not named keep the model's value."""

    model = models.ForeignKey(StockFlowModel, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=120)
    params = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["model", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["model", "name"], name="systems_scenario_unique_name")]

    def __str__(self):
        return self.name


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    # Cancelled while queued or running: the worker stops at its next progress report and keeps
    # no partial bands.
    CANCELLED = "cancelled", _("Cancelled")


FINISHED = (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED)


class Sampling(models.TextChoices):
    LATIN_HYPERCUBE = "latin_hypercube", _("Latin hypercube")
    UNIFORM = "uniform", _("Independent uniform draws")


class SensitivityRun(models.Model):
    """Monte Carlo runs over constant ranges, computed by the worker; `result` holds the bands."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    model = models.ForeignKey(StockFlowModel, on_delete=models.CASCADE, related_name="sensitivity_runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    ranges = models.JSONField(default=dict)  # constant -> [low, high]
    params = models.JSONField(default=dict)  # constants held fixed (a scenario's values)
    columns = models.JSONField(default=list)
    runs = models.PositiveIntegerField()
    seed = models.PositiveIntegerField(default=0)
    sampling = models.CharField(max_length=20, choices=Sampling.choices, default=Sampling.LATIN_HYPERCUBE)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return f"Sensitivity of {self.model_id} ({self.runs} runs)"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.runs) if self.runs else 0


class ScenarioInterventionKind(models.TextChoices):
    EXPERIMENT = "experiment", _("Proposed experiment")
    ACTION = "action", _("Action")


class ScenarioIntervention(models.Model):
    """A scenario someone turned into a draft experiment or an action, with the hypothesis its
    simulated figures gave; the model page lists it and links to what it became."""

    model = models.ForeignKey(StockFlowModel, on_delete=models.CASCADE, related_name="interventions")
    # Kept when the scenario is deleted: its name and constants are copied below.
    scenario = models.ForeignKey(Scenario, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scenario_name = models.CharField(max_length=120)
    params = models.JSONField(default=dict)
    variable = models.CharField(max_length=200)
    hypothesis = models.TextField()
    kind = models.CharField(max_length=20, choices=ScenarioInterventionKind.choices)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["model_id", "pk"]

    def __str__(self):
        return f"{self.kind}: {self.scenario_name}"
