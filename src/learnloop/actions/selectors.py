"""Every read of actions a page, the API or a job needs.

Functions taking `viewer` return only what that person may see (permissions.visible_q). The
ones without are for other modules and the jobs, which decide visibility themselves (a session
page shows its own actions to whoever may see the session).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from learnloop.actions import permissions
from learnloop.actions.models import (
    ACTIVE_STATUSES,
    DEFAULT_GRACE_DAYS,
    DEFAULT_REMIND_DAYS_BEFORE,
    Action,
    EvidenceProposal,
    Status,
    TeamActionPolicy,
)
from learnloop.actions.references import ACTION as ACTION_REF
from learnloop.actions.references import CHECK as CHECK_REF
from learnloop.links.registry import Backlinks, backlinks

RELATED = ("owner", "team", "created_by", "checked_by", "repeat_of", "repeat_of__team")


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def visible_actions(*, viewer) -> QuerySet[Action]:
    return Action.objects.filter(permissions.visible_q(viewer)).select_related(*RELATED)


def action_for(*, viewer, action_id: int) -> Action:
    """The action, or 404 when it doesn't exist or the viewer may not see it (indistinguishable)."""
    action = visible_actions(viewer=viewer).filter(pk=action_id).first()
    if action is None:
        raise Http404("No action with this id.")
    return action


def evidence_proposals(action: Action) -> list[EvidenceProposal]:
    """The evidence other modules offered for the action's check, newest first (the caller has
    checked the viewer may see the action)."""
    return list(action.evidence_proposals.select_related("accepted_by"))


def proposal_for(*, viewer, action_id: int, proposal_id: int) -> EvidenceProposal:
    """A proposal of an action the viewer may see, or 404."""
    action = action_for(viewer=viewer, action_id=action_id)
    proposal = action.evidence_proposals.filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404("No such proposal on this action.")
    proposal.action = action
    return proposal


def actions_for_source(source_type: str, source_id, *, viewer=None) -> QuerySet[Action]:
    actions = visible_actions(viewer=viewer) if viewer is not None else Action.objects.select_related(*RELATED)
    return actions.filter(source_type=source_type, source_id=str(source_id)).order_by("created_at", "id")


def lessons_around(*, viewer, action: Action) -> dict:
    """The lessons an action's page lists (learnloop.links, one query per kind whatever the
    number): those that came from it or its check or were applied at it (`lessons_here`), and
    those that came from the same source as the action (`source_lessons`: the retro's lessons
    for a retro action), which its answered check can be added to."""
    refs = [(ACTION_REF, str(action.pk)), (CHECK_REF, str(action.pk))]
    if action.source_type:
        refs.append((action.source_type, action.source_id))
    found = backlinks(viewer, refs)
    here, check = found[refs[0]], found[refs[1]]
    lessons_here = Backlinks(came_from=_unique(here.came_from + check.came_from), applied_here=here.applied_here)
    source_lessons = found[refs[2]].came_from if action.source_type else []
    return {"lessons_here": lessons_here, "source_lessons": source_lessons}


def _unique(lessons: list) -> list:
    seen, out = set(), []
    for lesson in lessons:
        if lesson.id not in seen:
            seen.add(lesson.id)
            out.append(lesson)
    return out


def open_actions_for_team(team) -> QuerySet[Action]:
    return Action.objects.filter(team=team, status__in=ACTIVE_STATUSES).select_related(*RELATED)


def my_actions(person, *, include_closed: bool = False) -> QuerySet[Action]:
    """What the person owns: still to do, plus done actions whose effectiveness check is waiting."""
    actions = Action.objects.filter(owner=person).select_related(*RELATED)
    if not include_closed:
        actions = actions.filter(
            Q(status__in=ACTIVE_STATUSES) | Q(status=Status.DONE, effect="", check_on__isnull=False)
        )
    return actions


# --- overdue rules ------------------------------------------------------------------------------


def grace_days_by_team(team_ids) -> dict[int, int]:
    return dict(
        TeamActionPolicy.objects.filter(team_id__in=set(team_ids)).values_list("team_id", "overdue_grace_days")
    )


def remind_days_by_team(team_ids) -> dict[int, int]:
    return dict(
        TeamActionPolicy.objects.filter(team_id__in=set(team_ids)).values_list("team_id", "remind_days_before")
    )


def grace_days_for(action: Action, grace: dict[int, int]) -> int:
    return grace.get(action.team_id, DEFAULT_GRACE_DAYS)


def remind_days_for(action: Action, remind: dict[int, int]) -> int:
    return remind.get(action.team_id, DEFAULT_REMIND_DAYS_BEFORE)


