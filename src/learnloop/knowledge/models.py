"""The organization's memory: lessons, playbooks, decision records and questions.

Every entry has an owner (a person or a team) and a review interval, so someone is always
responsible for it and everyone can see whether it is still trustworthy. Every edit leaves a
version; nothing is deleted (obsolete entries stay readable). Applications record reuse.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

# An entry is "due for review" from its review date, and "stale" this long after it.
STALE_AFTER_DUE = timedelta(days=30)


class EntryKind(models.TextChoices):
    LESSON = "lesson", gettext_lazy("Lesson")
    PLAYBOOK = "playbook", gettext_lazy("Playbook")
    DECISION = "decision", gettext_lazy("Decision record")
    QUESTION = "question", gettext_lazy("Question")


# Default review intervals: how-tos rot fastest, decisions slowest.
DEFAULT_REVIEW_DAYS = {
    EntryKind.LESSON: 180,
    EntryKind.PLAYBOOK: 90,
    EntryKind.DECISION: 365,
    EntryKind.QUESTION: 180,
}


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", gettext_lazy("Proposed")
    ACCEPTED = "accepted", gettext_lazy("Accepted")
    DEPRECATED = "deprecated", gettext_lazy("Deprecated")
    SUPERSEDED = "superseded", gettext_lazy("Superseded")


class Visibility(models.TextChoices):
    EVERYONE = "everyone", gettext_lazy("Everyone")
    TEAM = "team", gettext_lazy("Its teams only")


class Freshness(models.TextChoices):
    FRESH = "fresh", gettext_lazy("Fresh")
    DUE = "due", gettext_lazy("Due for review")
    STALE = "stale", gettext_lazy("Stale")
    OBSOLETE = "obsolete", gettext_lazy("Obsolete")


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Skill(models.Model):
    """A skill an entry teaches or needs. A plain list until the growth module's taxonomy."""

    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


SEARCH_ATTRIBUTES_INDEX = "knowledge_entry_search_attrs"


class Entry(models.Model):
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    title = models.CharField(max_length=300)
    # Lessons and playbooks: the text. Questions: the question's details. Decisions: a summary.
    body = models.TextField(blank=True)
    # Decision records (ADR-style); blank for other kinds.
    context = models.TextField(blank=True)
    options = models.TextField(blank=True)
    decision = models.TextField(blank=True)
    consequences = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=DecisionStatus.choices, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes_records"
    )
    accepted_answer = models.ForeignKey(
        "knowledge.Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_entries")
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_entries"
    )
    owner_team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="owned_entries"
    )
    teams = models.ManyToManyField("org.Team", blank=True, related_name="entries")
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.EVERYONE)
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries")
    skills = models.ManyToManyField(Skill, blank=True, related_name="entries")

    review_interval_days = models.PositiveIntegerField(default=180)
    last_verified_at = models.DateTimeField(default=timezone.now)
    # last_verified_at + review_interval_days, stored so queues and filters are plain queries.
    review_due_at = models.DateTimeField(default=timezone.now)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    obsolete_at = models.DateTimeField(null=True, blank=True)
    obsolete_reason = models.TextField(blank=True)
    # "Verified by outcome": the latest answered check kept as this entry's evidence said it
    # worked (outcomes.py keeps it). A "did not work" on an action taken on the entry flags it
    # for review: it joins the owner's review queue until someone verifies it again.
    verified_by_outcome_at = models.DateTimeField(null=True, blank=True)
    review_flag = models.CharField(max_length=300, blank=True)
    review_flagged_at = models.DateTimeField(null=True, blank=True)

    # Denormalized for ranking and lists; kept by the services that add applications.
    application_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_person__isnull=False) & Q(owner_team__isnull=True))
                | (Q(owner_person__isnull=True) & Q(owner_team__isnull=False)),
                name="entry_has_exactly_one_owner",
            ),
            models.CheckConstraint(
                condition=(Q(kind="decision") & ~Q(status="")) | (~Q(kind="decision") & Q(status="")),
                name="only_decisions_have_a_status",
            ),
            models.CheckConstraint(condition=Q(review_interval_days__gte=1), name="review_interval_positive"),
        ]
        indexes = [
            models.Index(fields=["kind", "updated_at"]),
            models.Index(fields=["review_due_at"]),
            # What every search reads of each of up to 200 entries (search.documents.attributes_of,
            # which names it to SQLite: the planner takes it for 200 ids but not for 50).
            # SQLite keeps a row's columns in table order, and a long text spills into a chain of
            # overflow pages walked to reach any column after it: the texts come early here, so
            # reading a 50 KB entry's kind or review date read the 50 KB. From this covering
            # index SQLite never touches the texts (200 long entries: 2.3 → 0.4 ms). PostgreSQL
            # keeps long values out of line (TOAST) and gains little from it.
            models.Index(fields=["id", "kind", "visibility", "author", "owner_person", "owner_team",
                                 "application_count", "obsolete_at", "review_due_at"],
                         name=SEARCH_ATTRIBUTES_INDEX),
        ]

    def __str__(self):
        return self.title

    @property
    def owner(self):
        return self.owner_person or self.owner_team

    def schedule_review(self) -> None:
        self.review_due_at = self.last_verified_at + timedelta(days=self.review_interval_days)

    def freshness(self, now=None) -> str:
        now = now or timezone.now()
        if self.obsolete_at is not None:
            return Freshness.OBSOLETE
        due = self.review_due_at
        if now < due:
            return Freshness.FRESH
        if now < due + STALE_AFTER_DUE:
            return Freshness.DUE
        return Freshness.STALE

    def get_freshness_display(self) -> str:
        return str(Freshness(self.freshness()).label)

    @property
    def is_locked(self) -> bool:
        """Accepted decision records are immutable: only their status moves on."""
        return self.kind == EntryKind.DECISION and self.status != DecisionStatus.PROPOSED


