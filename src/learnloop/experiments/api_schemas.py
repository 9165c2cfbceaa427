"""Request and response shapes of the experiments API."""

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from learnloop.api_base import Id, InputSchema, Int32
from learnloop.links.api_schemas import AppliedLessonOut, LessonLinkOut

MetricTypeIn = Literal["mean", "binomial", "ratio"]
EngineIn = Literal["frequentist", "bayesian", "sequential"]


class VariantIn(InputSchema):
    name: str
    description: str = ""
    weight: float = 1.0


class MetricIn(InputSchema):
    name: str
    metric_type: MetricTypeIn = "binomial"
    lower_is_better: bool = False
    threshold: float | None = Field(None, description="Guardrails: the largest relative harm tolerated (0.05 = 5%).")


class ExperimentIn(InputSchema):
    title: str
    team_id: Id
    kind: Literal["online", "process"] = "online"
    design: Literal["randomised", "before_after", "control_teams"] = "randomised"
    change: str = Field(description="We believe <change> …")
    effect: str = Field(description="… will cause <effect> …")
    population: str = Field(description="… for <population>; …")
    success_metric: str = Field(description="… we will know when <success_metric> …")
    expected_delta: str = Field(description="… moves by <expected_delta>.")
    variants: list[VariantIn] = Field(description="The control first.")
    primary_metric: MetricIn
    guardrails: list[MetricIn] = Field(default_factory=list)
    secondary_metrics: list[MetricIn] = Field(default_factory=list)
    engine: EngineIn = "frequentist"
    alpha: float = 0.05
    planned_sample_per_variant: Int32 | None = None
    stopping_rule: str = ""
    owner_id: Id | None = None


class ProtocolPatch(InputSchema):
    reason: str = Field("", description="Required once the experiment has started: kept with each deviation.")
    change: str | None = None
    effect: str | None = None
    population: str | None = None
    success_metric: str | None = None
    expected_delta: str | None = None
    engine: EngineIn | None = None
    alpha: float | None = None
    planned_sample_per_variant: Int32 | None = None
    stopping_rule: str | None = None


class MetricPatch(InputSchema):
    reason: str = ""
    name: str | None = None
    lower_is_better: bool | None = None
    threshold: float | None = None


class NewMetricIn(MetricIn):
    role: Literal["guardrail", "secondary"] = "guardrail"
    reason: str = ""


class AggregateIn(InputSchema):
    variation: str
    users: float
    sum: float
    sum_squares: float | None = None
    denominator_sum: float | None = None
    denominator_sum_squares: float | None = None
    denominator_sum_product: float | None = None


class SnapshotIn(InputSchema):
    metric_id: Id
    taken_on: date
    rows: list[AggregateIn] = Field(description="One per variant, the control first.")


class SnapshotCsvIn(InputSchema):
    metric_id: Id
    taken_on: date
    csv: str = Field(description="The analyst CLI's CSV: variation,users,sum,sum_squares,… the control first.")


class TakeawayIn(InputSchema):
    title: str
    body: str = ""


class FollowUpIn(InputSchema):
    title: str
    owner_id: Id | None = None
    due_on: date | None = None
    description: str = ""


class DecisionIn(InputSchema):
    decision: Literal["ship", "iterate", "stop"]
    rationale: str
    override_reason: str = ""
    takeaways: list[TakeawayIn] = Field(default_factory=list)
    follow_ups: list[FollowUpIn] = Field(default_factory=list)


class VariantOut(Schema):
    id: int
    name: str
    description: str
    weight: float
    is_control: bool


class MetricOut(Schema):
    id: int
    name: str
    metric_type: str
    role: str
    lower_is_better: bool
    threshold: float | None


class DeviationOut(Schema):
    field: str
    old_value: str
    new_value: str
    reason: str
    changed_by_id: int
    changed_at: datetime


class ExperimentOut(Schema):
    id: int
    url: str
    title: str
    team_id: int
    owner_id: int
    kind: str
    design: str
    status: str
    hypothesis: str
    change: str
    effect: str
    population: str
    success_metric: str
    expected_delta: str
    engine: str
    alpha: float
    planned_sample_per_variant: int | None
    stopping_rule: str
    started_on: date | None
    ended_on: date | None
    decision: str
    recommendation: str
    outcome: str
    primary_lift: float | None
    rationale: str
    override_reason: str
    variants: list[VariantOut]
    metrics: list[MetricOut]
    deviations: list[DeviationOut]


class ExperimentDetailOut(ExperimentOut):
    lessons_from_here: list[LessonLinkOut] = Field(
        description="Lessons that came from this experiment or its decision."
    )
    lessons_applied_here: list[AppliedLessonOut] = Field(description="Lessons someone applied in this experiment.")


class VariantResultOut(Schema):
    variation: str
    users: float
    mean: float | None
    control_mean: float | None
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    chance_to_win: float | None
    verdict: str
    guardrail_breached: bool
    reading: str


class MetricResultOut(Schema):
    metric_id: int
    metric: str
    role: str
    control: str
    srm_p_value: float | None
    srm_warning: bool
    error: str
    results: list[VariantResultOut]


class SnapshotResultOut(Schema):
    taken_on: date
    metrics: list[MetricResultOut]


class RecommendationOut(Schema):
    decision: str
    outcome: str
    reason: str


class ResultsOut(Schema):
    engine: str
    alpha: float
    difference: str = "relative"
    recommendation: RecommendationOut | None
    snapshots: list[SnapshotResultOut]
