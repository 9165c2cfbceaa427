"""Mentor matching rounds: mentors' offers, mentees' requests, rounds and the proposals they make.

A mentor offers skills and a capacity (how many mentees at once); a mentee asks for skills with a
target level and preferences. A learning lead runs a round: the open offers and requests go to the
optimal assignment solver (learnloop.analytics.mentor_matching) and each pair it returns becomes a
proposal. A proposal starts a mentoring pair only when both the mentor and the mentee accept it;
either may decline (no reason asked), and whoever is not paired stays in the pool for the next
round. (Imported by growth.models, so Django registers these with the growth app.)
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_CAPACITY = 10


class OpenStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MATCHED = "matched", _("Matched")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MentorOffer(models.Model):
    """A person offers to mentor in some skills, for up to `capacity` mentees at a time. Their
    levels in those skills are read from their profile (the effective level) when a round runs."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    skills = models.ManyToManyField("growth.Skill", related_name="+")
    capacity = models.PositiveSmallIntegerField(default=1)
    note = models.TextField(blank=True)
    # Availability: rounds run before this day leave the offer out (None: available now).
    available_from = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=OpenStatus.choices, default=OpenStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(status="open"), name="growth_one_open_offer"),
            models.CheckConstraint(condition=Q(capacity__gte=1) & Q(capacity__lte=MAX_CAPACITY),
                                   name="growth_offer_capacity_range"),
        ]

    def __str__(self):
        return f"{self.person} offers mentoring"


class MenteeRequest(models.Model):
    """A person asks for a mentor in some skills (each with a target level)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    # Preferences on top of the solver's score (docs/growth.md): never be matched with one of your
    # leads; a bonus for mentors who share none of your teams.
    not_my_manager = models.BooleanField(default=True)
    prefer_other_team = models.BooleanField(default=False)
    # Availability: rounds run before this day leave the request out (None: available now).
    available_from = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=OpenStatus.choices, default=OpenStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(status="open"), name="growth_one_open_request"),
        ]

    def __str__(self):
        return f"{self.person} asks for a mentor"


class WantedSkill(models.Model):
    request = models.ForeignKey(MenteeRequest, on_delete=models.CASCADE, related_name="wanted")
    skill = models.ForeignKey("growth.Skill", on_delete=models.PROTECT, related_name="+")
    target_level = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["request", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "skill"], name="growth_wanted_skill_once"),
            models.CheckConstraint(condition=Q(target_level__gte=1), name="growth_wanted_target_positive"),
        ]

    def __str__(self):
        return f"{self.skill} → {self.target_level}"


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class MatchingRound(models.Model):
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    # What went in and what came out, as counted when the round ran.
    mentor_count = models.PositiveIntegerField(default=0)
    mentee_count = models.PositiveIntegerField(default=0)
    total_score = models.FloatField(default=0)
    ran_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-ran_at", "-id"]

    def __str__(self):
        return f"Matching round {self.pk}"


class Answer(models.TextChoices):
    PENDING = "pending", _("Not answered yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for answers")
    PAIRED = "paired", _("Paired")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")


class MatchProposal(models.Model):
    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="proposals")
    offer = models.ForeignKey(MentorOffer, on_delete=models.PROTECT, related_name="proposals")
    request = models.ForeignKey(MenteeRequest, on_delete=models.PROTECT, related_name="proposals")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()  # the CLI's score for the pair
    cross_team = models.BooleanField(default=False)
    explanation = models.CharField(max_length=300)
    mentor_answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.PENDING)
    mentee_answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.PENDING)
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    pair = models.OneToOneField("growth.MentoringPair", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="proposal")

    class Meta:
        ordering = ["round", "-score", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=models.F("mentee")), name="growth_proposal_two_people"),
        ]

    def __str__(self):
        return f"{self.mentor} for {self.mentee} (round {self.round_id})"
