"""The library of warehouse metrics: defined once in SQL, versioned, reused across experiments.

A library metric has a name, a metric type and versions (SQL, aggregation, window, cap, CUPED
lookback, and a note saying what changed). An experiment's metric takes one version: its SQL and
options are copied into the experiment's definition and the version is recorded, so a refresh
always says which definition produced its numbers, and a new version reaches an experiment only
when someone moves it on (use_version), never by itself mid-test.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery

from learnloop.experiments.models import LibraryMetric, LibraryMetricVersion, Metric, MetricType
from learnloop.experiments.permissions import can_register_anywhere, require
from learnloop.org.permissions import is_admin

FIELDS = ("metric_sql", "aggregation", "window_hours", "cap", "cuped_days")


def can_edit(person, library_metric: LibraryMetric) -> bool:
    return bool(getattr(person, "is_active", False)) and (
        person.pk == library_metric.created_by_id or person.is_learning_lead or is_admin(person))


def _checked(metric_type: str, *, metric_sql: str, aggregation: str = "sum", window_hours=None, cap=None,
             cuped_days=None) -> dict:
    from learnloop.analytics.warehouse.query import DefinitionError, MetricDefinition, check_user_sql

    try:
        MetricDefinition(metric_type=metric_type, aggregation=aggregation, window_hours=window_hours, cap=cap,
                         cuped_days=cuped_days)
        metric_sql = check_user_sql(metric_sql or "", "metric")
    except DefinitionError as error:
        raise ValidationError({"metric_sql": str(error)}) from None
    return {"metric_sql": metric_sql, "aggregation": aggregation, "window_hours": window_hours, "cap": cap,
            "cuped_days": cuped_days}


def define(*, by, name: str, metric_type: str, metric_sql: str, description: str = "", aggregation: str = "sum",
           window_hours=None, cap=None, cuped_days=None) -> LibraryMetric:
    """A new library metric with its first version."""
    require(can_register_anywhere(by), "Only members of a team and learning leads add library metrics.")
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise ValidationError({"name": "Give the metric a name of at most 200 characters."})
    if metric_type not in MetricType.values:
        raise ValidationError({"metric_type": f"The metric type is one of {', '.join(MetricType.values)}."})
    fields = _checked(metric_type, metric_sql=metric_sql, aggregation=aggregation, window_hours=window_hours,
                      cap=cap, cuped_days=cuped_days)
    try:
        with transaction.atomic():
            found = LibraryMetric.objects.create(name=name, description=(description or "").strip(),
                                                 metric_type=metric_type, created_by=by)
            LibraryMetricVersion.objects.create(library_metric=found, number=1, created_by=by,
                                                note="First version.", **fields)
    except IntegrityError:
        raise ValidationError({"name": f"The library already has a metric named “{name}”."}) from None
    return found


def revise(*, by, library_metric: LibraryMetric, note: str, metric_sql: str, aggregation: str = "sum",
           window_hours=None, cap=None, cuped_days=None) -> LibraryMetricVersion:
    """A new version; experiments keep the one they use until moved on."""
    if not can_edit(by, library_metric):
        raise PermissionDenied("Only whoever added the metric, learning leads and admins revise it.")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what changes in this version, and why."})
    fields = _checked(library_metric.metric_type, metric_sql=metric_sql, aggregation=aggregation,
                      window_hours=window_hours, cap=cap, cuped_days=cuped_days)
    with transaction.atomic():
        locked = LibraryMetric.objects.select_for_update().get(pk=library_metric.pk)
        latest = locked.versions.order_by("-number").first()
        if latest is not None and all(getattr(latest, field) == value for field, value in fields.items()):
            raise ValidationError({"metric_sql": "Nothing changed from the latest version."})
        return LibraryMetricVersion.objects.create(library_metric=locked, number=(latest.number if latest else 0) + 1,
                                                   note=note, created_by=by, **fields)


def use_version(*, by, metric: Metric, version: LibraryMetricVersion):
    """Compute the experiment's `metric` with this library version (copied, and recorded)."""
    from learnloop.experiments import warehouse

    kind = version.library_metric.metric_type
    if kind != metric.metric_type:
        raise ValidationError({"library_version": f"“{version.library_metric}” is a {kind} metric; {metric.name} is "
                                                  f"{metric.metric_type}."})
    return warehouse.set_metric_definition(by=by, metric=metric, library_version=version,
                                           **{field: getattr(version, field) for field in FIELDS})


def library(*, pk: int | None = None) -> list[LibraryMetric]:
    """Every library metric (or the one with `pk`) with its latest version and how many experiment
    metrics use it, in two queries."""
    newest = LibraryMetricVersion.objects.filter(library_metric=OuterRef("pk")).order_by("-number").values("pk")[:1]
    found = LibraryMetric.objects.annotate(latest_id=Subquery(newest), used_by=Count("versions__uses", distinct=True))
    found = list(found if pk is None else found.filter(pk=pk))
    latest = LibraryMetricVersion.objects.in_bulk([metric.latest_id for metric in found])
    for metric in found:
        metric.latest_version = latest.get(metric.latest_id)
    return found


def versions_of(metrics: list[LibraryMetric]) -> list[LibraryMetricVersion]:
    """Every version of these library metrics, newest first, in one query."""
    return list(LibraryMetricVersion.objects.filter(library_metric__in=metrics).select_related("created_by"))


def version_of(version_id: int) -> LibraryMetricVersion:
    found = LibraryMetricVersion.objects.select_related("library_metric").filter(pk=version_id).first()
    if found is None:
        raise ValidationError({"library_version": f"No library metric version {version_id}."})
    return found
