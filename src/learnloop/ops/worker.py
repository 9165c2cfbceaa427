"""The loop behind `learnloop worker`: claim a task, keep its lease alive, record the outcome.

Stopping: the first SIGTERM or SIGINT lets the current task finish, then the worker exits (at
once when idle). A second one interrupts the task and gives it back to the queue without
counting the attempt. A worker that is killed outright (SIGKILL, power loss) leaves its task
RUNNING with a lease that nobody renews; another worker takes it up once the lease expires.
"""

import logging
import os
import signal
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.utils import is_locked_database_exception

from learnloop.ops import taskqueue

logger = logging.getLogger("learnloop.worker")


class StopNow(BaseException):
    """Raised by the signal handler to leave a sleep, or a task on the second signal."""


def default_worker_id() -> str:
    # Host and pid say where a worker runs when an operator reads `learnloop tasks list`.
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"


class Heartbeat:
    """Renews the lease of the running task every third of the lease, from its own thread."""

    def __init__(self, task_id, worker_id: str):
        self.task_id, self.worker_id = task_id, worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _beat(self):
        period = max(settings.TASK_LEASE_SECONDS / 3, 0.2)
        try:
            while not self._stop.wait(period):
                try:
                    if not taskqueue.renew(self.task_id, worker_id=self.worker_id):
                        logger.warning("Lost the lease of task %s; another worker may run it", self.task_id)
                        return
                except Exception:  # a missed beat is not fatal; the lease has two more
                    logger.exception("Could not renew the lease of task %s", self.task_id)
        finally:
            connection.close()  # this thread's own connection


class Worker:
    def __init__(self, *, worker_id: str, backend_name: str = "default", queue_names=("*",),
                 interval: float = 1.0, batch: bool = False, max_tasks: int | None = None):
        self.worker_id, self.backend_name, self.queue_names = worker_id, backend_name, tuple(queue_names)
        self.interval, self.batch, self.max_tasks = interval, batch, max_tasks
        self.stopping = False
        self.sleeping = False
        self.current = None
        self.done = 0
        self._next_reap = 0.0

    # --- signals --------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        for name in ("SIGTERM", "SIGINT", "SIGQUIT"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), self._on_signal)

    def _on_signal(self, signum, frame) -> None:
        if self.stopping and self.current is not None:
            logger.warning("%s again: giving task %s back to the queue", signal.strsignal(signum), self.current.pk)
            raise StopNow
        self.stopping = True
        if self.current is not None:
            logger.warning("%s: finishing task %s, then stopping", signal.strsignal(signum), self.current.pk)
        elif self.sleeping:
            raise StopNow

    # --- the loop -------------------------------------------------------------------------

    def run(self) -> None:
        logger.info("Worker %s started (lease %ss)", self.worker_id, settings.TASK_LEASE_SECONDS)
        try:
            while not self.stopping:
                close_old_connections()
                self._reap_if_due()
                task = self._claim()
                if task is not None:
                    self._run(task)
                    if self.max_tasks and self.done >= self.max_tasks:
                        break
                    continue
                if self.batch:
                    break
                self._sleep(self.interval)
        except StopNow:
            pass
        logger.info("Worker %s stopped after %d task(s)", self.worker_id, self.done)

    def _sleep(self, seconds: float) -> None:
        self.sleeping = True
        try:
            if not self.stopping:
                time.sleep(seconds)
        finally:
            self.sleeping = False

    def _reap_if_due(self) -> None:
        if time.monotonic() < self._next_reap:
            return
        self._next_reap = time.monotonic() + max(settings.TASK_LEASE_SECONDS / 2, 0.5)
        try:
            requeued, dead = taskqueue.reap_expired()
        except OperationalError as error:
            if is_locked_database_exception(error):
                return
            raise
        if requeued or dead:
            logger.warning("Leases expired: %d task(s) queued again, %d dead-lettered", requeued, dead)

    def _claim(self):
        try:
            return taskqueue.claim_next(
                worker_id=self.worker_id, backend_name=self.backend_name, queue_names=self.queue_names
            )
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None  # SQLite busy: try again on the next turn
            raise

    def _run(self, db_task) -> None:
        self.current = db_task
        try:
            with Heartbeat(db_task.pk, self.worker_id):
                try:
                    task = db_task.task
                    result = db_task.task_result
                    task_started.send(sender=type(task.get_backend()), task_result=result)
                    if task.takes_context:
                        value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
                    else:
                        value = task.call(*result.args, **result.kwargs)
                except Exception as error:
                    dead = taskqueue.fail_attempt(db_task, error)
                    log = logger.error if dead else logger.warning
                    log("Task %s (%s) failed%s: %s", db_task.pk, db_task.task_path,
                        ", dead-lettered" if dead else ", will retry", error)
                    return
                except BaseException:
                    # Stopping now (second signal, interpreter exit): the task goes back as it was.
                    taskqueue.release(db_task)
                    raise
                taskqueue.succeed(db_task, value)
                task_finished.send(sender=type(task.get_backend()), task_result=db_task.task_result)
        finally:
            self.current = None
            self.done += 1
