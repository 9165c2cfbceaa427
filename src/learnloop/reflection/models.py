"""Reflection sessions: templates, sessions, participants, cards, groups and votes.

Anonymity is designed into the rows, not added in the views (see docs/reflection.md):
- a card has a random public id (UUID) and no timestamp (the session's date is all there is),
  and lists show cards in a stable shuffled order, so neither ids nor times reveal who wrote what;
- an alias or anonymous card stores no author: only a hash of the writer's per-session key and
  the card's own id, so no two cards share a stored hash; the key lives in the writer's browser
  (or API client) and nowhere on the server;
- a vote is a tally on a group and a per-person count of votes used; the mark that lets a voter
  withdraw a vote holds a differently derived hash of the same key, so votes can't be joined to
  cards either;
- in alias and anonymous sessions every write rewrites the session's cards (and vote marks) in a
  fresh random order (see shuffle.py), so no row order, rowid or transaction id tells who wrote first.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy


class TemplateKind(models.TextChoices):
    RETRO = "retro", gettext_lazy("Retrospective")
    REVIEW = "review", gettext_lazy("After-action review")
    POSTMORTEM = "postmortem", gettext_lazy("Blameless postmortem")
    PREMORTEM = "premortem", gettext_lazy("Pre-mortem")
    CRITIQUE = "critique", gettext_lazy("Candid critique")


class TemplateScope(models.TextChoices):
    BUILTIN = "builtin", gettext_lazy("Built in")
    ORGANIZATION = "organization", gettext_lazy("Organization")
    TEAM = "team", gettext_lazy("Team")


class Template(models.Model):
    """How a session is structured: its columns (the questions people answer), as data.

    `columns` is a list of {"key", "title", "prompt"} and, for postmortem factors, "whys": true.
    """

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    kind = models.CharField(max_length=20, choices=TemplateKind.choices, default=TemplateKind.RETRO)
    description = models.TextField(blank=True)
    columns = models.JSONField(default=list)
    scope = models.CharField(max_length=20, choices=TemplateScope.choices, default=TemplateScope.ORGANIZATION)
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cloned_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="clones")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scope", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="team") & Q(team__isnull=False)) | (~Q(scope="team") & Q(team__isnull=True)),
                name="template_team_scope_has_team",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.scope == TemplateScope.BUILTIN

    def column(self, key: str) -> dict | None:
        return next((column for column in self.columns if column.get("key") == key), None)

    # A built-in template is stored in English (builtin_templates.py marks its texts for the
    # catalogue); these read it in the active language. Custom templates are shown as written.
    def _shown(self, text: str) -> str:
        return gettext(text) if self.is_builtin and text else text

    @property
    def shown_name(self) -> str:
        return self._shown(self.name)

    @property
    def shown_description(self) -> str:
        return self._shown(self.description)

    @property
    def shown_columns(self) -> list[dict]:
        return [{**column, "title": self._shown(column.get("title", "")),
                 "prompt": self._shown(column.get("prompt", ""))} for column in self.columns]


class Phase(models.TextChoices):
    PREPARE = "prepare", gettext_lazy("Prepare")
    REFLECT = "reflect", gettext_lazy("Reflect")
    GROUP = "group", pgettext_lazy("verb", "Group")
    VOTE = "vote", gettext_lazy("Vote")
    DISCUSS = "discuss", gettext_lazy("Discuss")
    ACTIONS = "actions", gettext_lazy("Actions and lessons")
    CLOSED = "closed", gettext_lazy("Closed")


PHASE_ORDER = [phase.value for phase in Phase]


class Mode(models.TextChoices):
    LIVE = "live", gettext_lazy("Live")
    ASYNC = "async", gettext_lazy("Asynchronous")


class Anonymity(models.TextChoices):
    NAMED = "named", gettext_lazy("Named")
    ALIAS = "alias", gettext_lazy("Alias")
    ANONYMOUS = "anonymous", gettext_lazy("Anonymous")


# Anonymity can be raised, never lowered: a higher rank hides more.
ANONYMITY_RANK = {Anonymity.NAMED: 0, Anonymity.ALIAS: 1, Anonymity.ANONYMOUS: 2}


class Session(models.Model):
    team = models.ForeignKey("org.Team", on_delete=models.PROTECT, related_name="reflection_sessions")
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(max_length=200)
    goal = models.TextField(blank=True)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Candid critique: whose work in progress is critiqued; they decide what to take.
    work_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.LIVE)
    # Asynchronous sessions: {"reflect": "2025-03-04T17:00:00+00:00", ...}
    phase_deadlines = models.JSONField(default=dict, blank=True)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.PREPARE)
    anonymity = models.CharField(max_length=10, choices=Anonymity.choices, default=Anonymity.NAMED)
    vote_budget = models.PositiveSmallIntegerField(default=3)
    revealed = models.BooleanField(default=False)
    # Vote secrecy: tallies are shown once the vote phase has ended (vote -> discuss). Going back
    # to vote after that starts a fresh round (marks, tallies and budgets reset), so nobody can
    # read running tallies by stepping back and forth.
    tallies_shown = models.BooleanField(default=False)
    vote_round = models.PositiveSmallIntegerField(default=1)
    held_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A live session's phase timer (facilitation.py): shown to everyone; with auto_advance the
    # phase moves on when it runs out. Cleared whenever the phase changes.
    timer_phase = models.CharField(max_length=10, blank=True)
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_auto_advance = models.BooleanField(default=False)
    # The summary's share link: only the SHA-256 of its token is kept ("" = not shared).
    summary_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # An optional check-in round (checkin.py): "" = none.
    checkin_question = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vote_budget__gte=1) & Q(vote_budget__lte=50), name="vote_budget_1_to_50"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.CLOSED

    @property
    def phase_index(self) -> int:
        return PHASE_ORDER.index(self.phase)


class Participant(models.Model):
    """Who takes part: for the vote budget and "who is done". Nothing here points at a card.

    The row is created when the person opens the board (or joins through the API), never in the
    transaction that writes their first card or vote: otherwise the order of participant rows
    would be the order in which writers first wrote."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    votes_used = models.PositiveSmallIntegerField(default=0)
    # The phase this person said they were done with ("" = not done with the current one).
    done_with = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["person__full_name"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="one_participant_per_session")]

    def __str__(self):
        return f"{self.person} in {self.session}"


