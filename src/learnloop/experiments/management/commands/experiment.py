"""`learnloop experiment analyze FILE`: analyse one metric's per-variant aggregates.

The work is in learnloop.experiments.analyze_cli, which the `learnloop` entry point runs without
starting Django; this command makes it available through Django's command line too.
"""

from django.core.management.base import BaseCommand, CommandError

from learnloop.experiments import analyze_cli


class Command(BaseCommand):
    help = "Experiment statistics for analysts: `experiment analyze FILE` compares every variation with the control."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="analyze")
        analyze_cli.add_arguments(
            actions.add_parser("analyze", help=analyze_cli.HELP, description=analyze_cli.DESCRIPTION)
        )

    def handle(self, *args, action, **options):
        try:
            output = analyze_cli.analyze(**options)
        except analyze_cli.BadFile as error:
            raise CommandError(str(error), returncode=analyze_cli.BAD_INPUT) from error
        self.stdout.write(output, ending="")
