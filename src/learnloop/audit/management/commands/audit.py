"""`learnloop audit purge-addresses`: blank client addresses older than the retention period.

The server also does this by itself about once an hour while it records events; run it from
cron (daily is plenty) so the promise holds on an instance that sits idle.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from learnloop.audit.services import purge_old_addresses


class Command(BaseCommand):
    help = "The audit log: `audit purge-addresses` blanks client addresses older than the retention period."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="purge-addresses")
        purge = actions.add_parser(
            "purge-addresses",
            help="Blank client addresses of events older than LEARNLOOP_AUDIT_ADDRESS_RETENTION_DAYS.",
        )
        purge.add_argument(
            "--days", type=int, default=None, help="Keep this many days instead of the configured retention."
        )

    def handle(self, *args, action, days=None, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more.")
        kept = settings.AUDIT_ADDRESS_RETENTION_DAYS if days is None else days
        blanked = purge_old_addresses(days=kept)
        self.stdout.write(f"Blanked the client address of {blanked} audit event(s) older than {kept} day(s).")
