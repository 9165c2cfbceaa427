"""Stock-and-flow pages: the list with the upload form, a model with its sliders and run chart,
scenarios compared on one chart, and sensitivity runs with their progress (htmx polling) and
percentile bands. Charts are drawn by static/systems/stockflow_charts.js from json_script data;
every chart has its table on the page and a CSV download."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnloop.org.models import Team
from learnloop.systems import stockflow_interventions as interventions
from learnloop.systems import stockflow_permissions as permissions
from learnloop.systems import stockflow_services as services
from learnloop.systems.stockflow_forms import (
    InterventionForm,
    ScenarioForm,
    SensitivityForm,
    UploadForm,
    constant_key,
    params_from,
)
from learnloop.systems.stockflow_models import (
    FINISHED,
    Scenario,
    ScenarioInterventionKind,
    SensitivityRun,
    StockFlowModel,
    TranslationState,
)


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for problems in error.message_dict.values() for message in problems]
    return list(error.messages)


def _model(request, model_id) -> StockFlowModel:
    permissions.require(permissions.can_view(request.user), "Sign in to see models.")
    return get_object_or_404(StockFlowModel.objects.select_related("team", "owner"), pk=model_id)


@login_required
def model_list(request):
    permissions.require(permissions.can_view(request.user), "Sign in to see models.")
    form = UploadForm(person=request.user) if permissions.can_upload_anywhere(request.user) else None
    return _list_page(request, form)


def _list_page(request, form, status=200):
    models = list(StockFlowModel.objects.select_related("team", "owner").defer("content").order_by("name", "pk"))
    return render(request, "systems/stockflow_list.html", {"models": models, "form": form}, status=status)


@login_required
@require_POST
def upload(request):
    form = UploadForm(request.POST, request.FILES, person=request.user)
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            model = services.upload_model(
                request.user, name=form.cleaned_data["name"], description=form.cleaned_data["description"],
                team=form.cleaned_data["team"], file_name=upload_file.name, content=upload_file.read())
        except ValidationError as error:
            for field, problems in getattr(error, "message_dict", {"__all__": error.messages}).items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("%(name)s is stored and being translated; this page shows when it is "
                                        "ready to run.") % {"name": model.name})
            return redirect("systems:stockflow_detail", model.pk)
    return _list_page(request, form, status=400)


def _finite(values) -> list:
    return [value if value == value and abs(value) != float("inf") else None for value in values]


def _table_rows(table) -> list[list]:
    return [list(row) for row in table.rows]


@login_required
def detail(request, model_id):
    model = _model(request, model_id)
    if not model.is_ready:
        return render(request, "systems/stockflow_waiting.html", {
            "model": model, "may_change": permissions.can_change(request.user, model)})
    sliders = services.sliders(model)
    params, problems = params_from(request.GET, sliders)
    table = None
    if not problems:
        try:
            table = services.run(model, params)
        except ValidationError as error:
            problems = _messages_of(error)
    values = {**{slider.name: slider.value for slider in sliders}, **params}
    controls = [{"slider": slider, "key": constant_key(index), "value": values[slider.name],
                 "changed": slider.name in params} for index, slider in enumerate(sliders)]
    chart = None
    if table is not None:
        chart = {"kind": "lines", "time": table.column("TIME"), "time_units": model.outline.get("time_units", ""),
                 "series": [{"name": name, "values": _finite(table.column(name))} for name in table.columns[1:]]}
    scenarios = list(model.scenarios.select_related("author").order_by("name", "pk"))
    keys = {slider.name: constant_key(index) for index, slider in enumerate(sliders)}
    for scenario in scenarios:
        scenario.open_query = urlencode({keys[name]: value for name, value in scenario.params.items() if name in keys})
    runs = list(model.sensitivity_runs.order_by("-created_at", "pk")[:10])
    may_change = permissions.can_change(request.user, model)
    context = {
        "model": model, "controls": controls, "table": table, "rows": _table_rows(table) if table else [],
        "chart": chart, "problems": problems, "params": params, "query": request.GET.urlencode(),
        "scenarios": scenarios, "scenario_form": ScenarioForm(), "runs": runs, "may_change": may_change,
        "sensitivity_form": SensitivityForm() if may_change else None,
        "variables": services.chart_columns(model),
        "teams": list(Team.objects.filter(archived_at=None).order_by("name", "pk")),
        "interventions": interventions.interventions(request.user, model),
    }
    return render(request, "systems/stockflow_detail.html", context, status=400 if problems else 200)


@login_required
def model_state(request, model_id):
    """The translation state for the waiting page's polling (htmx); it reloads once finished."""
    model = _model(request, model_id)
    response = render(request, "systems/_stockflow_state.html", {"model": model})
    if model.state != TranslationState.TRANSLATING:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def intervene(request, model_id, scenario_id):
    model = _model(request, model_id)
    scenario = get_object_or_404(Scenario.objects.select_related("model__team"), pk=scenario_id, model=model)
    form = InterventionForm(request.POST, variables=services.chart_columns(model))
    if form.is_valid():
        try:
            made = interventions.create_intervention(by=request.user, scenario=scenario,
                                                     kind=form.cleaned_data["kind"],
                                                     variable=form.cleaned_data["variable"] or None,
                                                     team=form.cleaned_data["team"])
        except ValidationError as error:
            for problem in _messages_of(error):
                messages.error(request, problem)
        else:
            if made.kind == ScenarioInterventionKind.EXPERIMENT:
                messages.success(request, _("A draft experiment with the hypothesis from the simulation; review its "
                                            "protocol before it starts."))
                return redirect("experiments:detail", int(made.target_id))
            messages.success(request, _("The action is recorded; its source is this model."))
            return redirect("actions:detail", int(made.target_id))
    for errors in form.errors.values():
        for problem in errors:
            messages.error(request, problem)
    return redirect(reverse("systems:stockflow_detail", args=[model.pk]) + "#scenarios")


