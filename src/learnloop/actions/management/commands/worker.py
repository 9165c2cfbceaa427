"""`learnloop worker`: run the background task queue (reminders, digests, survey emails).

Tasks come from the database queue (django_tasks_db); the loop in learnloop.ops.worker adds
leases, retries with backoff, a dead-letter state and a graceful stop on SIGTERM. `--batch`
processes what is ready and exits (handy from cron right after `learnloop actions remind`).
"""

import logging
import random
import signal
import time

from django.core.management.base import BaseCommand

from learnloop.ops.worker import Worker, default_worker_id, logger


class Command(BaseCommand):
    help = "Run the background worker: send queued reminders, digests and survey emails (Ctrl+C to stop)."
    # Checks import every URL and view: seconds per start, and nothing this command uses.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run the tasks that are ready, then exit.")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds to wait when the queue is empty (default 1).")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many tasks.")
        parser.add_argument("--queue-name", default="*", help="Queues to run, comma-separated (default: all).")
        parser.add_argument("--backend", default="default", dest="backend_name", help="Task backend (default).")
        parser.add_argument("--worker-id", default=None,
                            help="A name unique among running workers (default: host-pid-random).")
        parser.add_argument("--no-startup-delay", action="store_false", dest="startup_delay",
                            help="Start at once instead of after a random pause of up to a second.")

    def handle(self, *, batch, interval, max_tasks, queue_name, backend_name, worker_id, startup_delay,
               verbosity, **options):
        self._configure_logging(verbosity)
        worker = Worker(
            worker_id=(worker_id or default_worker_id())[:64], backend_name=backend_name,
            queue_names=queue_name.split(","), interval=interval, batch=batch, max_tasks=max_tasks,
        )
        previous = {name: signal.getsignal(getattr(signal, name))
                    for name in ("SIGTERM", "SIGINT", "SIGQUIT") if hasattr(signal, name)}
        worker.install_signal_handlers()
        try:
            if startup_delay and not batch:
                time.sleep(random.random())  # noqa: S311 - spread workers started together
            worker.run()
        finally:
            for name, handler in previous.items():
                signal.signal(getattr(signal, name), handler)

    def _configure_logging(self, verbosity: int) -> None:
        logger.setLevel({0: logging.CRITICAL, 1: logging.INFO}.get(verbosity, logging.DEBUG))
        # One handler, writing to this command's output (a new one per run when called in-process).
        for handler in [h for h in logger.handlers if getattr(h, "learnloop_worker", False)]:
            logger.removeHandler(handler)
        handler = logging.StreamHandler(self.stdout)
        handler.learnloop_worker = True
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
