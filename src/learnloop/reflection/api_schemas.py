"""Request and response shapes of the reflection API. No response ever names a card's author
except the byline of a named session's card.

Component names start with Reflection (or Critique) so they are unique across the whole API:
OpenAPI components share one namespace, and a second "ActionOut" would replace this one.
Writes to cards and votes name their card or group in the body, never in the path (access logs)."""

from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import Field

from learnloop.api_base import InputSchema
from learnloop.links.api_schemas import AppliedLessonOut, LessonLinkOut

Scope = Literal["organization", "team"]


class ReflectionColumnIn(InputSchema):
    key: str = ""
    title: str
    prompt: str = ""
    whys: bool = False


class ReflectionTemplateOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    description: str
    scope: str
    team_id: int | None
    columns: list[dict]


class ReflectionTemplateIn(InputSchema):
    name: str
    kind: Literal["retro", "review", "postmortem", "premortem", "critique"] = "retro"
    description: str = ""
    columns: list[ReflectionColumnIn]
    scope: Scope = "organization"
    team_id: int | None = None


class ReflectionTemplatePatch(InputSchema):
    name: str | None = None
    description: str | None = None
    columns: list[ReflectionColumnIn] | None = None


class ReflectionCloneIn(InputSchema):
    name: str | None = None
    scope: Scope = "organization"
    team_id: int | None = None


class ReflectionSessionIn(InputSchema):
    team_id: int
    template_id: int
    title: str
    goal: str = ""
    mode: Literal["live", "async"] = "live"
    phase_deadlines: dict[str, str] = Field(default_factory=dict)
    anonymity: Literal["named", "alias", "anonymous"] = "named"
    vote_budget: int = 3
    work_owner_id: int | None = None
    checkin_question: str = Field("", description="An optional check-in question, asked while the session prepares.")


class ReflectionSessionOut(Schema):
    id: int
    title: str
    goal: str
    team_id: int
    template_id: int
    facilitator_id: int
    mode: str
    phase: str
    phase_deadlines: dict
    anonymity: str
    vote_budget: int
    revealed: bool
    tallies_shown: bool = Field(description="Vote tallies are shown once the vote phase has ended.")
    vote_round: int = Field(description="Goes up each time voting restarts after the tallies were shown.")
    anonymity_weak: bool = Field(
        description="An alias or anonymous session with fewer participants than the configured minimum."
    )
    held_on: date
    checkin_question: str = Field(description="The check-in question; empty when the session has none.")
    url: str


class ReflectionSessionDetailOut(ReflectionSessionOut):
    lessons_from_here: list[LessonLinkOut] = Field(description="Lessons that came from this session.")
    lessons_applied_here: list[AppliedLessonOut] = Field(description="Lessons someone applied in this session.")


class ReflectionStatusOut(Schema):
    phase: str
    revealed: bool
    cards_written: int
    participants: int
    done_count: int
    done_names: list[str]
    deadline: str
    timer_seconds_left: int | None = Field(None, description="Seconds left on the current phase's timer; "
                                                                 "null when none was started, 0 when time is up.")
    timer_auto_advance: bool = Field(False, description="The phase moves on by itself when the timer runs out.")


class ReflectionTimerIn(InputSchema):
    minutes: int = Field(description="1 to 120")
    auto_advance: bool = False


class ReflectionCheckInQuestionIn(InputSchema):
    question: str = Field(description="Empty to drop the check-in round.")


class ReflectionCheckInIn(InputSchema):
    text: str = Field(description="Your answer (at most 280 characters); sending again replaces it.")


class ReflectionCheckInAnswerOut(Schema):
    text: str
    by: str = Field(description="The writer's name (named sessions) or alias; empty when anonymous.")


class ReflectionCheckInOut(Schema):
    question: str
    open: bool = Field(description="Answers can be written (the prepare phase).")
    shown: bool = Field(description="Everyone's answers are shown (from reflect until the session closes).")
    count: int
    mine: str = Field(description="Your own answer, empty if none.")
    answers: list[ReflectionCheckInAnswerOut] = Field(description="Sorted by text; empty until shown.")


