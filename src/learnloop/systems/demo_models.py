"""Harbourline's stock-and-flow demo: knowledge decay (lessons written vs going stale), with its
starting values bound to the knowledge base's live numbers, two saved scenarios and one finished
sensitivity run. The model file is demo_data/knowledge_decay.mdl; the model and scenarios go
through the services, the sensitivity run is computed in place by the worker's function."""

from pathlib import Path

from learnloop.org.models import OrgRole, Person
from learnloop.systems import stockflow_services as services
from learnloop.systems.stockflow_compute import compute_sensitivity
from learnloop.systems.stockflow_models import Sampling, Scenario, SensitivityRun, StockFlowModel

MODEL_FILE = Path(__file__).parent / "demo_data" / "knowledge_decay.mdl"
MODEL_NAME = "Knowledge decay"
BINDINGS = {
    "lessons written per month": "knowledge.lessons_written_per_month",
    "initial fresh lessons": "knowledge.fresh_lessons",
    "initial stale lessons": "knowledge.stale_lessons",
}


def build(context) -> None:
    lead = Person.objects.filter(role=OrgRole.LEARNING_LEAD, is_active=True).order_by("pk").first()
    if lead is None:
        return
    model = services.upload_model(
        lead, name=MODEL_NAME, team=None, file_name=MODEL_FILE.name, content=MODEL_FILE.read_bytes(),
        bindings=BINDINGS, translate_now=True,  # the demo needs no worker: translated here, under the same limits
        description="Lessons are written, go stale past their review date, and are reviewed or retired. "
                    "Starts from today's knowledge base: lessons written per month over the last year, "
                    "and today's fresh and stale lessons.")
    start = services.default_params(model)
    services.save_scenario(lead, model, name="Monthly review hour", params={
        "share of stale lessons reviewed per month": 0.25},
        note="Every team spends an hour a month reviewing its stale lessons.")
    services.save_scenario(lead, model, name="A lesson from every postmortem", params={
        "lessons written per month": round(max(start["lessons written per month"], 1) * 1.5, 2)},
        note="Half as many lessons again, with no more reviewing.")
    _sensitivity(lead, model, start, context)
    # Dates from the demo clock, as every demo row's: the model a fortnight old, the scenarios newer.
    clock = getattr(context, "clock", None)
    if clock is not None:
        StockFlowModel.objects.filter(pk=model.pk).update(created_at=clock.days_ago(14), updated_at=clock.days_ago(14))
        for age, scenario in zip((9, 3), model.scenarios.order_by("pk"), strict=True):
            Scenario.objects.filter(pk=scenario.pk).update(created_at=clock.days_ago(age))
        SensitivityRun.objects.filter(model=model).update(created_at=clock.days_ago(2), finished_at=clock.days_ago(2))
    context.extra["systems_models"] = {"models": 1, "scenarios": 2}


def _sensitivity(lead, model, start: dict, context) -> None:
    """One finished sensitivity run, computed here as the worker would (the demo needs no worker)."""
    ranges = {"share of stale lessons reviewed per month": [0.02, 0.3], "months until a lesson goes stale": [5, 13]}
    job = SensitivityRun.objects.create(
        model=model, requested_by=lead, ranges=ranges, runs=100, seed=getattr(context, "seed", 0),
        sampling=Sampling.LATIN_HYPERCUBE, columns=services.chart_columns(model),
        params={name: value for name, value in start.items() if name not in ranges})
    compute_sensitivity(job.pk)
