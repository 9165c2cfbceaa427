"""API for warehouse definitions and refreshes, under /api/v1/experiments/{id}/warehouse
(docs/experiments.md, "Refresh from the warehouse"). Only those who manage the experiment see
its source, SQL and refreshes; the same services as the page and `learnloop experiment refresh`."""

from datetime import date, datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from learnloop.api_base import Id, InputSchema, Pagination, errors
from learnloop.experiments import selectors, warehouse, warehouse_library, warehouse_refresh
from learnloop.experiments.models import WarehouseRefresh, WarehouseSource
from learnloop.experiments.permissions import can_manage, require

router = Router(tags=["experiments"])
# At /api/v1/warehouse-metrics: under /experiments, "library" would be read as an experiment id.
library_router = Router(tags=["experiments"])


class WarehouseSourceIn(InputSchema):
    source: str = Field(description="duckdb:///PATH, postgresql://USER@HOST/DB, chdb:// or env:NAME; never a "
                                    "password.")
    exposure_sql: str = Field(description="SQL returning unit_id, variation, first_exposure_at (and dimensions).")
    refresh_every_hours: int | None = Field(None, description="Refresh on this schedule (1 to 744 hours); null for "
                                                              "on demand only.")


class WarehouseMetricIn(InputSchema):
    metric_sql: str = Field(description="SQL returning unit_id, timestamp, value (numerator, denominator for "
                                        "ratio metrics).")
    aggregation: Literal["sum", "count", "count_distinct"] = "sum"
    window_hours: float | None = None
    cap: float | None = None
    cuped_days: float | None = None


class WarehouseMetricOut(Schema):
    metric_id: int
    name: str
    library_version_id: int | None = Field(description="The library metric version it was taken from, if any.")
    metric_sql: str
    aggregation: str
    window_hours: float | None
    cap: float | None
    cuped_days: float | None


class WarehouseOut(Schema):
    source: str = Field(description="As stored: a URL without a password, or env:NAME.")
    exposure_sql: str
    refresh_every_hours: int | None
    metrics: list[WarehouseMetricOut] = Field(description="The experiment's metrics that have a warehouse "
                                                          "definition.")


class WarehouseQueryOut(Schema):
    metric: str
    sql: str = Field(description="The query as sent, parameters named (:window_seconds, ...).")
    parameters: dict


class WarehouseRefreshOut(Schema):
    id: int
    status: str = Field(description="queued, running, done, failed or cancelled.")
    scheduled: bool
    requested_by_id: int | None
    cancel_requested: bool
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    metrics_total: int
    metrics_done: int
    queries: list[WarehouseQueryOut]
    warnings: list[str]
    message: str = Field(description="Why it failed or was cancelled.")
    taken_on: date | None = Field(description="The snapshot's date, once done.")
    srm_p_value: float | None = Field(description="The sample-ratio check on the written results (below 0.001: the "
                                                  "split is off).")
    breached_guardrails: list[str]


