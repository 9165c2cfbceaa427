"""Stock-and-flow models: upload (validated and checked for safety), run with changed constants,
named scenarios compared side by side, queued sensitivity runs, and a model made from a causal
loop diagram's skeleton. Pages and the API call these; the simulation itself is
learnloop.analytics.systems (PySD)."""

import math
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.analytics.systems.graph import CausalModel, ModelError
from learnloop.analytics.systems.model_safety import check_xml_declarations
from learnloop.analytics.systems.simulation import (
    VENSIM_SUFFIXES,
    XMILE_SUFFIXES,
    SimulationError,
    SimulationTable,
    simulate,
)
from learnloop.analytics.systems.skeleton import stock_and_flow_skeleton
from learnloop.systems import stockflow_permissions as permissions
from learnloop.systems.stockflow_bindings import LIVE_NUMBERS, live_values
from learnloop.systems.stockflow_files import model_path
from learnloop.systems.stockflow_models import (
    ModelFormat,
    RunStatus,
    Sampling,
    Scenario,
    SensitivityRun,
    StockFlowModel,
    TranslationState,
)
from learnloop.systems.stockflow_tasks import compute_sensitivity_task, translate_model_task
from learnloop.systems.stockflow_translation import translate_model

MAX_UPLOAD_BYTES = 2_000_000
MAX_CHART_COLUMNS = 12  # variables a run returns and draws (stocks first)
MAX_SENSITIVITY_RUNS = 1_000
MAX_SCENARIOS_COMPARED = 6
MAX_DIAGRAM_VARIABLES = 200
MAX_DIAGRAM_LINKS = 1_000


