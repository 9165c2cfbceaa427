"""`learnloop tasks list|retry|purge`: look at and repair the background task queue."""

import json
import uuid
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from learnloop.ops import taskqueue

STATE_CHOICES = [*taskqueue.STATES, "all"]


class Command(BaseCommand):
    help = "List queued, running and dead-lettered tasks; retry dead ones; purge finished ones."
    # Checks import every URL and view: seconds per start, and nothing this command uses.
    requires_system_checks = []

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        listing = verbs.add_parser("list", help="tasks that are ready, running or dead (newest first)")
        listing.add_argument("--state", action="append", choices=STATE_CHOICES,
                             help="only these states (repeatable; default: ready, running, dead)")
        listing.add_argument("--limit", type=int, default=100, help="at most this many (default 100; 0 = all)")
        listing.add_argument("--json", action="store_true", help="one JSON list instead of a table")
        retry = verbs.add_parser("retry", help="queue dead-lettered tasks again with fresh attempts")
        retry.add_argument("ids", nargs="*", help="task ids (from `tasks list`)")
        retry.add_argument("--all-dead", action="store_true", help="every dead-lettered task")
        purge = verbs.add_parser("purge", help="delete finished tasks")
        purge.add_argument("--dead", action="store_true", help="dead-lettered tasks too (default: done only)")
        purge.add_argument("--days", type=int, default=7, help="finished more than this many days ago (default 7)")

    def handle(self, *, verb, **options):
        getattr(self, f"_{verb}")(**options)

    def _list(self, *, state, limit, json: bool, **_):
        states = tuple(taskqueue.STATES) if state and "all" in state else tuple(state or ("ready", "running", "dead"))
        rows = taskqueue.list_tasks(states=states, limit=limit or None)
        if json:
            self.stdout.write(_json_dumps([row.as_json() for row in rows]))
            return
        if not rows:
            self.stdout.write(f"No {', '.join(states)} tasks.")
            return
        for row in rows:
            when = row.lease_expires_at if row.state == "running" else row.run_after
            extra = f" until {when:%Y-%m-%d %H:%M:%S}" if when else ""
            self.stdout.write(
                f"{row.id}  {row.state:<7} {row.task:<24} attempts {row.attempts}{extra}"
                + (f"  worker {row.worker}" if row.state == "running" else "")
                + (f"\n    {row.reason}" if row.reason else "")
            )

    def _retry(self, *, ids, all_dead, **_):
        if bool(ids) == bool(all_dead):
            raise CommandError("give task ids, or --all-dead")
        try:
            ids = [str(uuid.UUID(task_id)) for task_id in ids]
        except ValueError as error:
            raise CommandError(f"not a task id: {error}") from error
        count = taskqueue.retry_dead(None if all_dead else ids)
        if ids and count < len(ids):
            self.stderr.write(f"{len(ids) - count} of the ids are not dead-lettered tasks; left alone.")
        self.stdout.write(f"Queued {count} dead-lettered task(s) again.")

    def _purge(self, *, dead, days, **_):
        if days < 0:
            raise CommandError("--days must be 0 or more")
        states = ("done", "dead") if dead else ("done",)
        count = taskqueue.purge(states=states, older_than=timedelta(days=days))
        self.stdout.write(f"Deleted {count} finished task(s).")


def _json_dumps(value) -> str:
    return json.dumps(value, indent=2)
