"""Schemas of the webhook and calendar API, and of every webhook payload (the payload schemas
are the response type of a delivery's `payload`, so they appear in the OpenAPI document and the
test suite checks real payloads against them)."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from learnloop.api_base import InputSchema

WebhookEventName = Literal[
    "action.created", "action.overdue", "action.closed", "effectiveness.recorded", "lesson.published",
    "session.closed", "experiment.decided", "survey.report_released", "theme.recurred",
]


# --- payloads -----------------------------------------------------------------------------------

class WebhookPersonRef(Schema):
    id: int
    name: str


class WebhookTeamRef(Schema):
    id: int
    name: str


class WebhookActionData(Schema):
    id: int
    title: str
    status: str = Field(description="open, in_progress, done or not_doing")
    priority: str
    due_on: date | None
    check_on: date | None = Field(description="When the effectiveness check is due (done actions)")
    effect: str = Field(description="worked, did_not_work, unknown, or empty while not checked")
    team: WebhookTeamRef | None
    owner: WebhookPersonRef | None
    url: str


class WebhookEntryData(Schema):
    id: int
    title: str
    kind: str
    visibility: str = Field(description="everyone, or team (its teams only)")
    team: WebhookTeamRef | None
    url: str


class WebhookSessionData(Schema):
    id: int
    title: str
    template: str
    team: WebhookTeamRef | None
    url: str


class WebhookExperimentData(Schema):
    id: int
    title: str
    decision: str
    outcome: str
    team: WebhookTeamRef | None
    url: str


class WebhookCampaignData(Schema):
    id: int
    name: str
    url: str


class WebhookActionEvent(Schema):
    action: WebhookActionData
    actor: WebhookPersonRef | None = Field(description="Who did it; null for the system's own acts")


class WebhookEffectivenessEvent(WebhookActionEvent):
    effect: str


class WebhookLessonEvent(Schema):
    entry: WebhookEntryData
    actor: WebhookPersonRef | None


class WebhookSessionEvent(Schema):
    session: WebhookSessionData
    actor: WebhookPersonRef | None


class WebhookExperimentEvent(Schema):
    experiment: WebhookExperimentData
    actor: WebhookPersonRef | None


class WebhookSurveyEvent(Schema):
    campaign: WebhookCampaignData
    actor: WebhookPersonRef | None


class WebhookThemeData(Schema):
    id: int
    title: str
    items: int
    url: str


class WebhookThemeEvent(Schema):
    theme: WebhookThemeData
    action: WebhookActionData
    effective_on: date
    items_since: int
    latest: date
    actor: WebhookPersonRef | None


class WebhookPingEvent(Schema):
    subscription: int


class WebhookActionPayload(Schema):
    type: Literal["action.created", "action.overdue", "action.closed"]
    timestamp: datetime
    data: WebhookActionEvent


class WebhookEffectivenessPayload(Schema):
    type: Literal["effectiveness.recorded"]
    timestamp: datetime
    data: WebhookEffectivenessEvent


class WebhookLessonPayload(Schema):
    type: Literal["lesson.published"]
    timestamp: datetime
    data: WebhookLessonEvent


class WebhookSessionPayload(Schema):
    type: Literal["session.closed"]
    timestamp: datetime
    data: WebhookSessionEvent


class WebhookExperimentPayload(Schema):
    type: Literal["experiment.decided"]
    timestamp: datetime
    data: WebhookExperimentEvent


class WebhookSurveyPayload(Schema):
    type: Literal["survey.report_released"]
    timestamp: datetime
    data: WebhookSurveyEvent


class WebhookThemePayload(Schema):
    type: Literal["theme.recurred"]
    timestamp: datetime
    data: WebhookThemeEvent


class WebhookPingPayload(Schema):
    type: Literal["ping"]
    timestamp: datetime
    data: WebhookPingEvent


WebhookPayload = (WebhookActionPayload | WebhookEffectivenessPayload | WebhookLessonPayload | WebhookSessionPayload
                  | WebhookExperimentPayload | WebhookSurveyPayload | WebhookThemePayload | WebhookPingPayload)


# --- the subscription API -----------------------------------------------------------------------

class WebhookEventTypeOut(Schema):
    name: str
    description: str


class WebhookSubscriptionIn(InputSchema):
    url: str = Field(max_length=500)
    event_types: list[WebhookEventName] = Field(min_length=1)
    description: str = Field("", max_length=200)


class WebhookSubscriptionPatch(InputSchema):
    url: str | None = Field(None, max_length=500)
    event_types: list[WebhookEventName] | None = None
    description: str | None = Field(None, max_length=200)
    active: bool | None = Field(None, description="false disables; true enables again and clears the failure count")


class WebhookSubscriptionOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    is_active: bool
    consecutive_failures: int
    disabled_reason: str
    disabled_at: datetime | None
    created_at: datetime


class WebhookSubscriptionSecretOut(WebhookSubscriptionOut):
    secret: str = Field(description="whsec_ + base64: the Standard Webhooks signing secret")


class WebhookDeliveryOut(Schema):
    id: int
    subscription_id: int
    message_id: str = Field(description="The webhook-id header: the same on retries and replays")
    event_type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    replay_of: int | None
    created_at: datetime
    delivered_at: datetime | None


class WebhookAttemptOut(Schema):
    attempted_at: datetime
    status_code: int | None
    error: str
    duration_ms: int


class WebhookDeliveryDetailOut(WebhookDeliveryOut):
    payload: WebhookPayload
    attempt_log: list[WebhookAttemptOut]


# --- calendars ----------------------------------------------------------------------------------

class CalendarFeedIn(InputSchema):
    team_id: int | None = Field(None, ge=1, le=2**63 - 1, description="A team's calendar; omit for your own dates")


class CalendarFeedOut(Schema):
    team: WebhookTeamRef | None
    created_at: datetime


class CalendarFeedCreatedOut(CalendarFeedOut):
    url: str = Field(description="The secret address, shown only now; any earlier one stops working")