class EntryVersion(models.Model):
    """The content of an entry after one edit, with who made it and why."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()  # title, body, decision fields, tags, skills
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    change_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="one_version_number_per_entry")]

    def __str__(self):
        return f"{self.entry} v{self.number}"


class LinkKind(models.TextChoices):
    RELATED = "related", gettext_lazy("Related to")
    SUPERSEDES = "supersedes", gettext_lazy("Supersedes")
    CONTRADICTS = "contradicts", gettext_lazy("Contradicts")


class EntryLink(models.Model):
    source = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="outgoing_links")
    target = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="incoming_links")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="one_link_of_a_kind"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="no_link_to_itself"),
        ]

    def __str__(self):
        return f"{self.source} {self.kind} {self.target}"


class Provenance(models.Model):
    """Where an entry came from: a session, a finding, an experiment, another entry, ...

    Sources are named generically ("reflection.session", "42") so any module can link in; the
    label is kept so the link stays readable if the source is later removed.
    """

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="provenance")
    source_type = models.CharField(max_length=60)
    source_id = models.CharField(max_length=64)
    label = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "source_type", "source_id"], name="one_provenance_per_source")
        ]
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def __str__(self):
        return f"{self.entry} ← {self.source_type}:{self.source_id}"


class ApplicationOutcome(models.TextChoices):
    WORKED = "worked", gettext_lazy("It worked")
    PARTLY = "partly", gettext_lazy("It partly worked")
    DID_NOT_WORK = "did_not_work", gettext_lazy("It did not work")
    TOO_EARLY = "too_early", gettext_lazy("Too early to tell")


class Application(models.Model):
    """“I applied this lesson here”: reuse that is counted, not guessed."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="applications")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    # Where: free text, or a link to something in Learnloop named like provenance sources.
    context = models.CharField(max_length=300, blank=True)
    context_type = models.CharField(max_length=60, blank=True)
    context_id = models.CharField(max_length=64, blank=True)
    applied_on = models.DateField(default=timezone.localdate)
    outcome = models.CharField(max_length=20, choices=ApplicationOutcome.choices, default=ApplicationOutcome.TOO_EARLY)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["context_type", "context_id"])]

    def __str__(self):
        return f"{self.person} applied {self.entry}"


