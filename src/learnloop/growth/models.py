"""Personal mastery: a skills framework, ratings and evidence, team needs, development plans,
learning paths and mentoring pairs.

A skill is never deleted: retiring it hides it from new ratings and needs, merging it points it at
the survivor (`merged_into`) and moves its ratings, needs, goals and paths there. Every change to a
skill is kept as a SkillEvent. Ratings are append-only: a person's current level from one rater is
that rater's latest rating.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_LEVEL = 1
MAX_LEVEL = 5
DEFAULT_LEVEL_DESCRIPTORS = [
    "Aware: knows what it is and when it matters",
    "Beginner: does it with guidance",
    "Practitioner: does it unaided in usual cases",
    "Advanced: handles hard cases and coaches others",
    "Expert: shapes how the organization does it",
]


class SkillStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")
    MERGED = "merged", _("Merged")


class SkillCategory(models.Model):
    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Skill(models.Model):
    name = models.CharField(max_length=80, unique=True)
    category = models.ForeignKey(SkillCategory, on_delete=models.PROTECT, related_name="skills")
    description = models.TextField(blank=True)
    # Other names for the skill, lower-case, comma-separated: a knowledge entry tagged with the
    # skill's name or one of these (as a tag or as a knowledge skill) is evidence for it.
    aliases = models.CharField(max_length=400, blank=True)
    # One descriptor per level, level 1 first; the skill's scale is 1..len(level_descriptors).
    level_descriptors = models.JSONField(default=list)
    # Org-wide when blank; else the skill belongs to this team's framework.
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=SkillStatus.choices, default=SkillStatus.ACTIVE)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from")
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="merged", merged_into__isnull=False)
                                   | (~Q(status="merged") & Q(merged_into__isnull=True)),
                                   name="growth_skill_merged_has_survivor"),
        ]

    def __str__(self):
        return self.name

    @property
    def max_level(self) -> int:
        return len(self.level_descriptors) or MAX_LEVEL

    @property
    def is_active(self) -> bool:
        return self.status == SkillStatus.ACTIVE

    def match_terms(self) -> set[str]:
        terms = {self.name.strip().lower()}
        terms.update(a.strip().lower() for a in self.aliases.split(",") if a.strip())
        return terms


SKILL_EVENT_VERBS = {
    "created": _("created"), "changed": _("changed"), "retired": _("retired"), "restored": _("restored"),
    "merged": _("merged"), "absorbed": _("absorbed"),
}


class SkillEvent(models.Model):
    """The history of a skill: created, changed, retired, restored, merged (into / from)."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="events")
    verb = models.CharField(max_length=20)
    detail = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.skill} {self.verb}"

    @property
    def verb_display(self) -> str:
        """The verb as people read it, in the page's language (the stored verb stays a key)."""
        return str(SKILL_EVENT_VERBS.get(self.verb, self.verb))



class RaterRole(models.TextChoices):
    SELF = "self", _("Self")
    PEER = "peer", _("Peer")
    MANAGER = "manager", _("Manager")


class Rating(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="skill_ratings")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=RaterRole.choices)
    level = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-rated_at", "-id"]
        indexes = [models.Index(fields=["person", "skill"])]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=10), name="growth_rating_level_range"),
            models.CheckConstraint(condition=~Q(role="self") | Q(person=models.F("rater")),
                                   name="growth_self_rating_is_own"),
        ]

    def __str__(self):
        return f"{self.person} {self.skill} {self.level} ({self.role})"



class GrowthProfile(models.Model):
    """A person's own settings: whether peers may see their profile."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="growth_profile")
    shared = models.BooleanField(default=False)
    headline = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"Growth profile of {self.person}"



class SuggestionStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class SuggestionDecision(models.Model):
    """A person's answer to an evidence suggestion ("you wrote 4 lessons on X: add it?").
    Suggestions themselves are computed; only the answer is stored, so nothing changes silently."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices)
    evidence_count = models.PositiveIntegerField(default=0)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "skill"], name="growth_one_decision_per_skill")]

    def __str__(self):
        return f"{self.person} {self.status} {self.skill}"



