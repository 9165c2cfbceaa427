"""Request and response shapes of the mentor matching API (names start with Growth: schema names
are unique across the whole API)."""

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from learnloop.api_base import Id, InputSchema
from learnloop.growth.matching_models import MAX_CAPACITY


class GrowthOfferIn(InputSchema):
    skill_ids: list[Id] = Field(..., min_length=1, max_length=50)
    capacity: int = Field(1, ge=1, le=MAX_CAPACITY)
    note: str = ""
    available_from: date | None = Field(None, description="Not before this day: rounds run earlier leave it out.")


class GrowthOfferOut(Schema):
    id: int
    person_id: int
    person: str
    skill_ids: list[int]
    capacity: int
    note: str
    available_from: date | None
    status: Literal["open", "matched", "withdrawn"]
    created_at: datetime


class GrowthWantedIn(InputSchema):
    skill_id: Id
    target_level: int = Field(..., ge=1, le=10)


class GrowthWantedOut(Schema):
    skill_id: int
    skill: str
    target_level: int


class GrowthRequestIn(InputSchema):
    wanted: list[GrowthWantedIn] = Field(..., min_length=1, max_length=8)
    not_my_manager: bool = True
    prefer_other_team: bool = False
    note: str = ""
    available_from: date | None = Field(None, description="Not before this day: rounds run earlier leave it out.")


class GrowthRequestOut(Schema):
    id: int
    person_id: int
    person: str
    wanted: list[GrowthWantedOut]
    not_my_manager: bool
    prefer_other_team: bool
    note: str
    available_from: date | None
    status: Literal["open", "matched", "withdrawn"]
    created_at: datetime


class GrowthProposalOut(Schema):
    id: int
    round_id: int
    mentor_id: int
    mentee_id: int
    score: float
    cross_team: bool
    explanation: str
    mentor_answer: Literal["pending", "accepted", "declined"]
    mentee_answer: Literal["pending", "accepted", "declined"]
    status: Literal["proposed", "paired", "declined", "expired"]
    pair_id: int | None


class GrowthAnswerIn(InputSchema):
    accept: bool


class GrowthRoundOut(Schema):
    id: int
    run_by_id: int
    status: Literal["open", "closed"]
    mentor_count: int
    mentee_count: int
    total_score: float
    ran_at: datetime
    closed_at: datetime | None


class GrowthRoundDetailOut(GrowthRoundOut):
    proposals: list[GrowthProposalOut]
