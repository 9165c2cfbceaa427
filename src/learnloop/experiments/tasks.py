"""Background jobs, run by `learnloop worker` from the database queue (django.tasks)."""

from django.tasks import task


@task
def run_warehouse_refresh(refresh_id: int) -> str:
    """One warehouse refresh (warehouse_run.py); safe to run again after a crash."""
    from learnloop.experiments import warehouse_run

    return warehouse_run.run_refresh(refresh_id)