class TeamSkillNeed(models.Model):
    """What a team says it needs: at least `people` people at `level` or above in `skill`."""

    team = models.ForeignKey("org.Team", on_delete=models.CASCADE, related_name="+")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="needs")
    level = models.PositiveSmallIntegerField(default=3)
    people = models.PositiveSmallIntegerField(default=2)

    class Meta:
        ordering = ["team", "skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "skill"], name="growth_one_need_per_team_skill"),
            models.CheckConstraint(condition=Q(people__gte=1), name="growth_need_people_positive"),
        ]

    def __str__(self):
        return f"{self.team} needs {self.people} at {self.skill} ≥ {self.level}"



class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Plan(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="growth_plans")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title



class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="goals")
    target_level = models.PositiveSmallIntegerField()
    by_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["by_date", "id"]

    def __str__(self):
        return f"{self.skill} → {self.target_level}"



class ActivityKind(models.TextChoices):
    PATH = "path", _("Learning path")
    MENTORING = "mentoring", _("Mentoring")
    WORKSHOP = "workshop", _("Workshop")
    STRETCH = "stretch", _("Stretch assignment")
    READING = "reading", _("Read a knowledge entry")
    EXPERIMENT = "experiment", _("Run an experiment")


class Activity(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities")
    kind = models.CharField(max_length=12, choices=ActivityKind.choices)
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    path = models.ForeignKey("growth.LearningPath", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey("knowledge.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # An activity with a due date is tracked as an action owned by the person, so the action
    # engine's due-soon and overdue reminders cover it; completing the activity completes it.
    action = models.OneToOneField("actions.Action", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="growth_activity")
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="path") | Q(path__isnull=False),
                                   name="growth_path_activity_has_path"),
            models.CheckConstraint(condition=~Q(kind="reading") | Q(entry__isnull=False),
                                   name="growth_reading_activity_has_entry"),
        ]

    def __str__(self):
        return self.title



class CheckIn(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="check_ins")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"Check-in on {self.plan}"



class LearningPath(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    skill = models.ForeignKey(Skill, null=True, blank=True, on_delete=models.PROTECT, related_name="paths")
    target_level = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self):
        return self.title



class StepKind(models.TextChoices):
    ENTRY = "entry", _("Knowledge entry")
    URL = "url", _("Web page")
    BOOK = "book", _("Book")
    COURSE = "course", _("Course")


class PathStep(models.Model):
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=StepKind.choices)
    title = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    entry = models.ForeignKey("knowledge.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["path", "position"]
        constraints = [
            models.UniqueConstraint(fields=["path", "position"], name="growth_step_position_unique"),
            models.CheckConstraint(condition=~Q(kind="entry") | Q(entry__isnull=False),
                                   name="growth_entry_step_has_entry"),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"



class StepCompletion(models.Model):
    step = models.ForeignKey(PathStep, on_delete=models.CASCADE, related_name="completions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "person"], name="growth_step_done_once")]

    def __str__(self):
        return f"{self.person} did {self.step}"



class PairStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class MentoringPair(models.Model):
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    goals = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=models.F("mentee")), name="growth_pair_two_people"),
        ]

    def __str__(self):
        return f"{self.mentor} mentors {self.mentee}"



class MeetingNote(models.Model):
    pair = models.ForeignKey(MentoringPair, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    met_on = models.DateField(default=timezone.localdate)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-met_on", "-id"]

    def __str__(self):
        return f"Note on {self.pair}"


# Matching rounds live in their own module; importing them here registers them with the app.
from learnloop.growth.matching_models import (  # noqa: E402, F401
    Answer,
    MatchingRound,
    MatchProposal,
    MenteeRequest,
    MentorOffer,
    OpenStatus,
    ProposalStatus,
    RoundStatus,
    WantedSkill,
)

# Workshops live in a module of their own; importing them here registers them with the app.
from learnloop.growth.workshop_models import (  # noqa: E402, F401
    FeedbackReceipt,
    SignupStatus,
    Workshop,
    WorkshopFeedback,
    WorkshopFormat,
    WorkshopSignup,
    WorkshopStatus,
)