def mark_overdue(actions, *, today: date | None = None) -> list[Action]:
    """The actions as a list, each with `.overdue` set by its team's rule."""
    today = _today(today)
    actions = list(actions)
    grace = grace_days_by_team(action.team_id for action in actions if action.team_id)
    for action in actions:
        action.overdue = action.overdue_on(today, grace_days=grace_days_for(action, grace))
    return actions


def overdue_actions(*, team=None, owner=None, viewer=None, today: date | None = None) -> list[Action]:
    """Open or in-progress actions past their due date plus their team's grace days."""
    today = _today(today)
    actions = visible_actions(viewer=viewer) if viewer is not None else Action.objects.select_related(*RELATED)
    actions = actions.filter(status__in=ACTIVE_STATUSES, due_on__lt=today)
    if team is not None:
        actions = actions.filter(team=team)
    if owner is not None:
        actions = actions.filter(owner=owner)
    return [action for action in mark_overdue(actions.order_by("due_on", "id"), today=today) if action.overdue]


def checks_due(*, owner=None, team=None, today: date | None = None) -> QuerySet[Action]:
    """Done actions whose scheduled effectiveness check date has come and is not answered yet."""
    actions = Action.objects.filter(
        status=Status.DONE, effect="", check_on__isnull=False, check_on__lte=_today(today)
    ).select_related(*RELATED)
    if owner is not None:
        actions = actions.filter(owner=owner)
    if team is not None:
        actions = actions.filter(team=team)
    return actions.order_by("check_on", "id")


# --- the team board -----------------------------------------------------------------------------


@dataclass
class BoardColumn:
    status: str
    label: str
    actions: list = field(default_factory=list)


# Closed columns show recent work only: a board is for what's moving, the API lists everything.
CLOSED_ON_BOARD = 20


def team_board(team, *, today: date | None = None) -> list[BoardColumn]:
    """The team's actions in one column per status, overdue ones first in their column."""
    today = _today(today)
    columns = [BoardColumn(status=value, label=label) for value, label in Status.choices]
    by_status = {column.status: column for column in columns}
    active = Action.objects.filter(team=team, status__in=ACTIVE_STATUSES).select_related(*RELATED)
    for action in mark_overdue(active.order_by("due_on", "id"), today=today):
        by_status[action.status].actions.append(action)
    for status in (Status.DONE, Status.NOT_DOING):
        closed = Action.objects.filter(team=team, status=status).select_related(*RELATED)
        for action in closed.order_by("-closed_at", "-id")[:CLOSED_ON_BOARD]:
            action.overdue = False
            by_status[status].actions.append(action)
    for column in columns[:2]:
        column.actions.sort(key=lambda action: (not action.overdue, action.due_on or date.max, action.pk))
    return columns


def filtered_actions(*, viewer, owner=None, team=None, status=(), overdue: bool | None = None,
                     source_type: str = "", source_id: str = "") -> QuerySet[Action]:
    """The actions the viewer may see, filtered as the API list and the exports filter them
    (ids already parsed); ordered by due date (none last), then newest."""
    from django.db.models import F

    actions = visible_actions(viewer=viewer)
    if owner is not None:
        actions = actions.filter(owner_id=owner)
    if team is not None:
        actions = actions.filter(team_id=team)
    if status:
        actions = actions.filter(status__in=status)
    if source_type:
        actions = actions.filter(source_type=source_type)
    if source_id:
        actions = actions.filter(source_id=source_id)
    if overdue is not None:
        late = [action.pk for action in overdue_actions(viewer=viewer)]
        actions = actions.filter(pk__in=late) if overdue else actions.exclude(pk__in=late)
    return actions.order_by(F("due_on").asc(nulls_last=True), "-created_at", "-id")


EXPORT_COLUMNS = ["id", "title", "status", "priority", "owner", "team", "due_on", "overdue", "effect",
                  "check_on", "not_doing_reason", "source_type", "source_id", "created_by", "created_at",
                  "closed_at", "description"]


def export_rows(actions: QuerySet[Action], *, chunk: int = 500):
    """Rows for an export (learnloop.web.tables), read a chunk at a time."""
    batch = []
    for action in actions.iterator(chunk_size=chunk):
        batch.append(action)
        if len(batch) == chunk:
            yield from _export_batch(batch)
            batch = []
    yield from _export_batch(batch)


def _export_batch(actions: list[Action]):
    for action in mark_overdue(actions):
        yield {
            "id": action.pk, "title": action.title, "status": action.status, "priority": action.priority,
            "owner": action.owner.full_name if action.owner_id else "",
            "team": action.team.name if action.team_id else "", "due_on": action.due_on,
            "overdue": action.overdue, "effect": action.effect, "check_on": action.check_on,
            "not_doing_reason": action.not_doing_reason, "source_type": action.source_type,
            "source_id": action.source_id, "created_by": action.created_by.full_name if action.created_by_id else "",
            "created_at": action.created_at, "closed_at": action.closed_at, "description": action.description,
        }
