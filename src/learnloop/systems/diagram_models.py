"""Causal loop diagrams: a diagram owned by a team or the organization, every save a numbered
version (the diagram row holds the latest content and its analysis), comments, attachments to
other objects through the link registry, and interventions that became an experiment or action.

Content is the editor's JSON: {"variables": [{"name", "x", "y", "binding"}], "links": [{"source",
"target", "polarity", "delay"}]}; services.diagram_content cleans it before anything is stored.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Diagram(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # None: the organization's diagram.
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)  # the latest version's number
    content = models.JSONField(default=dict)
    # {"loops": LoopAnalysis.as_dict(), "archetypes": ArchetypeReport.as_dict()} of `content`,
    # computed on every save (analytics.systems.analysis.analyse).
    analysis = models.JSONField(default=dict)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title


class DiagramVersion(models.Model):
    diagram = models.ForeignKey(Diagram, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    content = models.JSONField(default=dict)
    note = models.CharField(max_length=300, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["diagram_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["diagram", "number"], name="systems_diagram_version_once")]

    def __str__(self):
        return f"{self.diagram_id} v{self.number}"


class DiagramComment(models.Model):
    diagram = models.ForeignKey(Diagram, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    version = models.PositiveIntegerField()  # the version it was written on
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["diagram_id", "created_at", "pk"]

    def __str__(self):
        return self.text[:60]


class DiagramAttachment(models.Model):
    """The diagram explains this session, postmortem, recurring theme or experiment (a reference
    of the link registry, resolved for each viewer)."""

    diagram = models.ForeignKey(Diagram, on_delete=models.CASCADE, related_name="attachments")
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["diagram_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["diagram", "target_type", "target_id"],
                                               name="systems_diagram_attached_once")]

    def __str__(self):
        return f"{self.target_type}:{self.target_id}"


class InterventionKind(models.TextChoices):
    EXPERIMENT = "experiment", _("Proposed experiment")
    ACTION = "action", _("Action")


class DiagramIntervention(models.Model):
    """A point of the diagram someone chose to act on (a variable, or a link), and what it became."""

    diagram = models.ForeignKey(Diagram, on_delete=models.CASCADE, related_name="interventions")
    variable = models.CharField(max_length=120)
    # Set when the intervention is on a link (variable -> link_target) rather than a variable.
    link_target = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=InterventionKind.choices)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["diagram_id", "pk"]

    def __str__(self):
        return f"{self.kind}: {self.variable}"