def _format_of(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix in VENSIM_SUFFIXES:
        return ModelFormat.VENSIM
    if suffix in XMILE_SUFFIXES:
        return ModelFormat.XMILE
    raise ValidationError({"file": f"{file_name or 'The file'}: a model file ends in .mdl (Vensim) or "
                                   ".xmile, .xml, .stmx (XMILE)."})


def _text_of(content: bytes | str) -> str:
    if isinstance(content, str):
        content = content.encode("utf-8")
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB."})
    if not content.strip():
        raise ValidationError({"file": gettext("The file is empty.")})
    if b"\x00" in content:
        raise ValidationError({"file": gettext("This is not a text file (Vensim .mdl and XMILE files are text).")})
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")  # older Vensim files without {UTF-8}


def _clean_name(name: str, field: str = "name", limit: int = 200) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({field: "Give a name."})
    if len(name) > limit:
        raise ValidationError({field: f"At most {limit} characters."})
    return name


def upload_model(by, *, name: str, team, file_name: str, content: bytes | str, description: str = "",
                 bindings: dict | None = None, translate_now: bool = False) -> StockFlowModel:
    """Store a checked upload as "translating" and queue its translation (the worker translates
    it in a limited child process: stockflow_translation). `translate_now` translates it here,
    under the same limits, for the demo and for operators' scripts."""
    permissions.require(permissions.can_upload(by, team),
                        "Only the team's members, learning leads and admins can add a model here.")
    model = StockFlowModel(name=_clean_name(name), description=(description or "").strip(), team=team, owner=by,
                           format=_format_of(file_name), file_name=Path(file_name).name[:200],
                           state=TranslationState.TRANSLATING)
    model.set_content(_text_of(content))
    if model.format == ModelFormat.XMILE:
        _check_xml(model)
    model.bindings = _clean_bindings(bindings or {})
    model.save()
    if translate_now:
        translate_model(model.pk)
        model.refresh_from_db()
    else:
        transaction.on_commit(lambda: translate_model_task.enqueue(model.pk))
    return model


def _check_xml(model: StockFlowModel) -> None:
    """XML with entity or DTD declarations is refused at once (cheap; the rest waits for the worker)."""
    try:
        check_xml_declarations(model.content.encode("utf-8"), file_name=model.file_name)
    except SimulationError as error:
        raise ValidationError({"file": str(error)}) from None


def _clean_bindings(bindings: dict) -> dict:
    """Known live numbers; that each bound constant exists is checked once the model is translated."""
    for key in bindings.values():
        if key not in LIVE_NUMBERS:
            raise ValidationError({"bindings": gettext("%(key)s: not a live number (%(known)s).")
                                              % {"key": key, "known": ", ".join(LIVE_NUMBERS)}})
    return dict(bindings)


def require_ready(model: StockFlowModel) -> None:
    if model.state == TranslationState.TRANSLATING:
        raise ValidationError({"model": gettext("The model is still being translated; it runs once it is ready.")})
    if model.state == TranslationState.FAILED:
        raise ValidationError({"model": gettext("The model could not be translated: %(error)s")
                                         % {"error": model.state_error}})


def delete_model(by, model: StockFlowModel) -> None:
    permissions.require(permissions.can_change(by, model), "Only those who may change this model can delete it.")
    model.delete()


# --- constants, runs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Slider:
    name: str
    value: float  # the value a run starts from: the live number when bound, else the model's
    model_value: float
    low: float
    high: float
    step: float
    units: str
    documentation: str
    bound_to: str  # the live number's label, or ""


def _step(low: float, high: float) -> float:
    span = high - low
    if span <= 0:
        return 1.0
    return 10 ** math.floor(math.log10(span / 100))


def sliders(model: StockFlowModel) -> list[Slider]:
    live = live_values(model.team, set(model.bindings.values())) if model.bindings else {}
    found = []
    for constant in model.outline.get("constants", []):
        key = model.bindings.get(constant["name"])
        value = live.get(key) if key else None
        start = constant["value"] if value is None else value
        low, high = constant["low"], constant["high"]
        if value is not None:
            low, high = min(low, start - abs(start) / 2), max(high, start + abs(start) / 2, start + 1)
        found.append(Slider(constant["name"], start, constant["value"], low, high, _step(low, high),
                            constant.get("units", ""), constant.get("documentation", ""),
                            str(LIVE_NUMBERS[key].label) if key else ""))
    return found


def default_params(model: StockFlowModel) -> dict[str, float]:
    return {slider.name: slider.value for slider in sliders(model)}


def clean_params(model: StockFlowModel, params: dict, field: str = "params") -> dict[str, float]:
    """Only the model's constants, as finite numbers (ValidationError naming the first problem)."""
    names = {constant["name"] for constant in model.outline.get("constants", [])}
    cleaned = {}
    for name, value in (params or {}).items():
        if name not in names:
            raise ValidationError({field: f"{name}: the model has no constant of that name "
                                          "(time settings cannot be changed here)."})
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationError({field: f"{name}: {value!r} is not a number."}) from None
        if not math.isfinite(number):
            raise ValidationError({field: f"{name}: the value must be a finite number."})
        cleaned[name] = number
    return cleaned


def chart_columns(model: StockFlowModel) -> list[str]:
    found = model.outline.get("stocks", []) + model.outline.get("variables", [])
    return found[:MAX_CHART_COLUMNS]


def run(model: StockFlowModel, params: dict | None = None, columns: list[str] | None = None) -> SimulationTable:
    """One run from the starting values (live numbers where bound) with `params` changed."""
    chosen = chart_columns(model)
    if columns:
        unknown = [column for column in columns if column not in model.outline.get("stocks", [])
                   + model.outline.get("variables", []) + [c["name"] for c in model.outline.get("constants", [])]]
        if unknown:
            raise ValidationError({"columns": f"{unknown[0]}: the model has no variable of that name."})
        chosen = list(columns)
    require_ready(model)
    values = {**default_params(model), **clean_params(model, params or {})}
    if not chosen:
        raise ValidationError({"columns": gettext("The model has no variable that changes over time.")})
    try:
        return simulate(model_path(model), params=values, return_columns=chosen, untrusted=True)
    except SimulationError as error:
        raise ValidationError({"params": str(error)}) from None


# --- scenarios ----------------------------------------------------------------------------------


def save_scenario(by, model: StockFlowModel, *, name: str, params: dict, note: str = "") -> Scenario:
    permissions.require(permissions.can_view(by, model), "Sign in to save a scenario.")
    require_ready(model)
    scenario = Scenario(model=model, name=_clean_name(name, limit=120), params=clean_params(model, params),
                        note=(note or "").strip(), author=by)
    try:
        with transaction.atomic():
            scenario.save()
    except IntegrityError:
        raise ValidationError({"name": f"This model already has a scenario called {scenario.name!r}."}) from None
    return scenario


def delete_scenario(by, scenario: Scenario) -> None:
    permissions.require(permissions.can_delete_scenario(by, scenario, scenario.model),
                        "Only its author and those who may change the model can delete a scenario.")
    scenario.delete()


@dataclass(frozen=True)
class Comparison:
    variable: str
    variables: list[str]
    time: list[float]
    series: list[dict]  # {"name", "params", "values"}

    def to_csv(self) -> str:
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["TIME", *[serie["name"] for serie in self.series]])
        for index, moment in enumerate(self.time):
            writer.writerow([_number(moment), *[_number(serie["values"][index]) for serie in self.series]])
        return out.getvalue()


