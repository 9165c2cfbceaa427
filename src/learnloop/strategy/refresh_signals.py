"""Bound key results follow the data without cron: a write that can move a catalogue metric (an
action saved — closed, reopened, its effectiveness check answered —, a session, a lesson or its
reuse, an experiment, a skill rating or need) asks for one refresh of every bound key result,
queued when its transaction commits and run by `learnloop worker` a little later.

Debounced: the task runs REFRESH_DELAY_SECONDS after the first write, and while a refresh is
still waiting in the queue no other is queued, so a burst of writes (a retro closing twenty
actions, an import) costs one refresh. Nothing is queued while no key result is bound."""

from datetime import timedelta

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

REFRESH_DELAY_SECONDS = 60
_PENDING = "_learnloop_key_result_refresh"


def queue_refresh() -> bool:
    """Queue one refresh unless one is already waiting or nothing is bound; True when queued."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from learnloop.strategy.models import KeyResult, KeyResultKind
    from learnloop.strategy.tasks import refresh_key_results

    if not KeyResult.objects.filter(kind=KeyResultKind.METRIC).exists():
        return False
    if DBTaskResult.objects.filter(task_path=refresh_key_results.module_path,
                                   status=TaskResultStatus.READY).exists():
        return False
    refresh_key_results.using(run_after=timezone.now() + timedelta(seconds=REFRESH_DELAY_SECONDS)).enqueue()
    return True


def data_changed(sender, **kwargs) -> None:
    """Once per transaction, on commit (a rolled-back write asks for nothing): a callback is
    registered unless this transaction's list of commit hooks holds ours already."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        registered = getattr(connection, _PENDING, None)
        if registered is not None and any(entry[1] is registered for entry in connection.run_on_commit):
            return

    def on_commit() -> None:
        if getattr(connection, _PENDING, None) is on_commit:
            setattr(connection, _PENDING, None)  # ran: the next write registers again
        queue_refresh()

    setattr(connection, _PENDING, on_commit)
    transaction.on_commit(on_commit)


def connect() -> None:
    from learnloop.actions.models import Action
    from learnloop.experiments.models import Experiment
    from learnloop.growth.models import Rating, TeamSkillNeed
    from learnloop.knowledge.models import Application, Entry
    from learnloop.reflection.models import Participant, Session

    for model in (Action, Session, Participant, Entry, Application, Experiment, Rating, TeamSkillNeed):
        post_save.connect(data_changed, sender=model, dispatch_uid=f"strategy-refresh-{model.__name__}")
