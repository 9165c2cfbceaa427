from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import Field

from learnloop.api_base import Id, InputSchema, Int32
from learnloop.links.api_schemas import AppliedLessonOut, LessonLinkOut


class ItemOut(Schema):
    key: str
    kind: str
    text: str
    dimension: str | None
    reverse_keyed: bool


class DimensionOut(Schema):
    key: str
    name: str
    barrier: str


class InstrumentSummary(Schema):
    slug: str
    name: str
    description: str


class InstrumentDetail(InstrumentSummary):
    scale_min: int
    scale_max: int
    labels: list[str]
    dimensions: list[DimensionOut]
    items: list[ItemOut]
    source: str


class InstrumentIn(InputSchema):
    source: str = Field(max_length=200_000, description="The instrument in YAML")
    replace: bool = False


class CampaignIn(InputSchema):
    name: str = Field(max_length=200)
    instrument: str = Field(description="The instrument's slug")
    opens_on: date
    closes_on: date
    whole_organization: bool = True
    teams: list[Id] = Field(default_factory=list, max_length=500)


class ClosingOut(Schema):
    step: str = Field(description="queued, regrouping or deciding")
    message: str
    waiting_for_worker: bool = Field(description="Still queued a while after the close: is `learnloop worker` running?")
    failed: bool


class CampaignOut(Schema):
    id: int
    name: str
    instrument: str
    status: str = Field(description="draft, open, closing (answers stopped, results being decided) or closed")
    opens_on: date
    closes_on: date
    threshold: int | None
    invited: int
    responded: int
    attributes: list[str] = Field(description="Keys of the attributes recorded with answers (empty for a draft)")
    closing: ClosingOut | None = Field(default=None, description="While closing: how far the decision is")


class LaunchIn(InputSchema):
    attributes: list[str] | None = Field(
        None, max_length=8,
        description="Keys of the attributes stored with answers, most wanted first: tenure, role and any of "
                    "/person-attributes. Omitted: tenure and role. Generalized so every stored combination "
                    "covers at least k people.")


class CountOut(Schema):
    count: int


class QuestionsOut(Schema):
    campaign: str
    closes_on: date
    scale_min: int
    scale_max: int
    labels: list[str]
    items: list[ItemOut]


class ResponseIn(InputSchema):
    answers: dict[str, int | str] = Field(max_length=500)
    comment: str = Field(default="", max_length=4000)


class ThresholdIn(InputSchema):
    k: Int32


class ThresholdOut(Schema):
    k: int


class FocusIn(InputSchema):
    team: Id
    dimension: str = Field(max_length=60)
    owner: Id = Field(description="Who carries it and owns its action: a member or lead of the team, "
                                  "or a learning lead.")
    title: str = Field(default="", max_length=200)
    due_on: date | None = None


class RemeasureOut(Schema):
    campaign: int = Field(description="The later campaign that re-measured the dimension")
    campaign_name: str
    before: float = Field(description="The team's mean on the dimension in the campaign the focus was chosen from")
    after: float = Field(description="The team's mean in the later campaign (released figures only)")
    change: float


class FocusOut(Schema):
    id: int
    team: int
    dimension: str
    action: int | None
    owner: int | None = Field(description="Person id of who carries it (owns its action)")
    remeasures: list[RemeasureOut] = Field(
        description="Before → after per later campaign that released the team's figures, oldest first")


# --- Reports (surveys/reports.py builds them; only groups the disclosure gate released) ----------


class HeatmapDimensionOut(Schema):
    key: str
    name: str


class HeatCellOut(Schema):
    dimension: str
    mean: float
    heat: int = Field(description="Position of the mean on the scale, 0 (lowest) to 100 (highest), for colouring")


class HeatmapRowOut(Schema):
    key: str = Field(description="The group key: org or a team id")
    label: str
    size: int = Field(description="Respondents in the group")
    cells: list[HeatCellOut | None] = Field(description="One per dimension, in the order of `dimensions`; "
                                                        "null where the group has no score")
    enps: float | None


