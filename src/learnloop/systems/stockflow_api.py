"""Stock-and-flow models through the API (/api/v1/systems/models...), the same services and
rules as the pages (docs/systems.md, docs/api.md)."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from learnloop.api_base import Id, InputSchema, Pagination, Shown, errors, team_ref
from learnloop.systems import stockflow_edit
from learnloop.systems import stockflow_interventions as interventions
from learnloop.systems import stockflow_permissions as permissions
from learnloop.systems import stockflow_services as services
from learnloop.systems.stockflow_models import Scenario, ScenarioIntervention, SensitivityRun, StockFlowModel

router = Router(tags=["systems"])

Name = Annotated[str, Field(min_length=1, max_length=200)]


class StockFlowConstantOut(Schema):
    name: str
    value: float = Field(description="The value a run starts from: today's live number when bound, else the model's")
    model_value: float
    low: float = Field(description="Slider range: the model's limits, else ±50% of the value")
    high: float
    units: str
    bound_to: str = Field(description="The live number the constant is bound to (its label), or empty")


class StockFlowModelOut(Schema):
    id: int
    name: str
    description: str
    team_id: int | None = Field(description="The owning team; null: the organization")
    format: str
    file_name: str
    state: str = Field(description="translating (the worker has not finished), failed (see state_error) or ready; "
                                   "only a ready model runs")
    state_error: str = Field(description="Why the translation failed (timeout, memory, unsupported functions...)")
    stocks: list[str]
    variables: list[str]
    initial_time: float
    final_time: float
    time_step: float
    time_units: str
    created_at: datetime


class StockFlowModelDetailOut(StockFlowModelOut):
    constants: list[StockFlowConstantOut]
    bindings: dict[str, str] = Field(description="Constant name -> live number key")


class StockFlowModelIn(InputSchema):
    name: Name
    description: str = Field("", max_length=5000)
    team_id: Id | None = Field(None, description="The owning team; null: the organization")
    file_name: str = Field(max_length=200, description="Ends in .mdl (Vensim) or .xmile/.xml/.stmx (XMILE)")
    content: str = Field(max_length=services.MAX_UPLOAD_BYTES, description="The model file's text")


class DiagramLinkIn(InputSchema):
    source: str = Field(max_length=200)
    target: str = Field(max_length=200)
    polarity: Literal["+", "-"]
    delay: bool = False


class FromDiagramIn(InputSchema):
    name: Name
    description: str = Field("", max_length=5000)
    team_id: Id | None = None
    variables: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        max_length=services.MAX_DIAGRAM_VARIABLES)
    links: list[DiagramLinkIn] = Field(max_length=services.MAX_DIAGRAM_LINKS)
    start: float = 0
    stop: float = 100
    dt: float = Field(1, gt=0)


class SkeletonOut(Schema):
    stocks: list[dict]
    flows: list[dict]
    auxiliaries: list[dict]


class FromDiagramOut(Schema):
    model: StockFlowModelDetailOut
    skeleton: SkeletonOut


class RunIn(InputSchema):
    params: dict[str, float] = Field(default_factory=dict, description="Constant name -> value for this run")
    columns: list[str] | None = Field(None, description="Variables to return (default: stocks first, at most 12)")


class TableOut(Schema):
    columns: list[str] = Field(description="TIME, then one column per variable")
    rows: list[list[float | None]]


class ScenarioOut(Schema):
    id: int
    name: str
    params: dict[str, float]
    note: str
    author_id: int | None
    created_at: datetime


class ScenarioIn(InputSchema):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    params: dict[str, float] = Field(default_factory=dict)
    note: str = Field("", max_length=500)


class StockFlowComparisonSeriesOut(Schema):
    name: str
    params: dict[str, float]
    values: list[float | None]


class StockFlowComparisonOut(Schema):
    variable: str
    time: list[float]
    series: list[StockFlowComparisonSeriesOut] = Field(description="The baseline first, then each scenario")


class SensitivityIn(InputSchema):
    ranges: dict[str, list[float]] = Field(description="Constant name -> [low, high]")
    runs: int = Field(200, ge=2, le=services.MAX_SENSITIVITY_RUNS)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    sampling: Literal["latin_hypercube", "uniform"] = "latin_hypercube"
    params: dict[str, float] = Field(default_factory=dict, description="Constants held at these values")


class StockFlowInterventionIn(InputSchema):
    kind: Literal["experiment", "action"]
    variable: str | None = Field(None, max_length=200,
                                 description="The variable expected to move (default: the first charted one)")
    team_id: Id | None = Field(None, description="The team that runs it (default: the model's team)")
    title: str = Field("", max_length=200)


class StockFlowInterventionOut(Schema):
    id: int
    kind: str
    scenario_id: int | None
    scenario_name: str
    params: dict[str, float]
    variable: str
    hypothesis: str = Field(description="Written from the simulation: the constants changed, and the variable's "
                                        "value at the final time under the baseline and under the scenario")
    target_type: str
    target_id: str
    target_url: str | None = Field(description="The experiment or action, when the caller may see it")
    created_at: datetime


class SensitivityOut(Schema):
    id: str
    status: str = Field(description="queued, running, done, failed or cancelled")
    runs: int
    done: int
    sampling: str
    seed: int
    ranges: dict[str, list[float]]
    error: str
    result: dict | None = Field(description="When done: time, percentiles and bands[variable][pNN]")


class StockFlowModelPatchIn(InputSchema):
    name: Name | None = None
    description: str | None = Field(None, max_length=5000)
    team_id: Id | None = Field(None, description="The owning team; null: the organization (left out: unchanged)")
    bindings: dict[str, str] | None = Field(
        None, description="Constant name -> live number key (an empty key unbinds); replaces every binding")


def _model(request, model_id: int) -> StockFlowModel:
    permissions.require(permissions.can_view(request.user), "Sign in to see models.")
    model = StockFlowModel.objects.select_related("team").filter(pk=model_id).first()
    if model is None:
        raise Http404
    return model


def _model_out(model: StockFlowModel) -> dict:
    outline = model.outline
    return {"id": model.pk, "name": model.name, "description": model.description, "team_id": model.team_id,
            "format": model.format, "file_name": model.file_name, "state": model.state,
            "state_error": model.state_error, "stocks": outline.get("stocks", []),
            "variables": outline.get("variables", []), "initial_time": outline.get("initial_time", 0),
            "final_time": outline.get("final_time", 0), "time_step": outline.get("time_step", 0),
            "time_units": outline.get("time_units", ""), "created_at": model.created_at}


def _detail_out(model: StockFlowModel) -> dict:
    return {**_model_out(model), "bindings": model.bindings,
            "constants": [{"name": slider.name, "value": slider.value, "model_value": slider.model_value,
                           "low": slider.low, "high": slider.high, "units": slider.units,
                           "bound_to": slider.bound_to} for slider in services.sliders(model)]}


def _team(team_id):
    return team_ref(team_id, field="team_id", current=True) if team_id else None


@router.get("/models", response=list[StockFlowModelOut], summary="Stock-and-flow models")
@paginate(Pagination)
def list_models(request):
    permissions.require(permissions.can_view(request.user), "Sign in to see models.")
    return Shown(StockFlowModel.objects.defer("content").order_by("name", "pk"), _model_out)


@router.post("/models", response={201: StockFlowModelDetailOut, **errors(403)},
             summary="Add a model from a Vensim (.mdl) or XMILE file's text (checked before anything runs)")
def create_model(request, payload: StockFlowModelIn):
    model = services.upload_model(request.user, name=payload.name, description=payload.description,
                                  team=_team(payload.team_id), file_name=payload.file_name, content=payload.content)
    return Status(201, _detail_out(model))


@router.post("/models/from-diagram", response={201: FromDiagramOut, **errors(403)},
             summary="Make a stock-and-flow skeleton model from a causal loop diagram's variables and links")
def create_from_diagram(request, payload: FromDiagramIn):
    model, skeleton = services.create_model_from_diagram(
        request.user, name=payload.name, description=payload.description, team=_team(payload.team_id),
        variables=payload.variables, links=[link.dict() for link in payload.links], start=payload.start,
        stop=payload.stop, dt=payload.dt)
    return Status(201, {"model": _detail_out(model), "skeleton": skeleton})


@router.get("/models/{model_id}", response=StockFlowModelDetailOut, summary="One model with its constants")
def get_model(request, model_id: Id):
    return _detail_out(_model(request, model_id))


@router.patch("/models/{model_id}", response={200: StockFlowModelDetailOut, **errors(403)},
              summary="Change a model's name, description, owning team or bindings")
def update_model(request, model_id: Id, payload: StockFlowModelPatchIn):
    given = payload.model_fields_set
    changes = {field: getattr(payload, field) for field in ("name", "description", "bindings")
               if field in given and getattr(payload, field) is not None}
    if "team_id" in given:
        changes["team"] = _team(payload.team_id)
    return _detail_out(stockflow_edit.update_model(request.user, _model(request, model_id), **changes))


@router.delete("/models/{model_id}", response={204: None, **errors(403)}, summary="Delete a model")
def delete_model(request, model_id: Id):
    services.delete_model(request.user, _model(request, model_id))
    return Status(204, None)


@router.post("/models/{model_id}/run", response=TableOut, summary="Run a model with constants changed")
def run_model(request, model_id: Id, payload: RunIn):
    table = services.run(_model(request, model_id), payload.params, payload.columns)
    return table.to_json_data()


@router.get("/models/{model_id}/scenarios", response=list[ScenarioOut], summary="A model's saved scenarios")
@paginate(Pagination)
def list_scenarios(request, model_id: Id):
    return _model(request, model_id).scenarios.order_by("name", "pk")


@router.post("/models/{model_id}/scenarios", response={201: ScenarioOut}, summary="Save a named scenario")
def create_scenario(request, model_id: Id, payload: ScenarioIn):
    return Status(201, services.save_scenario(request.user, _model(request, model_id), name=payload.name,
                                              params=payload.params, note=payload.note))


@router.delete("/models/{model_id}/scenarios/{scenario_id}", response={204: None, **errors(403)},
               summary="Delete a scenario (its author, or those who may change the model)")
def delete_scenario(request, model_id: Id, scenario_id: Id):
    scenario = Scenario.objects.filter(pk=scenario_id, model=_model(request, model_id)).first()
    if scenario is None:
        raise Http404
    services.delete_scenario(request.user, scenario)
    return Status(204, None)


@router.get("/models/{model_id}/compare", response=StockFlowComparisonOut,
            summary="One variable over time under the baseline and each scenario")
def compare_scenarios(request, model_id: Id, scenario: Annotated[list[Id], Query()] = (),
                      variable: str | None = None):
    model = _model(request, model_id)
    chosen = list(Scenario.objects.filter(model=model, pk__in=scenario or []).order_by("name", "pk"))
    if scenario and len(chosen) != len(set(scenario)):
        raise Http404
    comparison = services.compare(model, chosen, variable)
    return {"variable": comparison.variable, "time": comparison.time, "series": comparison.series}


def _intervention_out(row: ScenarioIntervention, target) -> dict:
    return {"id": row.pk, "kind": row.kind, "scenario_id": row.scenario_id, "scenario_name": row.scenario_name,
            "params": row.params, "variable": row.variable, "hypothesis": row.hypothesis,
            "target_type": row.target_type, "target_id": row.target_id,
            "target_url": target.url if target else None, "created_at": row.created_at}


@router.post("/models/{model_id}/scenarios/{scenario_id}/interventions",
             response={201: StockFlowInterventionOut, **errors(403)},
             summary="Turn a scenario into a draft experiment (hypothesis from the simulation) or an action")
def create_intervention(request, model_id: Id, scenario_id: Id, payload: StockFlowInterventionIn):
    scenario = Scenario.objects.select_related("model__team").filter(pk=scenario_id,
                                                                    model=_model(request, model_id)).first()
    if scenario is None:
        raise Http404
    row = interventions.create_intervention(by=request.user, scenario=scenario, kind=payload.kind,
                                            variable=payload.variable, team=_team(payload.team_id),
                                            title=payload.title)
    return Status(201, _intervention_out(*interventions.with_targets(request.user, [row])[0]))


@router.get("/models/{model_id}/interventions", response=list[StockFlowInterventionOut],
            summary="What the model's scenarios became (experiments and actions)")
@paginate(Pagination)
def list_interventions(request, model_id: Id):
    rows = interventions.intervention_rows(_model(request, model_id))
    return Shown(rows, each_page=lambda page: [_intervention_out(row, target) for row, target in
                                               interventions.with_targets(request.user, page)])


def _job_out(job: SensitivityRun) -> dict:
    return {"id": str(job.pk), "status": job.status, "runs": job.runs, "done": job.done, "sampling": job.sampling,
            "seed": job.seed, "ranges": job.ranges, "error": job.error, "result": job.result}


@router.post("/models/{model_id}/sensitivity", response={202: SensitivityOut, **errors(403)},
             summary="Queue Monte Carlo sensitivity runs over constant ranges")
def start_sensitivity(request, model_id: Id, payload: SensitivityIn):
    job = services.start_sensitivity(request.user, _model(request, model_id), ranges=payload.ranges,
                                     runs=payload.runs, seed=payload.seed, sampling=payload.sampling,
                                     params=payload.params)
    return Status(202, _job_out(job))


def _run(request, model_id: int, run_id: str) -> SensitivityRun:
    model = _model(request, model_id)
    try:
        key = uuid.UUID(run_id)
    except ValueError:  # not a run id: the same answer as an unknown one
        raise Http404 from None
    job = SensitivityRun.objects.select_related("model").filter(pk=key, model=model).first()
    if job is None:
        raise Http404
    return job


@router.get("/models/{model_id}/sensitivity/{run_id}", response=SensitivityOut,
            summary="A sensitivity run's progress, and its percentile bands when done")
def get_sensitivity(request, model_id: Id, run_id: str):
    return _job_out(_run(request, model_id, run_id))


@router.post("/models/{model_id}/sensitivity/{run_id}/cancel", response={200: SensitivityOut, **errors(403)},
             summary="Cancel queued or running sensitivity runs (a running one stops at its next progress "
                     "report; no bands are kept)")
def cancel_sensitivity(request, model_id: Id, run_id: str):
    return _job_out(services.cancel_sensitivity(request.user, _run(request, model_id, run_id)))
