from datetime import date

from ninja import Schema
from pydantic import Field

from learnloop.api_base import Id, InputSchema, Int32


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
    title: str = Field(default="", max_length=200)
    due_on: date | None = None


class FocusOut(Schema):
    id: int
    team: int
    dimension: str
    action: int | None
