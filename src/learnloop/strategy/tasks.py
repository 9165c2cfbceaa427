"""Background jobs, run by `learnloop worker` from the database queue (django.tasks)."""

from datetime import date

from django.tasks import task

from learnloop.strategy import services


@task
def refresh_key_results(today: str | None = None) -> int:
    """Read every bound key result from the metrics catalogue and keep the day's value."""
    return services.refresh_all(today=date.fromisoformat(today) if today else None)