class Group(models.Model):
    """Cards merged under one heading; votes and discussion are per group."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="groups")
    title = models.CharField(max_length=200)
    votes = models.PositiveIntegerField(default=0)
    # Written by the facilitator during the discussion; no author or time is kept with them.
    discussion_notes = models.TextField(blank=True)
    decision = models.TextField(blank=True)

    class Meta:
        # Not by votes: while tallies are hidden, an order by votes would show the ranking.
        # Selectors sort by votes only once session.tallies_shown.
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class Card(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="cards")
    column = models.CharField(max_length=40)
    text = models.TextField()
    # Named sessions only; erased when anonymity is raised.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    alias = models.CharField(max_length=60, blank=True)
    # Alias and anonymous cards: sha256 of the writer's key, the session and this card's id, so
    # only the key's holder finds the card, and no two cards of one writer share a hash.
    writer_hash = models.CharField(max_length=64, blank=True, db_index=True)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="cards")
    # Random, so the display order says nothing about who wrote first.
    # No timestamp at all: the session's date is all a card says about when it was written.
    shuffle_key = models.PositiveIntegerField()
    # Candid critique: the work's owner records what they take from each note, and why.
    decision = models.CharField(
        max_length=10, blank=True, choices=[("taken", "Taken"), ("not_taken", "Not taken")]
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["shuffle_key", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(author__isnull=True) | (Q(alias="") & Q(writer_hash="")),
                name="named_card_has_no_alias_or_key",
            ),
        ]

    def __str__(self):
        return self.text[:60]


class WhyStep(models.Model):
    """One answer in a contributing factor's "5 whys" chain."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="whys")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["card", "position"], name="one_why_per_position")]

    def __str__(self):
        return self.text[:60]


class VoteMark(models.Model):
    """Lets a voter withdraw a vote: it holds a hash of their key (derived differently from the
    card hash), never a person. A random id, and the session's marks are rewritten in random
    order on every vote, so neither ids nor row order say in which order votes came."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="marks")
    voter_hash = models.CharField(max_length=64, db_index=True)

    def __str__(self):
        return f"vote on {self.group_id}"


class Reaction(models.Model):
    """One emoji on one card from one person, held as a hash of their writer key for that card
    and that emoji (writer_keys.reaction_hash): two reactions of one person share nothing a
    database holder could group by, and no person, time or order is stored. The session's
    reactions are rewritten in random order on every reaction (shuffle.py), and kept when its
    cards are."""

    EMOJIS = ("👍", "❤️", "🎉", "😂", "🤔", "👀")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reactions")
    emoji = models.CharField(max_length=8)
    reactor_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["card", "emoji", "reactor_hash"], name="one_reaction_each")]

    def __str__(self):
        return self.emoji


class CheckIn(models.Model):
    """One answer to the session's check-in question, written while it prepares.

    Like a card: the author only in named sessions; otherwise a hash of the writer's key for
    this purpose and session (one answer per key), and an alias in alias sessions. No time and
    no order are kept (rewritten in random order on every answer), and all of them are deleted
    when the session closes: a check-in is for the room, not for the record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="checkins")
    text = models.CharField(max_length=280)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    alias = models.CharField(max_length=60, blank=True)
    writer_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["text", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], condition=Q(author__isnull=False),
                                    name="one_named_checkin_each"),
            models.UniqueConstraint(fields=["session", "writer_hash"], condition=~Q(writer_hash=""),
                                    name="one_keyed_checkin_each"),
        ]

    def __str__(self):
        return self.text[:60]


class Lesson(models.Model):
    """A knowledge entry promoted from this session (the entry carries the provenance too)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="lessons")
    entry = models.ForeignKey("knowledge.Entry", on_delete=models.CASCADE, related_name="+")
    promoted_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["promoted_on", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "entry"], name="one_lesson_link_per_entry")]

    def __str__(self):
        return f"{self.entry} from {self.session}"