def _managed(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    require(can_manage(request.user, experiment), "Only the owner, the team's facilitators and learning leads see "
                                                  "the warehouse definitions.")
    return experiment


def _warehouse_out(experiment) -> dict:
    source = WarehouseSource.objects.filter(experiment=experiment).first()
    metrics = experiment.metrics.filter(warehouse_definition__isnull=False).select_related("warehouse_definition")
    return {
        "source": source.source if source else "", "exposure_sql": source.exposure_sql if source else "",
        "refresh_every_hours": source.refresh_every_hours if source else None,
        "metrics": [{"metric_id": metric.pk, "name": metric.name,
                     **{f: getattr(metric.warehouse_definition, f) for f in
                        ("metric_sql", "aggregation", "window_hours", "cap", "cuped_days", "library_version_id")}}
                    for metric in metrics],
    }


@router.get("/{experiment_id}/warehouse", response={200: WarehouseOut, **errors(403)},
            summary="The warehouse source, exposure SQL, schedule and metric definitions")
def get_warehouse(request, experiment_id: Id):
    return _warehouse_out(_managed(request, experiment_id))


@router.put("/{experiment_id}/warehouse", response={200: WarehouseOut, **errors(400, 403)},
            summary="Set the warehouse source, exposure SQL and refresh schedule")
def put_warehouse(request, experiment_id: Id, payload: WarehouseSourceIn):
    experiment = selectors.experiment_for(request.user, experiment_id)
    warehouse.set_source(by=request.user, experiment=experiment, source=payload.source,
                         exposure_sql=payload.exposure_sql)
    warehouse_refresh.set_schedule(by=request.user, experiment=experiment, every_hours=payload.refresh_every_hours)
    return _warehouse_out(experiment)


@router.put("/{experiment_id}/metrics/{metric_id}/warehouse", response={200: WarehouseOut, **errors(400, 403)},
            summary="Define how one metric is computed in the warehouse")
def put_metric_definition(request, experiment_id: Id, metric_id: Id, payload: WarehouseMetricIn):
    experiment = selectors.experiment_for(request.user, experiment_id)
    metric = selectors.metric_of(experiment, metric_id)
    warehouse.set_metric_definition(by=request.user, metric=metric, metric_sql=payload.metric_sql,
                                    aggregation=payload.aggregation, window_hours=payload.window_hours,
                                    cap=payload.cap, cuped_days=payload.cuped_days)
    return _warehouse_out(experiment)


@router.get("/{experiment_id}/warehouse/refreshes", response={200: list[WarehouseRefreshOut], **errors(403)},
            summary="Refreshes, newest first, with their progress and the SQL they sent")
@paginate(Pagination)
def list_refreshes(request, experiment_id: Id):
    return WarehouseRefresh.objects.filter(experiment=_managed(request, experiment_id))


@router.post("/{experiment_id}/warehouse/refreshes", response={202: WarehouseRefreshOut, **errors(400, 403)},
             summary="Queue a refresh (or get the one already queued or running)")
def request_refresh(request, experiment_id: Id):
    experiment = selectors.experiment_for(request.user, experiment_id)
    return Status(202, warehouse_refresh.request_refresh(by=request.user, experiment=experiment))


def _refresh(request, experiment_id: int, refresh_id: int) -> WarehouseRefresh:
    experiment = _managed(request, experiment_id)
    return selectors.warehouse_refresh_of(experiment, refresh_id)


@router.get("/{experiment_id}/warehouse/refreshes/{refresh_id}", response={200: WarehouseRefreshOut, **errors(403)},
            summary="One refresh: poll it for progress")
def get_refresh(request, experiment_id: Id, refresh_id: Id):
    return _refresh(request, experiment_id, refresh_id)


@router.post("/{experiment_id}/warehouse/refreshes/{refresh_id}/cancel",
             response={200: WarehouseRefreshOut, **errors(400, 403)},
             summary="Cancel a queued refresh, or stop a running one before it writes anything")
def cancel_refresh(request, experiment_id: Id, refresh_id: Id):
    return warehouse_refresh.cancel_refresh(by=request.user, refresh=_refresh(request, experiment_id, refresh_id))


# --- the library of warehouse metrics ---------------------------------------------------------------------


class LibraryVersionOut(Schema):
    id: int
    number: int
    metric_sql: str
    aggregation: str
    window_hours: float | None
    cap: float | None
    cuped_days: float | None
    note: str
    created_by_id: int
    created_at: datetime


class LibraryMetricOut(Schema):
    id: int
    name: str
    description: str
    metric_type: str
    latest_version: LibraryVersionOut
    used_by: int = Field(description="Experiment metrics computed with one of its versions.")


class LibraryMetricDetailOut(LibraryMetricOut):
    versions: list[LibraryVersionOut] = Field(description="Newest first.")


class LibraryMetricIn(InputSchema):
    name: str
    description: str = ""
    metric_type: Literal["mean", "binomial", "ratio"]
    metric_sql: str
    aggregation: Literal["sum", "count", "count_distinct"] = "sum"
    window_hours: float | None = None
    cap: float | None = None
    cuped_days: float | None = None


class LibraryVersionIn(InputSchema):
    note: str = Field(description="What changes in this version, and why.")
    metric_sql: str
    aggregation: Literal["sum", "count", "count_distinct"] = "sum"
    window_hours: float | None = None
    cap: float | None = None
    cuped_days: float | None = None


class UseLibraryVersionIn(InputSchema):
    library_version_id: int


def _library_out(found) -> dict:
    return {**{f: getattr(found, f) for f in ("id", "name", "description", "metric_type", "used_by")},
            "latest_version": found.latest_version}


def _library_metric(library_id: int):
    found = next(iter(warehouse_library.library(pk=library_id)), None)
    if found is None:
        raise Http404(f"No library metric {library_id}.")
    return found


@library_router.get("", response={200: list[LibraryMetricOut]},
            summary="The library of warehouse metrics, each with its latest version")
@paginate(Pagination)
def list_library(request):
    return [_library_out(found) for found in warehouse_library.library()]


@library_router.post("", response={201: LibraryMetricDetailOut, **errors(400, 403)},
             summary="Add a metric to the library (its version 1)")
def define_library_metric(request, payload: LibraryMetricIn):
    found = warehouse_library.define(by=request.user, **payload.dict())
    return Status(201, _library_detail(found.pk))


def _library_detail(library_id: int) -> dict:
    found = _library_metric(library_id)
    return {**_library_out(found), "versions": list(found.versions.all())}


@library_router.get("/{library_id}", response={200: LibraryMetricDetailOut},
            summary="One library metric with every version")
def get_library_metric(request, library_id: Id):
    return _library_detail(library_id)


@library_router.post("/{library_id}/versions", response={201: LibraryMetricDetailOut, **errors(400, 403)},
             summary="Revise a library metric: a new version (experiments keep theirs until moved on)")
def revise_library_metric(request, library_id: Id, payload: LibraryVersionIn):
    warehouse_library.revise(by=request.user, library_metric=_library_metric(library_id), **payload.dict())
    return Status(201, _library_detail(library_id))


@router.put("/{experiment_id}/metrics/{metric_id}/warehouse/library",
            response={200: WarehouseOut, **errors(400, 403)},
            summary="Compute one metric with a library metric's version (copied and recorded)")
def use_library_version(request, experiment_id: Id, metric_id: Id, payload: UseLibraryVersionIn):
    experiment = selectors.experiment_for(request.user, experiment_id)
    warehouse_library.use_version(by=request.user, metric=selectors.metric_of(experiment, metric_id),
                                  version=warehouse_library.version_of(payload.library_version_id))
    return _warehouse_out(experiment)
