"""`learnloop worker`: run the background task queue (reminders, digests) from the database.

A thin wrapper around django_tasks_db's worker with production-minded defaults: no autoreload,
all queues. `--batch` processes what is queued and exits (handy from cron right after
`learnloop actions remind`); every other option of `db_worker` is accepted too.
"""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Run the background worker: send queued reminders and digests (Ctrl+C to stop)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False, queue_name="*")