class WithheldGroupOut(Schema):
    key: str
    label: str
    reason: str


class HeatmapOut(Schema):
    dimensions: list[HeatmapDimensionOut]
    rows: list[HeatmapRowOut] = Field(description="Released hierarchy groups you may see")
    withheld: list[WithheldGroupOut] = Field(description="Hierarchy groups you may see that were not released")


class DimensionScoreOut(Schema):
    key: str
    name: str
    mean: float
    low: float = Field(description="Lower end of the 95% t interval of the mean")
    high: float
    n: int


class GroupScoreOut(DimensionScoreOut):
    organization: float | None = Field(description="The whole organization's mean, for comparison")
    weak: bool = Field(description="Below 55% of the scale")
    difference: float | None = Field(description="mean − organization")


class DriverOut(Schema):
    key: str
    name: str
    r: float = Field(description="Pearson correlation of the dimension score with the outcome item")


class PracticeOut(Schema):
    id: int
    title: str


class BarrierOut(Schema):
    barrier: str
    label: str
    mean: float
    weak_dimensions: list[str]
    practices: list[PracticeOut] = Field(description="Playbooks that may help, when the barrier has weak dimensions")


class GroupDetailOut(Schema):
    key: str
    label: str
    size: int
    enps: float | None
    organization_enps: float | None
    scores: list[GroupScoreOut]
    drivers: list[DriverOut]
    barriers: list[BarrierOut]


class BreakdownOut(Schema):
    key: str = Field(description="The group key with its conditions, e.g. 12;tenure=1-3y")
    label: str
    released: bool
    reason: str = Field(description="Why it is withheld (empty when released)")
    scores: list[DimensionScoreOut]
    size: int | None = Field(description="Respondents in the cut, when released")


class ReportOut(Schema):
    campaign: int
    shown: Literal[True]
    threshold: int = Field(description="k: the smallest group shown")
    heatmap: HeatmapOut
    group: GroupDetailOut | None = Field(description="The group asked for, when released and yours to see")
    group_reason: str = Field(description="Why `group` is null (empty when it isn't)")
    breakdowns: list[BreakdownOut] = Field(description="Attribute cuts within the group's node")
    comments: list[str] = Field(description="Comments pooled at the group's node")


class ReportNotShownOut(Schema):
    campaign: int
    shown: Literal[False]
    reason: str = Field(description="Why nothing is shown: still open, closing, or too few answers")


class TrendCampaignOut(Schema):
    id: int
    name: str
    scores: dict[str, float] = Field(description="Mean per dimension key; empty when not shown")
    reason: str = Field(description="Why this campaign shows nothing for the team (empty when it does)")


class TrendFocusOut(Schema):
    id: int
    campaign: int
    dimension: str
    action: int | None
    lessons_from_here: list[LessonLinkOut] = Field(description="Lessons that came from this focus area.")
    lessons_applied_here: list[AppliedLessonOut] = Field(description="Lessons applied in this focus area.")
    owner: int | None
    remeasures: list[RemeasureOut]


class TrendsOut(Schema):
    dimensions: dict[str, str] = Field(description="Dimension names by key")
    campaigns: list[TrendCampaignOut] = Field(description="Closed campaigns the team is part of, oldest first")
    focus_areas: list[TrendFocusOut]


class AdviceQuestionOut(Schema):
    key: str
    text: str


class AdviceOut(Schema):
    questions: list[AdviceQuestionOut]
    answers: dict[str, list[int]] = Field(description="Your own answers: {question key: [person ids]}. Nobody "
                                                      "else's are ever shown.")


class AdviceIn(InputSchema):
    answers: dict[str, list[int]] = Field(description="{question key: [person ids]}, at most 10 colleagues each; "
                                                      "empty lists withdraw your answers.")
    consent: bool = Field(False, description="Agree that these answers are stored with your name (required when "
                                             "naming anyone).")
