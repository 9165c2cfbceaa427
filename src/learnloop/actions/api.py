"""API for the action engine: actions, their status changes and comments, team rules and figures.

Every action a path names is fetched through `selectors.action_for`, so one the caller may not
see answers 404 exactly like one that doesn't exist. Rules about who may do what are the
services' (PermissionDenied is a 403 with the reason).
"""

from datetime import date
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from learnloop.actions import metrics, permissions, repeats, selectors, services
from learnloop.actions.api_schemas import (
    AcceptEvidenceIn,
    ActionCreatedOut,
    ActionDetailOut,
    ActionIn,
    ActionOut,
    ActionPatch,
    ActionSimilarIn,
    CheckIn,
    ClusterOut,
    CommentIn,
    CommentOut,
    CompleteIn,
    DeclineIn,
    EarlierOut,
    EvidenceProposalOut,
    MetricsOut,
    PolicyIn,
    PolicyOut,
    StatusName,
)
from learnloop.actions.models import TeamActionPolicy
from learnloop.api_base import (
    EXPORT_OPENAPI,
    ExportFormat,
    Id,
    Pagination,
    Shown,
    errors,
    person_ref,
    request_fields,
    team_ref,
)
from learnloop.org.models import Team
from learnloop.web.tables import export_response

router = Router(tags=["actions"])



def _action(request, action_id: Id):
    action = selectors.action_for(viewer=request.user, action_id=action_id)
    selectors.mark_overdue([action])
    return action