@login_required
def run_csv(request, model_id):
    model = _model(request, model_id)
    params, problems = params_from(request.GET, services.sliders(model))
    try:
        if problems:
            raise ValidationError(problems)
        table = services.run(model, params)
    except ValidationError as error:
        return HttpResponse("\n".join(_messages_of(error)), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(table.to_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="model-{model.pk}-run.csv"'
    return response


@login_required
@require_POST
def save_scenario(request, model_id):
    model = _model(request, model_id)
    form = ScenarioForm(request.POST)
    sliders = services.sliders(model)
    params, problems = params_from(request.POST, sliders)
    if form.is_valid() and not problems:
        try:
            scenario = services.save_scenario(request.user, model, name=form.cleaned_data["name"], params=params,
                                              note=form.cleaned_data["note"])
        except ValidationError as error:
            problems = _messages_of(error)
        else:
            messages.success(request, _("Scenario %(name)s saved.") % {"name": scenario.name})
            return redirect(reverse("systems:stockflow_detail", args=[model.pk]) + "#scenarios")
    problems = problems + [message for errors in form.errors.values() for message in errors]
    for problem in problems:
        messages.error(request, problem)
    return redirect(reverse("systems:stockflow_detail", args=[model.pk]) + "#scenarios")


@login_required
@require_POST
def delete_scenario(request, model_id, scenario_id):
    model = _model(request, model_id)
    scenario = get_object_or_404(Scenario, pk=scenario_id, model=model)
    services.delete_scenario(request.user, scenario)
    messages.success(request, _("Scenario %(name)s deleted.") % {"name": scenario.name})
    return redirect(reverse("systems:stockflow_detail", args=[model.pk]) + "#scenarios")


@login_required
@require_POST
def delete_model(request, model_id):
    model = _model(request, model_id)
    services.delete_model(request.user, model)
    messages.success(request, _("%(name)s deleted.") % {"name": model.name})
    return redirect("systems:stockflow_list")


def _comparison(request, model):
    ids = [value for value in request.GET.getlist("scenario") if value.isdigit()]
    scenarios = list(Scenario.objects.filter(model=model, pk__in=ids).order_by("name", "pk"))
    return services.compare(model, scenarios, request.GET.get("variable") or None), scenarios


@login_required
def compare(request, model_id):
    model = _model(request, model_id)
    try:
        comparison, chosen = _comparison(request, model)
    except ValidationError as error:
        return render(request, "systems/stockflow_compare.html",
                      {"model": model, "problems": _messages_of(error), "comparison": None}, status=400)
    chart = {"kind": "lines", "time": comparison.time, "time_units": model.outline.get("time_units", ""),
             "series": [{"name": serie["name"], "values": serie["values"]} for serie in comparison.series]}
    rows = [[moment, *[serie["values"][index] for serie in comparison.series]]
            for index, moment in enumerate(comparison.time)]
    all_scenarios = list(model.scenarios.order_by("name", "pk"))
    return render(request, "systems/stockflow_compare.html", {
        "model": model, "comparison": comparison, "chart": chart, "rows": rows, "chosen": {s.pk for s in chosen},
        "all_scenarios": all_scenarios, "query": request.GET.urlencode(), "problems": []})


@login_required
def compare_csv(request, model_id):
    model = _model(request, model_id)
    try:
        comparison, _chosen = _comparison(request, model)
    except ValidationError as error:
        return HttpResponse("\n".join(_messages_of(error)), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(comparison.to_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="model-{model.pk}-scenarios.csv"'
    return response


@login_required
@require_POST
def start_sensitivity(request, model_id):
    model = _model(request, model_id)
    form = SensitivityForm(request.POST)
    if form.is_valid():
        try:
            job = services.start_sensitivity(
                request.user, model, ranges=form.ranges(request.POST, services.sliders(model)),
                runs=form.cleaned_data["runs"], seed=form.cleaned_data["seed"],
                sampling=form.cleaned_data["sampling"])
        except ValidationError as error:
            for problem in _messages_of(error):
                messages.error(request, problem)
        else:
            return redirect("systems:stockflow_sensitivity", model.pk, job.pk)
    for errors in form.errors.values():
        for problem in errors:
            messages.error(request, problem)
    return redirect(reverse("systems:stockflow_detail", args=[model.pk]) + "#sensitivity")


def _bands_chart(job, variable):
    result = job.result or {}
    bands = result.get("bands", {})
    if variable not in bands:
        variable = next(iter(bands), None)
    if variable is None:
        return None, None, []
    by_p = bands[variable]
    keys = list(by_p)
    rows = [[moment, *[by_p[key][index] for key in keys]] for index, moment in enumerate(result.get("time", []))]
    chart = {"kind": "bands", "time": result.get("time", []), "variable": variable, "percentiles": by_p,
             "time_units": job.model.outline.get("time_units", ""),
             "labels": {"band90": _("5th–95th percentile"), "band50": _("25th–75th percentile"), "median": _("Median"),
                        "base": _("(base)"), "time": _("time")}}
    return chart, keys, rows


def _job(request, model_id, run_id):
    model = _model(request, model_id)
    return get_object_or_404(SensitivityRun.objects.select_related("model", "requested_by"), pk=run_id, model=model)


@login_required
def sensitivity(request, model_id, run_id):
    job = _job(request, model_id, run_id)
    chart, keys, rows = _bands_chart(job, request.GET.get("variable"))
    return render(request, "systems/stockflow_sensitivity.html", {
        "model": job.model, "job": job, "chart": chart, "keys": keys, "rows": rows,
        "variables": list((job.result or {}).get("bands", {})),
        "finished": job.status in FINISHED, "may_cancel": services.may_cancel(request.user, job)})


@login_required
def sensitivity_state(request, model_id, run_id):
    job = _job(request, model_id, run_id)
    finished = job.status in FINISHED
    response = render(request, "systems/_stockflow_progress.html", {
        "model": job.model, "job": job, "finished": finished, "may_cancel": services.may_cancel(request.user, job)})
    if finished:
        response["HX-Refresh"] = "true"  # the page reloads once, with the bands
    return response


@login_required
@require_POST
def cancel_sensitivity(request, model_id, run_id):
    job = _job(request, model_id, run_id)
    try:
        services.cancel_sensitivity(request.user, job)
    except ValidationError as error:
        for problem in _messages_of(error):
            messages.error(request, problem)
    else:
        messages.success(request, _("The sensitivity runs are cancelled; no bands are kept."))
    return redirect("systems:stockflow_sensitivity", job.model_id, job.pk)
