"""Request and response shapes of the growth API (every name starts with Growth: schema names are
unique across the whole API)."""

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from learnloop.api_base import Id, InputSchema


class GrowthCategoryOut(Schema):
    id: int
    name: str
    description: str
    position: int


class GrowthCategoryIn(InputSchema):
    name: str
    description: str = ""
    position: int = Field(0, ge=0, le=1000)


class GrowthSkillOut(Schema):
    id: int
    name: str
    category_id: int
    category: str
    description: str
    aliases: list[str]
    level_descriptors: list[str]
    team_id: int | None
    status: Literal["active", "retired", "merged"]
    merged_into_id: int | None
    url: str


class GrowthSkillEventOut(Schema):
    verb: str
    detail: str
    by_id: int | None
    at: datetime


class GrowthSkillDetailOut(GrowthSkillOut):
    events: list[GrowthSkillEventOut]
    merged_from_ids: list[int]


class GrowthSkillIn(InputSchema):
    name: str
    category_id: Id
    description: str = ""
    aliases: list[str] = Field(default_factory=list)
    level_descriptors: list[str] = Field(default_factory=list, description="One per level, level 1 first; "
                                                                          "empty for the default five.")
    team_id: Id | None = Field(None, description="A team's own skill; null for org-wide.")


class GrowthSkillPatch(InputSchema):
    name: str | None = None
    category_id: Id | None = None
    description: str | None = None
    aliases: list[str] | None = None
    level_descriptors: list[str] | None = None


class GrowthRetireIn(InputSchema):
    reason: str = ""


class GrowthMergeIn(InputSchema):
    into_id: Id = Field(description="The surviving skill: ratings, needs, goals and paths move to it.")


class GrowthImportIn(InputSchema):
    format: Literal["csv", "json"]
    content: str = Field(description="The file's text: CSV with a header row, or JSON {\"skills\": [...]}.")


class GrowthImportOut(Schema):
    created: int
    updated: int
    unchanged: int


class GrowthExportOut(Schema):
    format: Literal["csv", "json"]
    content: str


class GrowthPersonOut(Schema):
    id: int
    full_name: str
    shared: bool
    url: str


class GrowthRatingOut(Schema):
    id: int
    rater_id: int
    rater: str
    role: Literal["self", "peer", "manager"]
    level: int
    note: str
    rated_at: datetime


class GrowthEvidenceOut(Schema):
    kind: str
    title: str
    url: str


class GrowthProfileSkillOut(Schema):
    skill_id: int
    skill: str
    effective_level: int | None
    ratings: list[GrowthRatingOut]
    evidence: list[GrowthEvidenceOut]


class GrowthSuggestionOut(Schema):
    skill_id: int
    skill: str
    count: int
    text: str
    evidence: list[GrowthEvidenceOut]


class GrowthProfileOut(Schema):
    person_id: int
    full_name: str
    shared: bool
    headline: str
    skills: list[GrowthProfileSkillOut]
    suggestions: list[GrowthSuggestionOut] = Field(description="Only on your own profile.")


class GrowthRateIn(InputSchema):
    skill_id: Id
    level: int = Field(ge=1, le=10)
    note: str = ""
    role: Literal["self", "peer", "manager"] | None = Field(None, description="Follows from who you are when "
                                                                              "left out.")


class GrowthSharingIn(InputSchema):
    shared: bool
    headline: str | None = None


class GrowthSuggestionIn(InputSchema):
    skill_id: Id
    accept: bool
    level: int | None = Field(None, ge=1, le=10, description="Your level, when accepting.")


class GrowthSuggestionAnswerOut(Schema):
    skill_id: int
    status: Literal["accepted", "dismissed"]


class GrowthNeedIn(InputSchema):
    skill_id: Id
    level: int = Field(ge=1, le=10)
    people: int = Field(ge=1, le=1000)


class GrowthNeedOut(Schema):
    team_id: int
    skill_id: int
    skill: str
    level: int
    people: int


class GrowthCoverageCellOut(Schema):
    team_id: int
    skill_id: int
    people: int
    needed: int | None


class GrowthCoverageOut(Schema):
    level: int
    teams: list[dict]
    skills: list[dict]
    cells: list[GrowthCoverageCellOut]


class GrowthGapOut(Schema):
    skill_id: int
    skill: str
    level: int
    needed: int
    have: int


class GrowthSinglePointOut(Schema):
    skill_id: int
    skill: str
    person_id: int | None = Field(description="Shown to the team's leads, learning leads and admins only.")


class GrowthTeamCoverageOut(Schema):
    team_id: int
    level: int
    gaps: list[GrowthGapOut]
    single_points: list[GrowthSinglePointOut]
    matrix: list[dict] = Field(description="Per member: {person_id, levels: {skill_id: level}}; leads only.")


class GrowthPlanIn(InputSchema):
    person_id: Id
    title: str


class GrowthGoalIn(InputSchema):
    skill_id: Id
    target_level: int = Field(ge=1, le=10)
    by_date: date | None = None


class GrowthGoalOut(Schema):
    id: int
    skill_id: int
    skill: str
    target_level: int
    by_date: date | None
    current_level: int | None
    reached: bool


class GrowthActivityIn(InputSchema):
    kind: Literal["path", "mentoring", "workshop", "stretch", "reading", "experiment"]
    title: str = ""
    goal_id: Id | None = None
    due_on: date | None = None
    path_id: Id | None = None
    entry_id: Id | None = None


class GrowthActivityOut(Schema):
    id: int
    kind: str
    title: str
    goal_id: int | None
    due_on: date | None
    path_id: int | None
    entry_id: int | None
    action_id: int | None = Field(description="The action that carries its due date and reminders.")
    done_at: datetime | None


class GrowthCheckInIn(InputSchema):
    note: str


class GrowthCheckInOut(Schema):
    id: int
    by_id: int
    note: str
    at: datetime


class GrowthPlanOut(Schema):
    id: int
    person_id: int
    title: str
    status: Literal["active", "closed"]
    created_at: datetime
    url: str


class GrowthPlanDetailOut(GrowthPlanOut):
    goals: list[GrowthGoalOut]
    activities: list[GrowthActivityOut]
    check_ins: list[GrowthCheckInOut]
    done: int
    total: int
    percent: int


class GrowthPathIn(InputSchema):
    title: str
    description: str = ""
    skill_id: Id | None = None
    target_level: int | None = Field(None, ge=1, le=10)


class GrowthStepIn(InputSchema):
    kind: Literal["entry", "url", "book", "course"]
    title: str = ""
    url: str = ""
    entry_id: Id | None = None


class GrowthStepOut(Schema):
    id: int
    position: int
    kind: str
    title: str
    url: str
    entry_id: int | None
    done: bool


class GrowthPathOut(Schema):
    id: int
    title: str
    description: str
    skill_id: int | None
    target_level: int | None
    steps: int
    done: int
    url: str


class GrowthPathDetailOut(Schema):
    id: int
    title: str
    description: str
    skill_id: int | None
    target_level: int | None
    steps: list[GrowthStepOut]
    completed: bool


class GrowthPairIn(InputSchema):
    mentor_id: Id
    mentee_id: Id
    goals: str = ""


class GrowthPairOut(Schema):
    id: int
    mentor_id: int
    mentee_id: int
    goals: str
    status: Literal["active", "ended"]
    started_at: datetime


class GrowthNoteIn(InputSchema):
    body: str
    met_on: date | None = None


class GrowthNoteOut(Schema):
    id: int
    author_id: int
    met_on: date
    body: str


class GrowthPairDetailOut(GrowthPairOut):
    notes: list[GrowthNoteOut]
