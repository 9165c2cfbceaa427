"""Tasks for the queue tests: one that always fails, one that succeeds."""

from django.tasks import task


@task
def always_fails() -> None:
    raise RuntimeError("mail server said no")


@task
def succeeds() -> str:
    return "ok"
