"""`learnloop strategy refresh`: read every key result bound to a platform metric from the
metrics catalogue and keep the day's value (daily from cron, or `--queue` for the worker)."""

from django.core.management.base import BaseCommand

REFRESH_HELP = "read every key result bound to a metric and keep the day's value [--queue]"


class Command(BaseCommand):
    help = "Strategy: `strategy refresh` reads every key result bound to a platform metric."
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="refresh")
        refresh = actions.add_parser("refresh", help=REFRESH_HELP, description=REFRESH_HELP)
        refresh.add_argument("--queue", action="store_true",
                             help="queue it for `learnloop worker` instead of running it now")

    def handle(self, *args, action, queue=False, **options):
        if queue:
            from learnloop.strategy.tasks import refresh_key_results

            result = refresh_key_results.enqueue()
            self.stdout.write(f"Queued the key-result refresh (task {result.id}).")
            return
        from learnloop.strategy import services

        count = services.refresh_all()
        self.stdout.write(f"Refreshed {count} key result{'s' if count != 1 else ''} bound to a metric.")
