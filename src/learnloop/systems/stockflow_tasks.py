"""Background jobs for stock-and-flow models, run by `learnloop worker` from the database queue."""

from django.tasks import task

from learnloop.systems.stockflow_compute import compute_sensitivity
from learnloop.systems.stockflow_translation import translate_model


@task
def compute_sensitivity_task(run_id: str) -> str:
    return compute_sensitivity(run_id)


@task
def translate_model_task(model_id: int) -> str:
    return translate_model(model_id)
