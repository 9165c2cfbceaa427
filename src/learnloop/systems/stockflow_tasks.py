"""Background jobs for stock-and-flow models, run by `learnloop worker` from the database queue."""

from django.tasks import task


@task
def compute_sensitivity_task(run_id: str) -> str:
    from learnloop.systems.stockflow_services import compute_sensitivity

    return compute_sensitivity(run_id)
