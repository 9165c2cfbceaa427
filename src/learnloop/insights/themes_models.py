"""Recurring themes: groups of short texts from every source, kept across recomputes.

A theme's items are typed references (source + id) with the source's team and date, never a
writer: an anonymous card is stored as its public id, its session, its text and its session's
date, nothing else. Item rows carry no timestamp of their own, and a session's card items are
rewritten in a random order whenever they change (see themes_services.place_session), so neither
row ids nor order say in which order cards were written.

A person's correction (merge, split, rename) is a ThemeCorrection row with the items it was
made on; every recompute re-applies the corrections, oldest first, after the grouping.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    RETRO_CARD = "retro_card", _("Retro card")
    POSTMORTEM_FACTOR = "postmortem_factor", _("Postmortem contributing factor")
    REVIEW_GAP = "review_gap", _("After-action gap")
    ACTION = "action", _("Action")
    QUESTION = "question", _("Question")
    LESSON = "lesson", _("Lesson")
    SURVEY_COMMENT = "survey_comment", _("Survey comment")


CARD_SOURCES = (Source.RETRO_CARD, Source.POSTMORTEM_FACTOR, Source.REVIEW_GAP)


class ThemeRun(models.Model):
    """One full recompute: what the grouping saw, and the model that places new texts later."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    texts = models.PositiveIntegerField(default=0)
    themes = models.PositiveIntegerField(default=0)
    cpu_seconds = models.FloatField(default=0)
    # Pickled (vocabulary, tf-idf rows, item keys in row order, settings): written and read only
    # by themes_services, never taken from outside the database.
    state = models.BinaryField(blank=True, default=b"")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Theme run {self.pk}"


class Theme(models.Model):
    label = models.CharField(max_length=300, blank=True)  # the algorithm's words
    name = models.CharField(max_length=200, blank=True)  # a person's name for it; wins over label
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # A theme no recompute found again, or merged into another: kept for its corrections' sake.
    retired_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return self.name or self.label or f"Theme {self.pk}"


class ThemeItem(models.Model):
    """One text in one theme. `key` ("retro_card:<uuid>", "action:12", ...) is unique."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="items")
    source = models.CharField(max_length=20, choices=Source.choices)
    ref = models.CharField(max_length=100)
    key = models.CharField(max_length=130, unique=True)
    text = models.TextField()
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    on = models.DateField()
    # What decides who may see the item (the rest comes from the team).
    session = models.ForeignKey("reflection.Session", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    action = models.ForeignKey("actions.Action", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey("knowledge.Entry", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey("surveys.Campaign", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")

    class Meta:
        # Never by id: ids of card items say nothing, but an order by date and text is what people read.
        ordering = ["-on", "source", "text"]
        indexes = [models.Index(fields=["theme", "on"]), models.Index(fields=["on"])]
        constraints = [models.CheckConstraint(condition=Q(source__in=Source.values), name="theme_item_source_known")]

    def __str__(self):
        return self.text[:60]

    @property
    def link(self) -> str:
        return item_link(self)


class CorrectionKind(models.TextChoices):
    RENAME = "rename", _("Rename")
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")


class ThemeCorrection(models.Model):
    """A person's correction, re-applied after every recompute.

    rename: `theme` gets `name`; `items` are its keys when renamed (to find it again if lost).
    merge: `other` was merged into `theme`; `items` = the theme's keys, `other_items` = other's.
    split: `items` were moved out into `theme` (new), away from `other_items` (those left behind).
    """

    kind = models.CharField(max_length=10, choices=CorrectionKind.choices)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="corrections")
    other = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    items = models.JSONField(default=list)
    other_items = models.JSONField(default=list)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # An undone correction is kept for the record but no longer applied (themes_services.undo_correction).
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CorrectionKind.values), name="theme_correction_kind_known"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.theme_id}"


def item_link(item: ThemeItem) -> str:
    """Where the item is read: its session, action, knowledge entry or survey report."""
    from django.urls import reverse

    if item.session_id:
        return reverse("reflection:session", args=[item.session_id])
    if item.action_id:
        return reverse("actions:detail", args=[item.action_id])
    if item.entry_id:
        return reverse("knowledge:entry", args=[item.entry_id])
    if item.campaign_id:
        return reverse("surveys:report", args=[item.campaign_id])
    return ""
