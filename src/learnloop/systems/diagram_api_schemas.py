"""Request and response shapes of the diagram API (every name starts with SystemsDiagram)."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from learnloop.api_base import Id, InputSchema, Number


class SystemsDiagramBinding(InputSchema):
    metric: str = Field(description="A key of the metrics catalogue, or theme_items (with theme).")
    theme: Id | None = Field(None, description="The recurring theme whose items a month are counted.")
    scale: str | None = Field(None, max_length=130, description="For survey_scale_scores: INSTRUMENT/SCALE "
                                                                "(the instrument's slug and the scale's key).")


class SystemsDiagramVariable(InputSchema):
    name: str
    x: float | None = None
    y: float | None = None
    binding: SystemsDiagramBinding | None = None


class SystemsDiagramLink(InputSchema):
    source: str
    target: str
    polarity: Literal["+", "-"] = "+"
    delay: bool = Field(False, description="Its effect takes noticeably longer (the double bar).")


class SystemsDiagramContent(InputSchema):
    variables: list[SystemsDiagramVariable] = []
    links: list[SystemsDiagramLink] = []


class SystemsDiagramIn(InputSchema):
    title: str
    description: str = ""
    team_id: Id | None = Field(None, description="None: the organization's diagram.")
    content: SystemsDiagramContent | None = None


class SystemsDiagramSaveIn(InputSchema):
    content: SystemsDiagramContent
    base_version: Number | None = Field(None, description="The version the change started from: refused (400) "
                                                          "when someone saved another since.")
    title: str | None = None
    description: str | None = None
    note: str = ""


class SystemsDiagramOut(Schema):
    id: int
    title: str
    description: str
    team_id: int | None
    version: int
    updated_at: datetime
    loops: int
    reinforcing: int
    balancing: int
    archetypes: list[str]
    url: str


class SystemsDiagramTarget(Schema):
    type: str
    id: str
    title: str
    url: str


class SystemsDiagramIntervention(Schema):
    id: int
    kind: str
    variable: str
    link_target: str
    description: str
    version: int
    target: SystemsDiagramTarget | None = Field(description="What it became, when you may open it.")


class SystemsDiagramDetailOut(SystemsDiagramOut):
    content: dict[str, Any]
    analysis: dict[str, Any] = Field(description="{loops: LoopAnalysis, archetypes: ArchetypeReport} "
                                                 "(docs/systems.md).")
    attachments: list[SystemsDiagramTarget]
    interventions: list[SystemsDiagramIntervention]


class SystemsDiagramVersionOut(Schema):
    number: int
    title: str
    note: str
    saved_by_id: int
    saved_at: datetime
    content: dict[str, Any] | None = None


class SystemsDiagramCommentIn(InputSchema):
    text: str


class SystemsDiagramCommentOut(Schema):
    id: int
    text: str
    author_id: int
    version: int
    created_at: datetime


class SystemsDiagramAttachIn(InputSchema):
    target_type: Literal["reflection.session", "insights.theme", "experiments.experiment"]
    target_id: str


class SystemsDiagramInterventionIn(InputSchema):
    kind: Literal["experiment", "action"]
    variable: str
    link_target: str = Field("", description="Set to intervene on the link variable → link_target.")
    title: str = ""
    description: str = ""
    team_id: Id | None = Field(None, description="The team that runs it; default: the diagram's team.")


class SystemsDiagramSeries(Schema):
    variable: str
    binding: dict[str, Any]
    label: str
    unit: str
    visible: bool
    values: list[float | None]
    note: str


class SystemsDiagramCorrelation(Schema):
    first: str
    second: str
    n: int
    r: float | None
    low: float | None
    high: float | None
    level: float
    note: str


class SystemsDiagramDataOut(Schema):
    months: list[str]
    series: list[SystemsDiagramSeries]
    correlations: list[SystemsDiagramCorrelation]
    warning: str
