"""Harbourline's stock-and-flow demo: knowledge decay (lessons written vs going stale), with its
starting values bound to the knowledge base's live numbers and two saved scenarios. The model
file is demo_data/knowledge_decay.mdl; everything goes through the services."""

from pathlib import Path

from learnloop.org.models import OrgRole, Person
from learnloop.systems import stockflow_services as services

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
        bindings=BINDINGS,
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
    context.extra["systems_models"] = {"models": 1, "scenarios": 2}
