"""Request and response shapes of the strategy API (every name starts with Strategy)."""

from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import Field

from learnloop.api_base import Id, InputSchema

StatusIn = Literal["planned", "active", "paused", "done", "cancelled"]


class StrategyMetricOut(Schema):
    key: str
    name: str
    unit: str
    formula: str
    source: str
    caveats: str
    better: str


class StrategyObjectiveIn(InputSchema):
    title: str
    description: str = ""
    team_id: Id | None = Field(None, description="None: an organization objective.")
    parent_id: Id | None = Field(None, description="The objective it aligns with (same scope or above).")
    owner_id: Id | None = None
    starts_on: date
    ends_on: date


class StrategyObjectivePatch(InputSchema):
    title: str | None = None
    description: str | None = None
    parent_id: Id | None = None
    owner_id: Id | None = None
    starts_on: date | None = None
    ends_on: date | None = None


class StrategyKeyResultIn(InputSchema):
    title: str
    target: float
    baseline: float | None = None
    unit: str = ""
    metric_key: str = Field("", description="A key of the metrics catalogue (GET /strategy/metrics); empty: manual.")
    dimension: str = Field("", description="For survey_scale_scores: the dimension key.")
    scope_team_id: Id | None = Field(None, description="The team or department the metric is computed for "
                                                       "(default: the objective's own scope).")
    window_days: int = Field(90, description="The trailing period the metric covers, 7–366 days.")


class StrategyBindIn(InputSchema):
    metric_key: str
    dimension: str = ""
    scope_team_id: Id | None = None
    window_days: int = 90


class StrategyValueIn(InputSchema):
    on: date
    value: float
    note: str = ""


class StrategyValueOut(Schema):
    on: date
    value: float | None
    numerator: float | None
    denominator: float | None
    n: int | None
    low: float | None = Field(description="95% Wilson interval of a rate (bound key results), else null.")
    high: float | None
    note: str


class StrategyOutlookOut(Schema):
    progress: float | None = Field(description="From baseline to target, 0..1.")
    expected: float | None = Field(description="The share of the objective's period gone.")
    trend: float | None = Field(description="Least-squares slope of the recent values, per 30 days.")
    direction: str
    confidence: str = Field(description="on track, at risk, off track or no data.")


class StrategyKeyResultOut(Schema):
    id: int
    objective_id: int
    title: str
    kind: str
    metric_key: str
    dimension: str
    scope_team_id: int | None
    window_days: int
    unit: str
    baseline: float | None
    target: float
    refreshed_at: object | None = None
    latest: StrategyValueOut | None
    outlook: StrategyOutlookOut
    url: str


class StrategyKeyResultDetailOut(StrategyKeyResultOut):
    history: list[StrategyValueOut]


class StrategyObjectiveOut(Schema):
    id: int
    title: str
    description: str
    level: str
    team_id: int | None
    parent_id: int | None
    owner_id: int | None
    starts_on: date
    ends_on: date
    url: str


class StrategyObjectiveDetailOut(StrategyObjectiveOut):
    key_results: list[StrategyKeyResultOut]
    initiative_ids: list[int]


class StrategyInitiativeIn(InputSchema):
    title: str
    description: str = ""
    team_id: Id | None = None
    owner_id: Id | None = None
    status: StatusIn = "planned"
    starts_on: date
    ends_on: date
    budget_person_days: float = 0
    budget_money: float = 0
    budget_people: int = 0
    objective_ids: list[Id] = Field(default_factory=list, description="The goals it serves.")
    depends_on_ids: list[Id] = Field(default_factory=list, description="Initiatives it waits for (no cycles).")


class StrategyInitiativePatch(InputSchema):
    title: str | None = None
    description: str | None = None
    owner_id: Id | None = None
    status: StatusIn | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    budget_person_days: float | None = None
    budget_money: float | None = None
    budget_people: int | None = None
    objective_ids: list[Id] | None = None
    depends_on_ids: list[Id] | None = None


class StrategyBudgetOut(Schema):
    planned_person_days: float
    planned_money: float
    actual_person_days: float
    actual_money: float


class StrategyLinkOut(Schema):
    id: int
    target_type: str
    target_id: str
    title: str
    url: str


class StrategyInitiativeOut(Schema):
    id: int
    title: str
    description: str
    team_id: int | None
    owner_id: int
    status: str
    starts_on: date
    ends_on: date
    budget_person_days: float
    budget_money: float
    budget_people: int
    objective_ids: list[int]
    depends_on_ids: list[int]
    spend: StrategyBudgetOut
    links: list[StrategyLinkOut]
    url: str


