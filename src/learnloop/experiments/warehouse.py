"""Warehouse definitions and refresh: an experiment's results computed where its data lives.

An experiment gets a source and an exposure SQL, each of its metrics a metric SQL (with its
aggregation, window, cap, CUPED lookback); `refresh_experiment` computes every defined metric in
the warehouse (learnloop.analytics.warehouse, one query per metric) and stores the sums as that
day's result snapshot. All metrics are computed before anything is written, so a failed refresh
keeps the previous snapshot and says why.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from learnloop.experiments.models import Experiment, Metric, Snapshot, WarehouseMetric, WarehouseSource
from learnloop.experiments.permissions import can_manage, require
from learnloop.experiments.services import _event, _fresh, record_snapshot


def _check_source(source: str) -> str:
    from learnloop.analytics.warehouse.sources import SCHEMES

    source = (source or "").strip()
    if source.startswith("env:"):
        if not source[4:].replace("_", "").isalnum():
            raise ValidationError({"source": "env: takes the name of an environment variable, e.g. env:WAREHOUSE_URL."})
        return source
    if source.startswith("chdb://"):
        return source
    scheme = source.split("://", 1)[0]
    if "://" not in source or scheme not in SCHEMES:
        raise ValidationError({"source": "Use duckdb:///PATH, postgresql://USER@HOST/DB, chdb:// or env:NAME."})
    credentials = source.split("://", 1)[1].split("@", 1)
    if len(credentials) == 2 and ":" in credentials[0]:
        raise ValidationError({"source": "Passwords are not stored: put the URL in an environment variable and give "
                                         "env:NAME."})
    if len(source) > 500:
        raise ValidationError({"source": "At most 500 characters."})
    return source


def _check_sql(sql: str, what: str, field: str) -> str:
    from learnloop.analytics.warehouse.query import DefinitionError, check_user_sql

    try:
        return check_user_sql(sql or "", what)
    except DefinitionError as error:
        raise ValidationError({field: str(error)}) from None


def set_source(*, by, experiment: Experiment, source: str, exposure_sql: str,
               at: datetime | None = None) -> WarehouseSource:
    experiment = _fresh(experiment.pk)
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads set the source.")
    values = {"source": _check_source(source), "exposure_sql": _check_sql(exposure_sql, "exposure", "exposure_sql"),
              "updated_at": at or timezone.now()}
    with transaction.atomic():
        found, _ = WarehouseSource.objects.update_or_create(experiment=experiment, defaults=values)
        _event(experiment, "warehouse_source_set", by, at=at)
    return found


def set_metric_definition(*, by, metric: Metric, metric_sql: str, aggregation: str = "sum",
                          window_hours: float | None = None, cap: float | None = None,
                          cuped_days: float | None = None, at: datetime | None = None,
                          library_version=None) -> WarehouseMetric:
    """Store how `metric` is computed in the warehouse. Written here, it no longer follows a
    library metric; warehouse_library.use_version passes the version it copied."""
    from learnloop.analytics.warehouse.query import DefinitionError, MetricDefinition

    experiment = _fresh(metric.experiment_id)
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads define metrics.")
    try:
        MetricDefinition(metric_type=metric.metric_type, aggregation=aggregation, window_hours=window_hours, cap=cap,
                         cuped_days=cuped_days)
    except DefinitionError as error:
        raise ValidationError({"metric_sql": str(error)}) from None
    values = {"metric_sql": _check_sql(metric_sql, "metric", "metric_sql"), "aggregation": aggregation,
              "window_hours": window_hours, "cap": cap, "cuped_days": cuped_days, "updated_at": at or timezone.now(),
              "library_version": library_version}
    with transaction.atomic():
        found, _ = WarehouseMetric.objects.update_or_create(metric=metric, defaults=values)
        _event(experiment, "warehouse_metric_set", by, at=at, data={
            "metric": metric.name, **({"library": str(library_version)} if library_version else {})})
    return found


def _resolve(source: str) -> str:
    import os

    if source.startswith("env:"):
        value = os.environ.get(source[4:], "")
        if not value:
            raise ValidationError({"source": f"The environment variable {source[4:]} holding the URL is not set."})
        return value
    return source


def refresh_experiment(*, by, experiment: Experiment, taken_on: date | None = None,
                       timeout: float = 600.0, progress=None) -> tuple[Snapshot, list[str]]:
    """Compute every metric with a warehouse definition and store them as `taken_on`'s snapshot
    (default today); returns the snapshot and the warnings (units left out). ValidationError, with
    nothing written, when any metric can't be computed.

    `progress(metric_name, query, done, total)` (query: {"sql", "parameters"}), if given, is
    called before the first query (with no metric) and after each metric's query; whatever it
    raises stops the refresh before anything is written (that is how a refresh is cancelled,
    warehouse_run.py)."""
    from learnloop.analytics.warehouse.pushdown import compute_statistics
    from learnloop.analytics.warehouse.query import DefinitionError, MetricDefinition
    from learnloop.analytics.warehouse.sources import SourceError

    experiment = _fresh(experiment.pk)
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads refresh results.")
    source = WarehouseSource.objects.filter(experiment=experiment).first()
    if source is None:
        raise ValidationError({"source": "This experiment has no warehouse source yet."})
    metrics = list(experiment.metrics.filter(warehouse_definition__isnull=False).select_related("warehouse_definition"))
    if not metrics:
        raise ValidationError({"metric_sql": "No metric of this experiment is defined in the warehouse yet."})
    computed, warnings = [], []
    if progress is not None:
        progress(None, None, 0, len(metrics))
    for metric in metrics:
        definition = metric.warehouse_definition
        try:
            statistics = compute_statistics(
                _resolve(source.source), source.exposure_sql, definition.metric_sql,
                MetricDefinition(metric_type=metric.metric_type, aggregation=definition.aggregation,
                                 window_hours=definition.window_hours, cap=definition.cap,
                                 cuped_days=definition.cuped_days),
                timeout=timeout,
            )
        except (DefinitionError, SourceError) as error:
            raise ValidationError({"metric_sql": f"{metric.name}: {error}"}) from None
        if statistics.excluded_units:
            count = statistics.excluded_units
            warnings.append(f"{metric.name}: {count} {'unit was' if count == 1 else 'units were'} exposed to more "
                            f"than one variation and {'is' if count == 1 else 'are'} left out.")
        # The experiment's own control goes first, whatever it is called.
        control = next(variant.name.lower() for variant in experiment.variants.all() if variant.is_control)
        ordered = sorted(statistics.variants, key=lambda variant: variant.variation.lower() != control)
        computed.append((metric, ordered))
        if progress is not None:
            progress(metric.name, {"sql": statistics.sql, "parameters": statistics.parameters}, len(computed),
                     len(metrics))
    taken_on = taken_on or timezone.localdate()
    with transaction.atomic():
        snapshot = None
        for metric, variants in computed:
            snapshot = record_snapshot(by=by, experiment=experiment, metric=metric, taken_on=taken_on,
                                       aggregates=variants, source=Snapshot.Source.WAREHOUSE)
    return snapshot, warnings