def _team(team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Http404("No team with this id.")
    return team


def _refresh(request, action):
    return _action(request, action.pk)


# --- Actions -----------------------------------------------------------------------------------


@router.get("", response=list[ActionOut], summary="List the actions you may see")
@paginate(Pagination)
def list_actions(
    request,
    owner: Id | None = None,
    team: Id | None = None,
    status: Annotated[list[StatusName], Query()] = (),
    overdue: bool | None = None,
    source_type: str = "",
    source_id: str = "",
):
    """Filters: `owner` (person id; `owner=me` is not supported, use your id), `team` (id), `status`
    (repeatable), `overdue` (true/false, by each team's rule), `source_type` + `source_id`.
    Ordered by due date (none last), then newest."""
    ordered = selectors.filtered_actions(viewer=request.user, owner=owner, team=team, status=status,
                                         overdue=overdue, source_type=source_type, source_id=source_id)
    return Shown(ordered, each_page=selectors.mark_overdue)


@router.get("/export", response={200: None}, summary="The actions you may see, as a CSV or JSON file",
            openapi_extra=EXPORT_OPENAPI)
def export_actions(
    request,
    format: ExportFormat = "csv",
    owner: Id | None = None,
    team: Id | None = None,
    status: Annotated[list[StatusName], Query()] = (),
    overdue: bool | None = None,
    source_type: str = "",
    source_id: str = "",
):
    """The same filters and order as `GET /actions`, every match (not a page), as a download:
    CSV (UTF-8 with a byte order mark, formula-safe) or JSON. See docs/exports.md."""
    actions = selectors.filtered_actions(viewer=request.user, owner=owner, team=team, status=status,
                                         overdue=overdue, source_type=source_type, source_id=source_id)
    return export_response(fmt=format, filename="actions", columns=selectors.EXPORT_COLUMNS,
                           rows=selectors.export_rows(actions))


@router.post("", response={201: ActionCreatedOut}, summary="Create an action")
def create_action(request, payload: ActionIn):
    """The answer lists, under `earlier`, actions you may see that say the same thing (what POST
    /actions/similar answers), so a client that didn't ask first can still link with PATCH."""
    owner = person_ref(payload.owner_id, field="owner_id") if payload.owner_id else None
    team = team_ref(payload.team_id, field="team_id") if payload.team_id else None
    with request_fields(owner="owner_id", team="team_id", repeat_of="repeat_of_id"):
        repeat_of = repeats.resolve_repeat_of(request.user, payload.repeat_of_id)
        action = services.create_action(
            by=request.user, title=payload.title, description=payload.description, owner=owner, team=team,
            due_on=payload.due_on, priority=payload.priority, source_type=payload.source_type,
            source_id=payload.source_id, source_label=payload.source_label, source_url=payload.source_url,
            repeat_of=repeat_of,
        )
    created = _refresh(request, action)
    created.earlier = repeats.earlier_actions(viewer=request.user, title=created.title, team=created.team,
                                              exclude_id=created.pk)
    return Status(201, created)


@router.post("/similar", response=EarlierOut, summary="Earlier actions that say what a new title says")
def similar_actions(request, payload: ActionSimilarIn):
    """Among the actions you may see: the team's own first, then other teams'; with what became of
    them (how many times agreed, how many marked worked). Threshold and figures: docs/actions.md."""
    team = team_ref(payload.team_id, field="team_id") if payload.team_id else None
    return repeats.earlier_actions(viewer=request.user, title=payload.title, team=team, exclude_id=payload.exclude_id)


@router.get("/repeats", response={200: list[ClusterOut], **errors(403)},
            summary="Actions agreed again and again across the organization (learning leads)")
@paginate(Pagination)
def organization_repeats(request):
    if not request.user.is_learning_lead:
        raise PermissionDenied("Only learning leads and admins see the whole organization's repeats.")
    return repeats.repeat_clusters(viewer=request.user)


# Declared before /{action_id}, which would otherwise take "metrics" for an id.
@router.get("/metrics", response={200: MetricsOut, **errors(400, 403)},
            summary="The whole organization's follow-through (learning leads)")
def organization_metrics(request, since: date | None = None, until: date | None = None):
    """Every team's actions together; for learning leads and admins. Definitions in docs/actions.md."""
    if not request.user.is_learning_lead:
        raise PermissionDenied("Only learning leads and admins see the whole organization's figures.")
    if since and until and since > until:
        raise ValidationError({"since": "since must be on or before until."})
    return metrics.action_metrics(since=since, until=until)


@router.get("/{action_id}", response=ActionDetailOut, summary="One action, with the lessons around it")
def get_action(request, action_id: Id):
    action = _action(request, action_id)
    around = selectors.lessons_around(viewer=request.user, action=action)
    action.lessons_from_here = around["lessons_here"].came_from
    action.lessons_applied_here = around["lessons_here"].applied_here
    action.source_lessons = around["source_lessons"]
    return action


@router.patch("/{action_id}", response=ActionOut,
              summary="Change title, description, owner, team, due date or priority")
def update_action(request, action_id: Id, payload: ActionPatch):
    action = _action(request, action_id)
    changes = payload.dict(exclude_unset=True)
    if "owner_id" in changes:
        owner_id = changes.pop("owner_id")
        changes["owner"] = person_ref(owner_id, field="owner_id") if owner_id else None
    if "team_id" in changes:
        team_id = changes.pop("team_id")
        changes["team"] = team_ref(team_id, field="team_id") if team_id else None
    for field in ("title", "priority"):
        if field in changes and changes[field] is None:
            raise ValidationError({field: "This field can't be empty."})
    linking = "repeat_of_id" in changes
    repeat_of_id = changes.pop("repeat_of_id", None)
    with request_fields(owner="owner_id", team="team_id", repeat_of="repeat_of_id"), transaction.atomic():
        if changes:
            services.update_action(by=request.user, action=action, **changes)
        if linking:
            repeat_of = repeats.resolve_repeat_of(request.user, repeat_of_id)
            repeats.mark_repeat(by=request.user, action=action, repeat_of=repeat_of)
    return _refresh(request, action)


# --- Status changes ----------------------------------------------------------------------------


@router.post("/{action_id}/start", response=ActionOut, summary="Open → in progress")
def start_action(request, action_id: Id):
    action = services.start_action(by=request.user, action=_action(request, action_id))
    return _refresh(request, action)


@router.post("/{action_id}/complete", response=ActionOut,
             summary="Mark done: answer “did it work?” now (effect) or on a date (check_on)")
def complete_action(request, action_id: Id, payload: CompleteIn):
    action = services.complete_action(
        by=request.user, action=_action(request, action_id), effect=payload.effect, evidence=payload.evidence,
        check_on=payload.check_on,
    )
    return _refresh(request, action)


@router.post("/{action_id}/check", response=ActionOut, summary="Record whether a done action worked")
def check_action(request, action_id: Id, payload: CheckIn):
    action = services.record_effectiveness(
        by=request.user, action=_action(request, action_id), effect=payload.effect, evidence=payload.evidence
    )
    return _refresh(request, action)


@router.post("/{action_id}/decline", response=ActionOut, summary="Decide not to do it, with the reason")
def decline_action(request, action_id: Id, payload: DeclineIn):
    action = services.decline_action(by=request.user, action=_action(request, action_id), reason=payload.reason)
    return _refresh(request, action)


@router.post("/{action_id}/reopen", response=ActionOut, summary="Back to open (clears the close and the check)")
def reopen_action(request, action_id: Id):
    action = services.reopen_action(by=request.user, action=_action(request, action_id))
    return _refresh(request, action)


# --- Proposed evidence ---------------------------------------------------------------------------


@router.get("/{action_id}/evidence-proposals", response=list[EvidenceProposalOut],
            summary="Evidence other modules offered for the action's check (a survey's re-measure)")
@paginate(Pagination)
def list_evidence_proposals(request, action_id: Id):
    return selectors.evidence_proposals(_action(request, action_id))


@router.post("/{action_id}/evidence-proposals/{proposal_id}/accept", response=ActionOut,
             summary="Accept proposed evidence as the check's, answering “did it work?”")
def accept_evidence_proposal(request, action_id: Id, proposal_id: Id, payload: AcceptEvidenceIn):
    """An open action is marked done with the evidence; a done one has it added to its evidence."""
    proposal = selectors.proposal_for(viewer=request.user, action_id=action_id, proposal_id=proposal_id)
    action = services.accept_evidence(by=request.user, proposal=proposal, effect=payload.effect)
    return _refresh(request, action)


# --- Comments ----------------------------------------------------------------------------------


@router.get("/{action_id}/comments", response=list[CommentOut], summary="An action's comments, oldest first")
@paginate(Pagination)
def list_comments(request, action_id: Id):
    return _action(request, action_id).comments.select_related("author")


@router.post("/{action_id}/comments", response={201: CommentOut}, summary="Comment on an action")
def add_comment(request, action_id: Id, payload: CommentIn):
    return Status(201, services.add_comment(by=request.user, action=_action(request, action_id), body=payload.body))


# --- Teams -------------------------------------------------------------------------------------


def _visible_team(request, team_id: Id) -> Team:
    team = _team(team_id)
    if not permissions.can_see_team(request.user, team):
        raise PermissionDenied(f"Only members and facilitators of {team.name}, learning leads and admins see this.")
    return team


def _policy_out(team: Team, policy: TeamActionPolicy) -> dict:
    return {
        "team_id": team.pk,
        "overdue_grace_days": policy.overdue_grace_days,
        "remind_days_before": policy.remind_days_before,
        "is_default": policy.pk is None,
    }


@router.get("/teams/{team_id}/policy", response={200: PolicyOut, **errors(403)}, summary="A team's overdue rule")
def get_policy(request, team_id: Id):
    team = _visible_team(request, team_id)
    return _policy_out(team, services.policy_for(team))


@router.put("/teams/{team_id}/policy", response=PolicyOut, summary="Set a team's overdue rule (its facilitators)")
def set_policy(request, team_id: Id, payload: PolicyIn):
    team = _team(team_id)
    policy = services.set_team_policy(by=request.user, team=team, **payload.dict())
    return _policy_out(team, policy)


@router.get("/teams/{team_id}/repeats", response={200: list[ClusterOut], **errors(403)},
            summary="The team's actions agreed again and again, with what became of them")
@paginate(Pagination)
def team_repeats(request, team_id: Id):
    team = _visible_team(request, team_id)
    return repeats.repeat_clusters(viewer=request.user, team=team)


@router.get("/teams/{team_id}/metrics", response={200: MetricsOut, **errors(400, 403)},
            summary="The team's follow-through: completion and effectiveness rates, days to close, overdue")
def team_metrics(request, team_id: Id, since: date | None = None, until: date | None = None):
    """Over actions created between `since` and `until` (inclusive, both optional); see docs/actions.md."""
    team = _visible_team(request, team_id)
    if since and until and since > until:
        raise ValidationError({"since": "since must be on or before until."})
    return metrics.action_metrics(team=team, since=since, until=until)