class ReflectionGroupNotesIn(InputSchema):
    group_id: str
    notes: str = ""
    decision: str = ""


class ReflectionGroupNotesOut(Schema):
    id: str
    title: str
    notes: str
    decision: str


class ReflectionSummaryCardOut(Schema):
    column: str
    text: str
    byline: str = Field(description="The writer's name (named sessions) or alias; empty when anonymous.")


class ReflectionSummaryGroupOut(Schema):
    title: str
    votes: int | None
    cards: list[ReflectionSummaryCardOut]
    notes: str
    decision: str


class ReflectionSummaryActionOut(Schema):
    id: int
    title: str
    status: str
    owner: str | None
    due_on: date | None


class ReflectionSummaryLessonOut(Schema):
    id: int
    title: str


class ReflectionSummaryOut(Schema):
    session_id: int
    title: str
    team: str
    held_on: date
    anonymity: str
    participants: int
    groups: list[ReflectionSummaryGroupOut]
    other_cards: list[ReflectionSummaryCardOut]
    actions: list[ReflectionSummaryActionOut]
    lessons: list[ReflectionSummaryLessonOut]
    markdown: str = Field(description="The same summary as Markdown (what the page's download gives).")


class ReflectionPhaseIn(InputSchema):
    phase: str


class ReflectionAnonymityIn(InputSchema):
    anonymity: Literal["named", "alias", "anonymous"]


class ReflectionBudgetIn(InputSchema):
    vote_budget: int


class ReflectionJoinOut(Schema):
    writer_key: str = Field(description="Keep it: send it back as X-Writer-Key. The server does not store it.")
    votes_left: int


class ReflectionCardIn(InputSchema):
    column: str
    text: str


class ReflectionCardOut(Schema):
    id: str
    column: str
    text: str
    byline: str = Field(description="The author in named sessions, the alias in alias sessions, empty otherwise.")
    mine: bool
    group_id: str | None
    whys: list[str]
    decision: str
    decision_reason: str
    reactions: dict[str, int] = Field(default_factory=dict, description="Emoji → how many reacted with it "
                                                                         "(counts only, never who).")
    my_reactions: list[str] = Field(default_factory=list, description="The emojis your writer key added.")


class ReflectionReactionIn(InputSchema):
    card_id: str
    emoji: str = Field(description="One of 👍 ❤️ 🎉 😂 🤔 👀; sending it again takes it back.")


class ReflectionCardEditIn(InputSchema):
    card_id: str
    text: str


class ReflectionCardRefIn(InputSchema):
    card_id: str


class ReflectionGroupIn(InputSchema):
    card_ids: list[str]
    title: str = ""
    group_id: str | None = None


class ReflectionGroupOut(Schema):
    id: str
    title: str
    votes: int | None
    card_ids: list[str]


class ReflectionVoteOut(Schema):
    votes_left: int


class ReflectionGroupRenameIn(InputSchema):
    group_id: str
    title: str


class ReflectionVoteIn(InputSchema):
    group_id: str


class ReflectionWhyIn(InputSchema):
    card_id: str
    text: str


class CritiqueDecisionIn(InputSchema):
    card_id: str
    decision: Literal["taken", "not_taken", ""]
    reason: str = ""


class ReflectionLessonIn(InputSchema):
    title: str
    body: str = ""
    group_id: str | None = None
    card_id: str | None = None


class ReflectionLessonOut(Schema):
    entry_id: int
    title: str


class ReflectionActionIn(InputSchema):
    title: str
    owner_id: int | None = None
    due_on: date | None = None
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    description: str = ""
    group_id: str | None = None


class ReflectionActionOut(Schema):
    id: int
    title: str
    status: str
    owner_id: int | None
    due_on: date | None