def _number(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def compare(model: StockFlowModel, scenarios: list[Scenario], variable: str | None = None,
            *, with_baseline: bool = True) -> Comparison:
    """One variable over time under each scenario (and the baseline: the starting values)."""
    variables = chart_columns(model)
    if not variables:
        raise ValidationError({"variable": gettext("The model has no variable that changes over time.")})
    variable = variable or variables[0]
    if variable not in variables:
        raise ValidationError({"variable": f"{variable}: not one of the model's charted variables."})
    if len(scenarios) > MAX_SCENARIOS_COMPARED:
        raise ValidationError({"scenarios": f"Compare at most {MAX_SCENARIOS_COMPARED} scenarios at once."})
    cases = ([("Baseline", {})] if with_baseline else []) + [(scenario.name, scenario.params) for scenario in scenarios]
    series, times = [], []
    for name, params in cases:
        table = run(model, params, [variable])
        times = table.column("TIME")
        series.append({"name": name, "params": params,
                       "values": [value if math.isfinite(value) else None for value in table.column(variable)]})
    return Comparison(variable=variable, variables=variables, time=times, series=series)


# --- sensitivity --------------------------------------------------------------------------------


def clean_ranges(model: StockFlowModel, ranges: dict) -> dict[str, list[float]]:
    if not ranges:
        raise ValidationError({"ranges": gettext("Vary at least one constant.")})
    names = {constant["name"] for constant in model.outline.get("constants", [])}
    cleaned = {}
    for name, pair in ranges.items():
        if name not in names:
            raise ValidationError({"ranges": f"{name}: the model has no constant of that name."})
        try:
            low, high = (float(value) for value in pair)
        except (TypeError, ValueError):
            raise ValidationError({"ranges": f"{name}: give [low, high] as two numbers."}) from None
        if not (math.isfinite(low) and math.isfinite(high) and low <= high):
            raise ValidationError({"ranges": f"{name}: need finite numbers with low <= high."})
        cleaned[name] = [low, high]
    return cleaned


def start_sensitivity(by, model: StockFlowModel, *, ranges: dict, runs: int = 200, seed: int = 0,
                      sampling: str = Sampling.LATIN_HYPERCUBE, params: dict | None = None) -> SensitivityRun:
    """Queue Monte Carlo runs; the worker fills in progress and the bands (compute_sensitivity)."""
    permissions.require(permissions.can_change(by, model),
                        "Only those who may change this model can queue sensitivity runs.")
    require_ready(model)
    if not 2 <= runs <= MAX_SENSITIVITY_RUNS:
        raise ValidationError({"runs": f"Between 2 and {MAX_SENSITIVITY_RUNS:,} runs."})
    if sampling not in Sampling.values:
        raise ValidationError({"sampling": f"One of {', '.join(Sampling.values)}."})
    if not 0 <= seed <= 2**31 - 1:
        raise ValidationError({"seed": gettext("A whole number from 0.")})
    cleaned = clean_ranges(model, ranges)
    fixed = {**default_params(model), **clean_params(model, params or {})}
    fixed = {name: value for name, value in fixed.items() if name not in cleaned}
    job = SensitivityRun.objects.create(model=model, requested_by=by, ranges=cleaned, params=fixed,
                                        columns=chart_columns(model), runs=runs, seed=seed, sampling=sampling)
    transaction.on_commit(lambda: compute_sensitivity_task.enqueue(str(job.pk)))
    return job


def may_cancel(by, job: SensitivityRun) -> bool:
    return permissions.can_view(by) and (by.pk == job.requested_by_id or permissions.can_change(by, job.model))


def cancel_sensitivity(by, job: SensitivityRun) -> SensitivityRun:
    """Queued or running -> cancelled at once. A running job's worker sees it at its next progress
    report (about every half second) and stops without storing bands (stockflow_compute)."""
    permissions.require(may_cancel(by, job), "Only who queued the runs and those who may change the model can "
                                             "cancel them.")
    cancelled = SensitivityRun.objects.filter(pk=job.pk, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.CANCELLED, finished_at=timezone.now())
    job.refresh_from_db()
    if not cancelled:
        raise ValidationError({"status": gettext("The runs are already %(status)s.")
                                          % {"status": job.get_status_display().lower()}})
    return job


# --- from a causal loop diagram -----------------------------------------------------------------


def _file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:60] or "skeleton"


def create_model_from_diagram(by, *, name: str, team, variables: list[str], links: list[dict],
                              description: str = "", start: float = 0, stop: float = 100,
                              dt: float = 1) -> tuple[StockFlowModel, dict]:
    """A stock-and-flow skeleton of a causal loop diagram (analytics' stock_and_flow_skeleton),
    stored as an XMILE model to fill in. `links` are {"source", "target", "polarity": "+"|"-",
    "delay": bool} as the diagram editor sends them. Returns the model and the skeleton (stocks
    with the reason each was chosen, flows, auxiliaries)."""
    permissions.require(permissions.can_upload(by, team),
                        "Only the team's members, learning leads and admins can add a model here.")
    if len(variables) > MAX_DIAGRAM_VARIABLES or len(links) > MAX_DIAGRAM_LINKS:
        raise ValidationError({"variables": f"At most {MAX_DIAGRAM_VARIABLES} variables and "
                                            f"{MAX_DIAGRAM_LINKS:,} links."})
    if not (math.isfinite(start) and math.isfinite(stop) and math.isfinite(dt) and dt > 0 and stop > start):
        raise ValidationError({"dt": gettext("Need a time step above 0 and stop after start.")})
    try:
        diagram = CausalModel.build(list(variables), [dict(link) for link in links])
    except ModelError as error:
        raise ValidationError({"links": str(error)}) from None
    skeleton = stock_and_flow_skeleton(diagram, title=_clean_name(name), start=start, stop=stop, dt=dt)
    model = upload_model(by, name=name, team=team, file_name=f"{_file_stem(name)}.xmile",
                         content=skeleton.xmile,
                         description=description or "A stock-and-flow skeleton made from a causal loop diagram: "
                                                    "every equation is 0 until you fill it in.")
    return model, skeleton.as_dict()
