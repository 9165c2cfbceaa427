"""Closing an action queues one debounced refresh of the bound key results (no cron needed); a
burst of writes queues one; nothing is queued while no key result is bound; the queued task
moves the key result."""

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from learnloop.actions import services as actions
from learnloop.actions.models import Action
from learnloop.strategy import refresh_signals, services
from learnloop.strategy.tasks import refresh_key_results


def _waiting():
    return list(DBTaskResult.objects.filter(task_path=refresh_key_results.module_path,
                                            status=TaskResultStatus.READY))


def _commit_the_fixture():
    """The test runs in one transaction that never commits: run the commit hooks the fixture's
    writes registered, as their commit would have."""
    from django.db import connection

    for _, callback, _ in list(connection.run_on_commit):
        callback()


def test_closing_an_action_queues_one_debounced_refresh(org, django_capture_on_commit_callbacks):
    _commit_the_fixture()
    # Nothing bound yet: closing an action queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_action(by=org.facilitator, action=org.open_action, effect="worked")
    assert _waiting() == []
    with django_capture_on_commit_callbacks(execute=True):
        actions.reopen_action(by=org.facilitator, action=org.open_action)

    objective = services.create_objective(by=org.facilitator, title="Follow through", team=org.crew,
                                          starts_on=org.today, ends_on=org.today + timedelta(days=30))
    key_result = services.add_key_result(by=org.facilitator, objective=objective, title="Completion",
                                         target=0.9, metric_key="completion_rate")
    assert key_result.values.get().value == 2 / 3  # the fixture: done 2 of (2 done + 1 not doing)

    # The open action becomes due (yesterday) and is closed: one refresh waits a minute.
    Action.objects.filter(pk=org.open_action.pk).update(due_on=org.today - timedelta(days=1))
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.complete_action(by=org.facilitator, action=Action.objects.get(pk=org.open_action.pk),
                                effect="worked")
    # One per transaction, however many rows it saved (the action and its events).
    assert len([callback for callback in callbacks if "data_changed" in callback.__qualname__]) == 1
    waiting = _waiting()
    assert len(waiting) == 1
    assert waiting[0].run_after >= before + timedelta(seconds=refresh_signals.REFRESH_DELAY_SECONDS)

    # More writes while it waits: still one.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = Action.objects.create(title="Another", team=org.crew, created_by=org.facilitator,
                                       due_on=org.today + timedelta(days=3))
    assert len([callback for callback in callbacks if "data_changed" in callback.__qualname__]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_action(by=org.facilitator, action=second, effect="worked")
    assert len(_waiting()) == 1

    # The worker runs it: the key result moved without anyone asking for it.
    refresh_key_results.call()
    key_result.refresh_from_db()
    assert key_result.values.get(on=org.today).value == 4 / 5
    # Once it has run (no longer waiting), the next write queues a new one.
    DBTaskResult.objects.filter(pk=waiting[0].pk).update(status=TaskResultStatus.SUCCESSFUL)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reopen_action(by=org.facilitator, action=second)
    assert len(_waiting()) == 1


def test_a_rolled_back_write_queues_nothing(org, django_capture_on_commit_callbacks):
    from django.db import transaction

    _commit_the_fixture()
    objective = services.create_objective(by=org.facilitator, title="Goal", team=org.crew,
                                          starts_on=org.today, ends_on=org.today)
    services.add_key_result(by=org.facilitator, objective=objective, title="KR", target=1,
                            metric_key="completion_rate")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                actions.complete_action(by=org.facilitator, action=org.open_action, effect="worked")
                raise RuntimeError("undo")
        except RuntimeError:
            pass
    assert _waiting() == []
