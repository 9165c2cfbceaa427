"""`learnloop survey reliability FILE.csv --items A,B,C [--reverse B] --scale 1-5 [--group team] --format json|table`
and `learnloop survey remind [--now] [--dry-run]`.

Reliability is for analysts and needs no database: it lives in learnloop.surveys.reliability_cli,
which the `learnloop` entry point runs without starting Django.
"""

from django.core.management.base import BaseCommand, CommandError

from learnloop.surveys import reliability_cli


class Command(BaseCommand):
    help = "Survey analysis for analysts: `survey reliability FILE.csv ...` (see `survey reliability --help`)."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="reliability|remind")
        remind = actions.add_parser(
            "remind",
            help="For cron, daily: remind everyone who hasn't answered an open campaign in its last days "
            "(once per person; reminders already sent by hand count).",
        )
        remind.add_argument("--now", action="store_true", help="Send the emails now instead of queueing them.")
        remind.add_argument("--dry-run", action="store_true", help="Only say how many would be reminded.")
        reliability = actions.add_parser(
            "reliability",
            help=reliability_cli.HELP,
        )
        reliability_cli.add_arguments(reliability)

    def handle(self, *args, action, **options):
        if action == "remind":
            self._remind(now=options["now"], dry_run=options["dry_run"])
            return
        try:
            self.stdout.write(reliability_cli.reliability(options), ending="")
        except reliability_cli.BadAnswers as error:
            raise CommandError(str(error), returncode=reliability_cli.BAD_INPUT) from error

    def _remind(self, *, now: bool, dry_run: bool) -> None:
        from learnloop.surveys.services import send_due_reminders

        reminded = send_due_reminders(send_now=now, dry_run=dry_run)
        verb = "would remind" if dry_run else ("reminded" if now else "queued reminders for")
        for campaign, count in reminded.items():
            self.stdout.write(f"{campaign.name}: {verb} {count} {'person' if count == 1 else 'people'}.")
        if not reminded:
            self.stdout.write("No open campaign is in its reminder window.")
