"""Request and response shapes of the experiments API."""

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from learnloop.api_base import Id, InputSchema, Int32
from learnloop.links.api_schemas import AppliedLessonOut, LessonLinkOut

MetricTypeIn = Literal["mean", "binomial", "ratio"]
EngineIn = Literal["frequentist", "bayesian", "sequential"]
CorrectionIn = Literal["none", "holm", "benjamini_hochberg"]


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
    correction: CorrectionIn = "none"
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
    correction: CorrectionIn | None = None
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
    covariate_sum: float | None = Field(None, description="CUPED: the pre-experiment covariate's sum.")
    covariate_sum_squares: float | None = Field(None, description="CUPED: its sum of squares (not for a 0/1 one).")
    covariate_sum_product: float | None = Field(None, description="CUPED: Σ metric × covariate per unit.")


class PeriodRowIn(InputSchema):
    period: date = Field(description="The period's first day.")
    group: str = Field("", description="Control teams design: the group (a variant's name); empty for before/after.")
    units: float | None = None
    sum: float | None = None
    sum_squares: float | None = Field(None, description="Optional for a 0/1 metric.")
    value: float | None = Field(None, description="Instead of units/sum/sum_squares: one figure for the period.")


class PeriodsIn(InputSchema):
    metric_id: Id
    rows: list[PeriodRowIn]


class PeriodsCsvIn(InputSchema):
    metric_id: Id
    csv: str = Field(description="period,group,units,sum,sum_squares (or period,value), one line per period.")


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
    correction: str
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
    p_value_adjusted: float | None = None
    scale: str = Field("", description="Relative interval: log (exp of a log-ratio interval − 1) or ratio.")
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
    cuped: bool = False
    results: list[VariantResultOut]


class SnapshotResultOut(Schema):
    taken_on: date
    metrics: list[MetricResultOut]


class RecommendationOut(Schema):
    decision: str
    outcome: str
    reason: str


class ProcessResultOut(Schema):
    metric_id: int
    metric: str
    role: str
    method: str
    periods_before: int
    periods_after: int
    effect: float | None = Field(description="Absolute, in the metric's unit.")
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_value_adjusted: float | None
    relative: float | None = Field(description="Relative effect; its interval is on the log scale.")
    relative_low: float | None
    relative_high: float | None
    verdict: str
    reading: str
    error: str
    details: dict


class ResultsOut(Schema):
    engine: str
    alpha: float
    method: str = Field(description="randomised_split, difference_in_differences or interrupted_time_series.")
    correction: str
    difference: str = "relative"
    recommendation: RecommendationOut | None
    snapshots: list[SnapshotResultOut]
    process_results: list[ProcessResultOut] = Field(default_factory=list)


class EntryRefOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    url: str


class ActionRefOut(Schema):
    id: int
    title: str
    status: str
    owner_id: int | None
    due_on: date | None


class ExperimentDetailOut(ExperimentOut):
    decision_record: EntryRefOut | None
    lessons: list[EntryRefOut]
    follow_ups: list[ActionRefOut]
    lessons_from_here: list[LessonLinkOut] = Field(
        description="Lessons that came from this experiment or its decision."
    )
    lessons_applied_here: list[AppliedLessonOut] = Field(description="Lessons someone applied in this experiment.")


class PowerOut(Schema):
    metric_type: str
    alpha: float
    power: float
    baseline: float
    sd: float | None
    lift: float | None
    sample_per_variant: int | None
    planned_sample: int | None
    mde: float | None
    mde_absolute: float | None
    method: str


class ExperimentRefOut(Schema):
    id: int
    title: str
    team_id: int
    status: str
    outcome: str
    decision: str
    url: str


class RelatedOut(Schema):
    lessons: list[EntryRefOut]
    failures: list[ExperimentRefOut]
    same_metric: list[ExperimentRefOut]
