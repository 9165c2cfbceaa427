"""Request and response shapes of the actions API."""

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from learnloop.actions import permissions
from learnloop.api_base import Id, InputSchema, PersonRef, TeamRef
from learnloop.links.api_schemas import AppliedLessonOut, LessonLinkOut

StatusName = Literal["open", "in_progress", "done", "not_doing"]
PriorityName = Literal["low", "normal", "high", "urgent"]
EffectName = Literal["worked", "did_not_work", "unknown"]


class SourceOut(Schema):
    type: str = Field(description='Where the action came from, e.g. "reflection.session"; empty when standalone.')
    id: str
    label: str
    url: str


class ActionBrief(Schema):
    """An action as another action names it."""

    id: int
    title: str
    status: StatusName
    effect: EffectName | Literal[""]
    team: TeamRef | None
    created_at: datetime


class ActionOut(Schema):
    id: int
    title: str
    description: str
    status: StatusName
    priority: PriorityName
    owner: PersonRef | None
    team: TeamRef | None
    due_on: date | None
    overdue: bool = Field(description="Open or in progress and past the due date plus the team's grace days.")
    not_doing_reason: str
    source: SourceOut
    effect: EffectName | Literal[""] = Field(description="The answer to “did it work?”; empty until checked.")
    evidence: str
    check_on: date | None = Field(
        description="When the effectiveness check is scheduled, if it wasn't answered at once."
    )
    check_pending: bool
    checked_at: datetime | None
    checked_by: PersonRef | None
    created_by: PersonRef
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    closed_at: datetime | None
    repeat_of: ActionBrief | None = Field(
        description="The earlier action this one agrees again (“this is the same as #123”), if its author linked it."
    )

    @staticmethod
    def resolve_source(action):
        return {"type": action.source_type, "id": action.source_id, "label": action.source_label,
                "url": action.source_url}

    @staticmethod
    def resolve_repeat_of(action, context):
        # A link to an action the caller can't see names nothing (its team may be private to them).
        earlier = action.repeat_of
        request = (context or {}).get("request")
        if earlier is None or request is None or not permissions.can_view(request.user, earlier):
            return None
        return earlier

    @staticmethod
    def resolve_overdue(action):
        return bool(getattr(action, "overdue", False))


class ActionDetailOut(ActionOut):
    lessons_from_here: list[LessonLinkOut] = Field(description="Lessons that came from this action or its check.")
    lessons_applied_here: list[AppliedLessonOut] = Field(description="Lessons someone applied in this action.")
    source_lessons: list[LessonLinkOut] = Field(
        description="Lessons that came from the same source as the action (its retro's lessons): where its "
                    "answered check can be added as evidence."
    )


class ActionIn(InputSchema):
    title: str
    description: str = ""
    owner_id: Id | None = Field(None, description="Defaults to you when the action has no team.")
    team_id: Id | None = None
    due_on: date | None = None
    priority: PriorityName = "normal"
    source_type: str = ""
    source_id: str = ""
    source_label: str = ""
    source_url: str = ""
    repeat_of_id: Id | None = Field(
        None, description="An earlier action this one agrees again (see POST /actions/similar); one you can see."
    )


class ActionPatch(InputSchema):
    title: str | None = None
    description: str | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    due_on: date | None = None
    priority: PriorityName | None = None
    repeat_of_id: Id | None = Field(None, description="Link to (or, with null, unlink from) an earlier action.")


class CompleteIn(InputSchema):
    effect: EffectName | None = Field(None, description="Answer “did it work?” now …")
    evidence: str = ""
    check_on: date | None = Field(None, description="… or name a future date on which the owner is asked.")


class CheckIn(InputSchema):
    effect: EffectName
    evidence: str = ""


class EvidenceProposalOut(Schema):
    id: int
    source: SourceOut
    text: str = Field(description="The evidence as it is added to the check when accepted.")
    figures: dict = Field(description='What it states, e.g. {"before": 3.15, "after": 4.77, ...} for a re-measure.')
    proposed_at: datetime
    accepted_at: datetime | None
    accepted_by: PersonRef | None

    @staticmethod
    def resolve_source(proposal):
        return {"type": proposal.source_type, "id": proposal.source_id, "label": proposal.source_label,
                "url": proposal.source_url}


class AcceptEvidenceIn(InputSchema):
    effect: EffectName = Field(description="The answer to “did it work?” given this evidence.")


class DeclineIn(InputSchema):
    reason: str


class CommentIn(InputSchema):
    body: str


class CommentOut(Schema):
    id: int
    author: PersonRef
    body: str
    created_at: datetime


class PolicyIn(InputSchema):
    overdue_grace_days: int = Field(ge=0, le=90)
    remind_days_before: int = Field(ge=0, le=60)


class PolicyOut(Schema):
    team_id: int
    overdue_grace_days: int
    remind_days_before: int
    is_default: bool


class MetricsOut(Schema):
    team_id: int | None
    since: date | None
    until: date | None
    today: date
    total: int
    open: int
    in_progress: int
    done: int
    not_doing: int
    overdue_count: int
    expected: int = Field(description="done + not_doing + overdue: the completion rate's denominator.")
    checked: int
    worked: int
    did_not_work: int
    unknown: int
    checks_pending: int
    completion_rate: float | None
    effectiveness_rate: float | None
    median_days_to_close: float | None


class ActionSimilarIn(InputSchema):
    title: str = Field(max_length=300)
    team_id: Id | None = Field(None, description="The team the new action is for: its own actions come first.")
    exclude_id: Id | None = Field(None, description="An action to leave out (the one being edited).")


class OutcomesOut(Schema):
    times: int = Field(description="How many earlier actions say the same thing.")
    first_agreed: datetime | None
    last_agreed: datetime | None
    worked: int
    did_not_work: int
    unknown: int
    still_open: int
    not_doing: int
    check_pending: int
    teams: list[TeamRef]


class MatchOut(Schema):
    action: ActionBrief
    similarity: float = Field(description="Title similarity 0..1; reported from the repeat threshold up.")
    same_team: bool


class EarlierOut(Schema):
    matches: list[MatchOut] = Field(description="The most similar ones, the team's own first (at most 5).")
    outcomes: OutcomesOut = Field(description="What became of all of them.")


class ActionCreatedOut(ActionOut):
    earlier: EarlierOut = Field(
        description="Earlier actions you may see that say what this one says; link with PATCH repeat_of_id."
    )


class ClusterOut(Schema):
    title: str = Field(description="The latest wording.")
    actions: list[ActionBrief] = Field(description="Oldest first.")
    outcomes: OutcomesOut
    linked: int = Field(description="How many were linked by their authors (“same as #…”).")
    worked_yet_repeated: bool = Field(description="Marked worked, and agreed again after that.")
