"""The worker's part of an upload: translate the stored model in a limited child process
(analytics translate_child: wall-clock timeout, memory limit), then mark it ready with its outline
or failed with the reason. Requests never translate an upload themselves."""

from django.conf import settings
from django.utils import timezone

from learnloop.analytics.systems.errors import SimulationError
from learnloop.analytics.systems.translate_child import outline_in_child
from learnloop.systems.stockflow_bindings import LIVE_NUMBERS
from learnloop.systems.stockflow_files import model_path
from learnloop.systems.stockflow_models import StockFlowModel, TranslationState


def _message(model: StockFlowModel, error: Exception) -> str:
    return str(error).replace(f"model{model.suffix}", model.file_name)


def _binding_problem(outline: dict, bindings: dict) -> str:
    constants = {constant["name"] for constant in outline.get("constants", [])}
    for constant, key in bindings.items():
        if constant not in constants:
            return f"Bound constant {constant}: the model has no constant of that name."
        if key not in LIVE_NUMBERS:
            return f"{key}: not a live number."
    return ""


def translate_model(model_id) -> str:
    """Translate a model waiting for it; returns its state afterwards ("gone" when deleted)."""
    model = StockFlowModel.objects.filter(pk=model_id).first()
    if model is None:
        return "gone"
    if model.state != TranslationState.TRANSLATING:
        return model.state
    try:
        outline = outline_in_child(model_path(model), timeout=settings.SYSTEMS_TRANSLATE_SECONDS,
                                   memory_mb=settings.SYSTEMS_TRANSLATE_MEMORY_MB, untrusted=True)
    except SimulationError as error:
        problem = _message(model, error)
    else:
        problem = _binding_problem(outline, model.bindings)
    # Only the content that was translated is marked (the row may have gone or changed meanwhile).
    rows = StockFlowModel.objects.filter(pk=model.pk, content_sha256=model.content_sha256,
                                         state=TranslationState.TRANSLATING)
    if problem:
        rows.update(state=TranslationState.FAILED, state_error=problem, updated_at=timezone.now())
        return TranslationState.FAILED
    rows.update(state=TranslationState.READY, state_error="", outline=outline, updated_at=timezone.now())
    return TranslationState.READY
