"""The warehouse page of an experiment (/experiments/<id>/warehouse/): source, exposure SQL,
schedule, each metric's SQL, and the refreshes with their progress and SQL. For those who manage
the experiment; the same services as the API (warehouse_api.py) and the CLI."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnloop.experiments import selectors, warehouse, warehouse_library, warehouse_refresh
from learnloop.experiments.models import LibraryMetric, WarehouseRefresh, WarehouseSource
from learnloop.experiments.permissions import can_manage, require
from learnloop.experiments.views import _refused
from learnloop.experiments.warehouse_forms import (
    LibraryMetricForm,
    RevisionForm,
    UseLibraryForm,
    WarehouseMetricForm,
    WarehouseSourceForm,
)


def _managed(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    require(can_manage(request.user, experiment), "Only the owner, the team's facilitators and learning leads see "
                                                  "the warehouse definitions.")
    return experiment


def _metric_forms(experiment, *, failed=None):
    library = warehouse_library.library()
    found = []
    for metric in experiment.metrics.select_related("warehouse_definition__library_version__library_metric"):
        definition = getattr(metric, "warehouse_definition", None)
        if failed is not None and failed.data.get("metric") == str(metric.pk):
            form = failed
            form.auto_id = f"m{metric.pk}-%s"  # one page, several forms: ids of their own
        else:
            initial = {"metric": metric.pk}
            if definition is not None:
                initial.update({f: getattr(definition, f) for f in
                                ("metric_sql", "aggregation", "window_hours", "cap", "cuped_days")})
            form = WarehouseMetricForm(initial=initial, auto_id=f"m{metric.pk}-%s")
        taken = definition.library_version if definition is not None else None
        newer = next((entry.latest_version for entry in library if taken is not None
                      and entry.pk == taken.library_metric_id and entry.latest_version.number > taken.number), None)
        offered = [entry.latest_version for entry in library if entry.metric_type == metric.metric_type]
        found.append({"metric": metric, "definition": definition, "form": form, "taken": taken, "newer": newer,
                      "offered": offered})
    return found


def _render(request, experiment, *, source_form=None, metric_form=None, status=200):
    source = WarehouseSource.objects.filter(experiment=experiment).first()
    if source_form is None:
        initial = ({"source": source.source, "exposure_sql": source.exposure_sql,
                    "refresh_every_hours": source.refresh_every_hours} if source else {})
        source_form = WarehouseSourceForm(initial=initial)
    refreshes = warehouse_refresh.refreshes_of(experiment)
    return render(request, "experiments/warehouse.html", {
        "experiment": experiment, "source": source, "source_form": source_form,
        "metric_forms": _metric_forms(experiment, failed=metric_form), "refreshes": refreshes,
        "polling": any(refresh.is_open for refresh in refreshes),
    }, status=status)


@login_required
def page(request, experiment_id: int):
    return _render(request, _managed(request, experiment_id))


@login_required
def refreshes(request, experiment_id: int):
    """The refresh list alone, polled every two seconds while one is open."""
    experiment = _managed(request, experiment_id)
    found = warehouse_refresh.refreshes_of(experiment)
    return render(request, "experiments/_warehouse_refreshes.html", {
        "experiment": experiment, "refreshes": found, "polling": any(refresh.is_open for refresh in found)})


def _attempt(request, experiment, form, action, success: str, *, which: str):
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, success)
            return redirect("experiments:warehouse", experiment.pk)
    return _render(request, experiment, status=400, **{which: form})


@login_required
@require_POST
def save_source(request, experiment_id: int):
    experiment = _managed(request, experiment_id)

    def save(data):
        warehouse.set_source(by=request.user, experiment=experiment, source=data["source"],
                             exposure_sql=data["exposure_sql"])
        warehouse_refresh.set_schedule(by=request.user, experiment=experiment,
                                       every_hours=data["refresh_every_hours"])

    return _attempt(request, experiment, WarehouseSourceForm(request.POST), save, _("Warehouse source saved."),
                    which="source_form")


@login_required
@require_POST
def save_metric(request, experiment_id: int):
    experiment = _managed(request, experiment_id)
    form = WarehouseMetricForm(request.POST)

    def save(data):
        metric = experiment.metrics.filter(pk=data["metric"]).first()
        if metric is None:
            raise ValidationError({"metric": _("That metric is not one of this experiment's.")})
        warehouse.set_metric_definition(by=request.user, metric=metric, metric_sql=data["metric_sql"],
                                        aggregation=data["aggregation"], window_hours=data["window_hours"],
                                        cap=data["cap"], cuped_days=data["cuped_days"])

    return _attempt(request, experiment, form, save, _("Metric definition saved."), which="metric_form")


@login_required
@require_POST
def refresh_now(request, experiment_id: int):
    experiment = _managed(request, experiment_id)
    try:
        refresh = warehouse_refresh.request_refresh(by=request.user, experiment=experiment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Refresh queued: it runs in the background (learnloop worker).")
                         if refresh.status == WarehouseRefresh.Status.QUEUED else _("A refresh is already running."))
    return redirect("experiments:warehouse", experiment.pk)


@login_required
@require_POST
def cancel(request, experiment_id: int, refresh_id: int):
    experiment = _managed(request, experiment_id)
    try:
        refresh = warehouse_refresh.cancel_refresh(by=request.user,
                                                   refresh=selectors.warehouse_refresh_of(experiment, refresh_id))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Refresh cancelled.") if refresh.status == WarehouseRefresh.Status.CANCELLED
                         else _("Stopping: the refresh ends after the query in flight, writing nothing."))
    return redirect("experiments:warehouse", experiment.pk)


@login_required
@require_POST
def use_library(request, experiment_id: int):
    experiment = _managed(request, experiment_id)
    form = UseLibraryForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(" ".join(message for errors in form.errors.values() for message in errors))
        metric = selectors.metric_of(experiment, form.cleaned_data["metric"])
        version = warehouse_library.version_of(form.cleaned_data["library_version"])
        warehouse_library.use_version(by=request.user, metric=metric, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(metric)s is now computed with %(version)s.") % {
            "metric": metric.name, "version": version})
    return redirect("experiments:warehouse", experiment.pk)


# --- the library ---------------------------------------------------------------------------------------------


def _library_page(request, *, define_form=None, revise_forms=None, status=200):
    found = warehouse_library.library()
    versions = {}
    for version in warehouse_library.versions_of(found):
        versions.setdefault(version.library_metric_id, []).append(version)
    entries = [{"metric": entry, "versions": versions.get(entry.pk, []),
                "editable": warehouse_library.can_edit(request.user, entry),
                "form": (revise_forms or {}).get(entry.pk) or RevisionForm(initial={
                    field: getattr(entry.latest_version, field) for field in warehouse_library.FIELDS},
                    auto_id=f"r{entry.pk}-%s")}
               for entry in found]
    return render(request, "experiments/library.html", {
        "entries": entries, "define_form": define_form or LibraryMetricForm()}, status=status)


@login_required
def library_page(request):
    return _library_page(request)


@login_required
@require_POST
def library_define(request):
    form = LibraryMetricForm(request.POST)
    if form.is_valid():
        try:
            warehouse_library.define(by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, _("“%(name)s” added to the library.") % {"name": form.cleaned_data["name"]})
            return redirect("experiments:library")
    return _library_page(request, define_form=form, status=400)


@login_required
@require_POST
def library_revise(request, library_id: int):
    entry = LibraryMetric.objects.filter(pk=library_id).first()
    if entry is None:
        raise Http404("No such library metric.")
    form = RevisionForm(request.POST, auto_id=f"r{library_id}-%s")
    if form.is_valid():
        try:
            version = warehouse_library.revise(by=request.user, library_metric=entry, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, _("%(version)s saved. Experiments keep the version they use until moved on.") % {
                "version": version})
            return redirect("experiments:library")
    return _library_page(request, revise_forms={entry.pk: form}, status=400)
