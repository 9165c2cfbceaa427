"""Background jobs, run by `learnloop worker` from the database queue (django.tasks)."""

from datetime import date

from django.tasks import task

from learnloop.actions import digest, reminders


@task
def send_action_reminder(reminder_id: int) -> bool:
    return reminders.deliver_reminder(reminder_id)


@task
def send_weekly_digest(delivery_id: int, today: str | None = None) -> bool:
    # The day the job ran for: the digest says "overdue" as of that day, even if the worker is late.
    return digest.deliver_digest(delivery_id, today=date.fromisoformat(today) if today else None)
