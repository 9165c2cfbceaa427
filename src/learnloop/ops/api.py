"""API for the background task queue (admins only): list tasks, retry dead-lettered ones."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from learnloop.api_base import Pagination, Shown, errors
from learnloop.ops import task_admin, taskqueue

router = Router(tags=["background tasks"])

State = Literal["ready", "running", "done", "dead", "all"]


class TaskOut(Schema):
    id: str
    task: str
    state: str
    attempts: int
    worker: str
    enqueued_at: datetime
    run_after: datetime | None
    lease_expires_at: datetime | None
    reason: str


class CountsOut(Schema):
    ready: int
    running: int
    done: int
    dead: int


class RetriedOut(Schema):
    retried: int


@router.get("", response={200: list[TaskOut], **errors(403)}, summary="Background tasks, newest first (admins)")
@paginate(Pagination)
def list_tasks(request, state: Annotated[list[State], Query()] = ()):
    """`state` repeats (`state=ready&state=dead`); default ready, running and dead; `all` for every
    state. A task's arguments are never shown: they may name people."""
    tasks = task_admin.tasks_for(viewer=request.user, states=task_admin.parse_states(state))
    return Shown(tasks, taskqueue.row_of)


@router.get("/counts", response={200: CountsOut, **errors(403)}, summary="How many tasks are in each state (admins)")
def task_counts(request):
    return task_admin.state_counts(viewer=request.user)


@router.post("/retry-dead", response={200: RetriedOut, **errors(403)},
             summary="Queue every dead-lettered task again (admins)")
def retry_all_dead(request):
    return {"retried": task_admin.retry(viewer=request.user)}


@router.post("/{task_id}/retry", response={200: RetriedOut, **errors(403, 404)},
             summary="Queue one dead-lettered task again (admins)")
def retry_task(request, task_id: UUID):
    from django.http import Http404

    task_admin.require_admin(request.user)
    if not task_admin.tasks_for(viewer=request.user, states=("dead",)).filter(pk=task_id).exists():
        raise Http404("No dead-lettered task with this id (it may have been retried already).")
    return {"retried": task_admin.retry(viewer=request.user, task_ids=[str(task_id)])}

