"""Warehouse refreshes on the task queue: on demand and on a schedule, with progress, cancellation
and the SQL each one sent kept for audit.

A refresh is a WarehouseRefresh row (queued → running → done | failed | cancelled) and a task
that runs warehouse.refresh_experiment for it. Every metric is computed before anything is
written, so a failed or cancelled refresh leaves the previous snapshot as it was and says why.
Each finished refresh records the sample-ratio check and the guardrails of the results it wrote.

At most one refresh per experiment is queued or running (a database constraint): asking again
while one is open returns that one. Cancelling a queued refresh ends it at once; a running one
stops after the query in flight (a query itself ends at its timeout), before anything is written.
If a worker dies mid-refresh the task queue runs the task again after its lease runs out
(docs/operations.md), and the refresh starts over.

Schedules: a source's `refresh_every_hours` makes `learnloop experiment refresh-due` (run from
cron, or its task) queue a refresh when the last one asked for is older than that. Scheduled
refreshes run as the experiment's owner.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from learnloop.experiments.models import Experiment, Status, WarehouseRefresh, WarehouseSource
from learnloop.experiments.permissions import can_manage, require
from learnloop.experiments.warehouse_run import OPEN, finish

MAX_EVERY_HOURS = 24 * 31
REFRESHABLE = (Status.RUNNING, Status.ANALYSING)


def _check_refreshable(experiment: Experiment) -> None:
    if not WarehouseSource.objects.filter(experiment=experiment).exists():
        raise ValidationError({"source": "This experiment has no warehouse source yet."})
    if not experiment.metrics.filter(warehouse_definition__isnull=False).exists():
        raise ValidationError({"metric_sql": "No metric of this experiment is defined in the warehouse yet."})
    if experiment.status not in REFRESHABLE:
        raise ValidationError({"status": "Results are refreshed once the experiment has started and until it is "
                                         "decided."})


def request_refresh(*, by, experiment: Experiment, scheduled: bool = False, enqueue: bool = True) -> WarehouseRefresh:
    """Queue a refresh (or return the one already queued or running). With enqueue=False the
    caller runs it itself (warehouse_run.run_refresh), as the demo does."""
    if not scheduled:
        require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads refresh "
                                            "results.")
    _check_refreshable(experiment)
    found = WarehouseRefresh.objects.filter(experiment=experiment, status__in=OPEN).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            refresh = WarehouseRefresh.objects.create(experiment=experiment, requested_by=None if scheduled else by,
                                                      scheduled=scheduled)
            if enqueue:
                transaction.on_commit(lambda: _enqueue(refresh.pk))
    except IntegrityError:  # asked twice at the same moment: the other request's refresh is the one
        return WarehouseRefresh.objects.get(experiment=experiment, status__in=OPEN)
    return refresh


def _enqueue(refresh_id: int) -> None:
    from learnloop.experiments.tasks import run_warehouse_refresh

    run_warehouse_refresh.enqueue(refresh_id)


def cancel_refresh(*, by, refresh: WarehouseRefresh) -> WarehouseRefresh:
    require(can_manage(by, refresh.experiment), "Only the owner, the team's facilitators and learning leads cancel "
                                                "a refresh.")
    with transaction.atomic():
        refresh = WarehouseRefresh.objects.select_for_update().get(pk=refresh.pk)
        if refresh.status == WarehouseRefresh.Status.QUEUED:
            finish(refresh, WarehouseRefresh.Status.CANCELLED, "Cancelled before it started.")
        elif refresh.status == WarehouseRefresh.Status.RUNNING:
            refresh.cancel_requested = True
            refresh.save(update_fields=["cancel_requested"])
        else:
            raise ValidationError({"refresh": f"This refresh has already ended ({refresh.get_status_display()})."})
    return refresh


def set_schedule(*, by, experiment: Experiment, every_hours: int | None) -> WarehouseSource:
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads set the "
                                        "schedule.")
    source = WarehouseSource.objects.filter(experiment=experiment).first()
    if source is None:
        raise ValidationError({"source": "Set the warehouse source first."})
    if every_hours is not None and not 1 <= int(every_hours) <= MAX_EVERY_HOURS:
        raise ValidationError({"refresh_every_hours": f"Refresh every 1 to {MAX_EVERY_HOURS} hours, or leave it "
                                                      "empty for on demand only."})
    source.refresh_every_hours = every_hours
    source.save(update_fields=["refresh_every_hours"])
    return source


def queue_due_refreshes(*, now=None) -> list[WarehouseRefresh]:
    """Queue a refresh for every scheduled source whose last refresh was asked for longer ago than
    its interval (and whose experiment can be refreshed); what was queued."""
    now = now or timezone.now()
    queued = []
    sources = WarehouseSource.objects.filter(refresh_every_hours__isnull=False,
                                             experiment__status__in=REFRESHABLE).select_related("experiment")
    for source in sources:
        last = WarehouseRefresh.objects.filter(experiment=source.experiment).order_by("-requested_at").first()
        if last is not None and (last.is_open or now - last.requested_at < timedelta(hours=source.refresh_every_hours)):
            continue
        try:
            queued.append(request_refresh(by=None, experiment=source.experiment, scheduled=True))
        except ValidationError:
            continue  # no metric defined yet: nothing to refresh
    return queued


def refreshes_of(experiment: Experiment, *, limit: int = 20) -> list[WarehouseRefresh]:
    return list(WarehouseRefresh.objects.filter(experiment=experiment).select_related("requested_by")[:limit])