class StrategySpendIn(InputSchema):
    kind: Literal["planned", "actual"]
    on: date
    person_days: float = 0
    money: float = 0
    note: str = ""


class StrategySpendOut(Schema):
    id: int
    kind: str
    on: date
    person_days: float
    money: float
    note: str
    recorded_by_id: int


class StrategyLinkIn(InputSchema):
    target_type: str = Field(description="A link type, e.g. experiments.experiment, reflection.session.")
    target_id: str


class StrategyTimelineRowOut(Schema):
    id: int
    title: str
    team: str
    status: str
    start: str
    end: str
    depends_on: list[int]
    planned_person_days: float
    actual_person_days: float


class StrategyRoadmapOut(Schema):
    rows: list[StrategyTimelineRowOut]


class StrategyStepOut(Schema):
    key: str
    name: str
    status: str = Field(description="done, started or to do.")
    evidence: str
    where: str
    where_label: str


class StrategyStepsOut(Schema):
    team_id: int
    stage: int = Field(description="Steps done, 0–7.")
    next_step: str | None
    steps: list[StrategyStepOut]


class StrategyBarrierFindingOut(Schema):
    source: str = Field(description="survey (the released barrier diagnosis) or behaviour.")
    rule: str = Field(description="Which rule found it (docs/strategy.md, Barriers to learning).")
    evidence: str


class StrategyPlaybookOut(Schema):
    id: int
    title: str


class StrategyBarrierOut(Schema):
    barrier: str = Field(description="fear_of_failure, leadership_support, silos or time_and_resources.")
    label: str
    findings: list[StrategyBarrierFindingOut]
    practices: list[str]
    playbooks: list[StrategyPlaybookOut] = Field(description="Practice-library playbooks you may read.")


class StrategyBarriersOut(Schema):
    team_id: int
    barriers: list[StrategyBarrierOut]


class StrategyVisionIn(InputSchema):
    title: str
    team_id: Id | None = None
    draft: str = ""


class StrategyDraftIn(InputSchema):
    draft: str


class StrategyRoundIn(InputSchema):
    question: str = ""
    anonymous: bool = False
    support_budget: int = Field(5, ge=1, le=50, description="How many proposals one person may support in the round.")


class StrategyProposalIn(InputSchema):
    kind: Literal["comment", "change"]
    text: str
    replace: str = ""
    with_text: str = ""


class StrategyDecisionIn(InputSchema):
    accept: bool
    reason: str


class StrategyPublishIn(InputSchema):
    summary: str = ""


class StrategyConnectIn(InputSchema):
    note: str = ""


class StrategyProposalOut(Schema):
    id: str
    kind: str
    text: str
    replace: str
    with_text: str
    author_id: int | None = Field(description="Null in anonymous rounds.")
    status: str
    reason: str
    decided_on: date | None
    support: int
    mine: bool
    supported: bool


class StrategyRoundOut(Schema):
    number: int
    question: str
    anonymous: bool
    opened_on: date
    closed_on: date | None
    support_budget: int
    supports_left: int = Field(description="How many more proposals you may support in this round.")
    proposals: list[StrategyProposalOut]


class StrategyVersionOut(Schema):
    number: int
    text: str
    summary: str
    published_by_id: int
    published_at: object


class StrategyVisionOut(Schema):
    id: int
    title: str
    team_id: int | None
    owner_id: int
    draft: str
    url: str


class StrategyEngagementOut(Schema):
    engaged: int
    population: int
    share: float | None


class StrategyVisionDetailOut(StrategyVisionOut):
    versions: list[StrategyVersionOut]
    rounds: list[StrategyRoundOut]
    engagement: StrategyEngagementOut


class StrategyDiffLineOut(Schema):
    change: str = Field(description="same, added or removed.")
    line: str


class StrategyDiffOut(Schema):
    number: int
    previous: int | None
    lines: list[StrategyDiffLineOut]
    unified: str


class StrategyChampionIn(InputSchema):
    person_id: Id
    team_id: Id | None = None
    topic: str = ""


class StrategyChampionOut(Schema):
    id: int
    person_id: int
    name: str
    team_id: int | None
    topic: str
    named_on: date
    ended_on: date | None
    sessions: int
    lessons: int
    reuses: int
    experiments: int
    mentees: int
