"""Running one warehouse refresh (the task's body; requests, cancelling and schedules are in
warehouse_refresh.py): claim it, compute every metric through warehouse.refresh_experiment with
progress and a cancellation check after each query, record the SQL sent, and how it ended."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from learnloop.experiments.models import Experiment, WarehouseRefresh

OPEN = (WarehouseRefresh.Status.QUEUED, WarehouseRefresh.Status.RUNNING)


class Cancelled(Exception):
    """Raised from the progress callback when someone cancelled the refresh."""


def finish(refresh: WarehouseRefresh, status: str, message: str = "") -> None:
    refresh.status, refresh.message, refresh.finished_at = status, message, timezone.now()
    refresh.save(update_fields=["status", "message", "finished_at"])


def _claim(refresh_id: int) -> WarehouseRefresh | str:
    """Mark it running; or say why not: "skipped" (gone, or already ended) or "cancelled" (asked
    to stop before it started). A refresh found running is taken again: the queue runs a task
    twice only when its first worker died."""
    with transaction.atomic():
        refresh = WarehouseRefresh.objects.select_for_update().filter(pk=refresh_id).first()
        if refresh is None or refresh.status not in OPEN:
            return "skipped"
        if refresh.cancel_requested:
            finish(refresh, WarehouseRefresh.Status.CANCELLED, "Cancelled before it started.")
            return refresh.status
        refresh.status, refresh.started_at = WarehouseRefresh.Status.RUNNING, timezone.now()
        refresh.metrics_done, refresh.queries, refresh.warnings, refresh.message = 0, [], [], ""
        refresh.save()
    return refresh


def _json_safe(parameters: dict) -> dict:
    return {name: value if isinstance(value, int | float | str | bool | None) else str(value)
            for name, value in parameters.items()}


def run_refresh(refresh_id: int) -> str:
    """The task's body: run the refresh and record how it ended; returns the final status."""
    from learnloop.experiments import warehouse

    refresh = _claim(refresh_id)
    if isinstance(refresh, str):
        return refresh
    experiment = refresh.experiment

    def progress(metric_name, query, done, total):
        if WarehouseRefresh.objects.filter(pk=refresh.pk, cancel_requested=True).exists():
            raise Cancelled
        if metric_name is not None:
            refresh.queries.append({"metric": metric_name, "sql": query["sql"],
                                    "parameters": _json_safe(query["parameters"])})
        refresh.metrics_done, refresh.metrics_total = done, total
        refresh.save(update_fields=["metrics_done", "metrics_total", "queries"])

    by = refresh.requested_by or experiment.owner
    try:
        snapshot, warnings = warehouse.refresh_experiment(by=by, experiment=experiment, progress=progress)
    except Cancelled:
        finish(refresh, WarehouseRefresh.Status.CANCELLED, "Cancelled while running: nothing was written, the "
                                                            "previous results stay.")
        return refresh.status
    except (ValidationError, PermissionDenied) as error:
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        finish(refresh, WarehouseRefresh.Status.FAILED, f"{reason} Nothing was written: the previous results stay.")
        return refresh.status
    refresh.warnings, refresh.taken_on = warnings, snapshot.taken_on
    refresh.srm_p_value, refresh.breached_guardrails = _checks(experiment, snapshot)
    refresh.save(update_fields=["warnings", "taken_on", "srm_p_value", "breached_guardrails"])
    finish(refresh, WarehouseRefresh.Status.DONE)
    return refresh.status


def _checks(experiment: Experiment, snapshot) -> tuple[float | None, list[str]]:
    """The sample-ratio check and the breached guardrails of the snapshot just written, as the
    results page computes them (analysis.py)."""
    from learnloop.experiments.analysis import analyse

    experiment = Experiment.objects.get(pk=experiment.pk)
    result = next((found for found in analyse(experiment) if found.snapshot.pk == snapshot.pk), None)
    if result is None:
        return None, []
    return result.srm_p_value, [f"{metric.metric.name}: {variant.variation}" for metric, variant in result.breaches]