class OutcomeEvidence(models.Model):
    """An answered "did it work?" kept as evidence for an entry: the check it came from (a typed
    reference, see learnloop.links), its answer and evidence as last answered, and who added it."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="outcomes")
    source_type = models.CharField(max_length=60)
    source_id = models.CharField(max_length=64)
    label = models.CharField(max_length=300)
    effect = models.CharField(max_length=15)  # worked | did_not_work | unknown, as the check says
    evidence = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "source_type", "source_id"], name="one_outcome_per_check"),
            models.CheckConstraint(condition=Q(effect__in=["worked", "did_not_work", "unknown"]),
                                   name="outcome_effect_known"),
        ]
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def __str__(self):
        return f"{self.entry} ← {self.effect} ({self.source_type}:{self.source_id})"


class Feedback(models.Model):
    """“Was this helpful?” One answer per person per entry; they can change it."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="feedback")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    helpful = models.BooleanField()
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "person"], name="one_feedback_per_person")]

    def __str__(self):
        return f"{self.person} found {self.entry} {'helpful' if self.helpful else 'not helpful'}"


class Answer(models.Model):
    """An answer shows under its author's name, so only its author ever changes its text. Curators
    (the question's owner side, learning leads, admins) may hide it, with a reason that is shown."""

    question = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="answers")
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="answers")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Set when the author changes the text after posting, so readers see "edited".
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Answer to {self.question}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class AnswerVote(models.Model):
    """One vote per person per answer: +1 (useful) or -1 (wrong or misleading). A person may change
    or withdraw it, never vote on their own answer. The sum ranks the answers (after the accepted
    one), so the question page reads best answer first."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "person"], name="one_vote_per_person_per_answer"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="answer_vote_is_up_or_down"),
        ]

    def __str__(self):
        return f"{self.value:+d} on answer {self.answer_id}"


class Follow(models.Model):
    """A person who wants to hear when an entry changes."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="follows")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "person"], name="one_follow_per_person_per_entry")]

    def __str__(self):
        return f"person {self.person_id} follows {self.entry_id}"


class NotificationKind(models.TextChoices):
    # The values are also the email kinds people turn on and off (integrations' preferences) and
    # the first part of each email's ledger key, so they stay short and stable.
    REVIEW_DUE = "entry_review", gettext_lazy("An entry you answer for is due for review")
    ANSWER = "entry_answer", gettext_lazy("An answer to your question")
    COMMENT = "entry_comment", gettext_lazy("A comment on an entry you own")
    FOLLOWED = "entry_followed", gettext_lazy("A change to an entry you follow")


class Notification(models.Model):
    """One thing a person should hear about, shown in their in-app list and emailed to them
    unless they turned that kind of email off. `key` names the event, so the same fact never makes
    two notifications for one person (a second reminder run, a retried request)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300)
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_event")]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["key"])]

    def __str__(self):
        return f"{self.kind} for person {self.recipient_id}: {self.text}"


class EntryTemplate(models.Model):
    """A starting point for a new entry of one kind: its body (and, for decision records, its
    sections) pre-filled. Organization-wide (no team; managed by learning leads and admins) or a
    team's own (managed by its facilitators, learning leads and admins; offered to its members)."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    description = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    context = models.TextField(blank=True)
    options = models.TextField(blank=True)
    decision = models.TextField(blank=True)
    consequences = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name", "id"]

    def __str__(self):
        return self.name


def _attachment_path(_instance, _filename) -> str:
    # A random name without the uploader's extension: nothing they chose reaches the file system.
    return f"knowledge/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """An image or file attached to an entry. Its type is what its content is (checked on upload),
    not what its name says; it is only ever sent as a download (attachments.py)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    name = models.CharField(max_length=200)  # the uploaded file's name, cleaned, for the download
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class SearchOutbox(models.Model):
    """Entries whose search documents must be rewritten, queued in the same transaction as
    the change. The embedded search index applies and clears it after commit; if that ever
    fails the rows stay, and the next write or `learnloop search rebuild` catches up."""

    entry_id = models.BigIntegerField(db_index=True)
    queued_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"reindex entry {self.entry_id}"


# The PostgreSQL search backend's (unmanaged) tables; imported here so Django sees them.
from learnloop.knowledge.search_tables import (  # noqa: E402, F401
    SearchDocument,
    SearchPosting,
    SearchStats,
    SearchTerm,
)
