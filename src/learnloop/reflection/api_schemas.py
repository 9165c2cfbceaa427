"""Request and response shapes of the reflection API. No response ever names a card's author
except the byline of a named session's card."""

from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import Field

from learnloop.api_base import InputSchema

Scope = Literal["organization", "team"]


class ColumnIn(InputSchema):
    key: str = ""
    title: str
    prompt: str = ""
    whys: bool = False


class TemplateOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    description: str
    scope: str
    team_id: int | None
    columns: list[dict]


class TemplateIn(InputSchema):
    name: str
    kind: Literal["retro", "review", "postmortem", "premortem", "critique"] = "retro"
    description: str = ""
    columns: list[ColumnIn]
    scope: Scope = "organization"
    team_id: int | None = None


class TemplatePatch(InputSchema):
    name: str | None = None
    description: str | None = None
    columns: list[ColumnIn] | None = None


class CloneIn(InputSchema):
    name: str | None = None
    scope: Scope = "organization"
    team_id: int | None = None


class SessionIn(InputSchema):
    team_id: int
    template_id: int
    title: str
    goal: str = ""
    mode: Literal["live", "async"] = "live"
    phase_deadlines: dict[str, str] = Field(default_factory=dict)
    anonymity: Literal["named", "alias", "anonymous"] = "named"
    vote_budget: int = 3
    work_owner_id: int | None = None


class SessionOut(Schema):
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
    held_on: date
    url: str


class StatusOut(Schema):
    phase: str
    revealed: bool
    cards_written: int
    participants: int
    done_count: int
    done_names: list[str]
    deadline: str


class PhaseIn(InputSchema):
    phase: str


class AnonymityIn(InputSchema):
    anonymity: Literal["named", "alias", "anonymous"]


class BudgetIn(InputSchema):
    vote_budget: int


class JoinOut(Schema):
    writer_key: str = Field(description="Keep it: send it back as X-Writer-Key. The server does not store it.")
    votes_left: int


class CardIn(InputSchema):
    column: str
    text: str


class CardOut(Schema):
    id: str
    column: str
    text: str
    byline: str = Field(description="The author in named sessions, the alias in alias sessions, empty otherwise.")
    mine: bool
    group_id: str | None
    whys: list[str]
    decision: str
    decision_reason: str


class CardPatch(InputSchema):
    text: str


class GroupIn(InputSchema):
    card_ids: list[str]
    title: str = ""
    group_id: str | None = None


class GroupOut(Schema):
    id: str
    title: str
    votes: int | None
    card_ids: list[str]


class VoteOut(Schema):
    votes_left: int


class GroupPatch(InputSchema):
    title: str


class WhyIn(InputSchema):
    text: str


class DecisionIn(InputSchema):
    decision: Literal["taken", "not_taken", ""]
    reason: str = ""


class LessonIn(InputSchema):
    title: str
    body: str = ""
    group_id: str | None = None
    card_id: str | None = None


class LessonOut(Schema):
    entry_id: int
    title: str


class ActionIn(InputSchema):
    title: str
    owner_id: int | None = None
    due_on: date | None = None
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    description: str = ""
    group_id: str | None = None


class ActionOut(Schema):
    id: int
    title: str
    status: str
    owner_id: int | None
    due_on: date | None
