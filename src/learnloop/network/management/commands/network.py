"""`learnloop network analyze EDGES_FILE` through Django's command line; the work is in
learnloop.network.analyze_cli, which the `learnloop` entry point runs without starting Django."""

from django.core.management.base import BaseCommand, CommandError

from learnloop.network import analyze_cli


class Command(BaseCommand):
    help = "Knowledge-flow network: `network analyze EDGES_FILE` measures an edge list."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="analyze")
        analyze_cli.add_arguments(actions.add_parser("analyze", help=analyze_cli.HELP,
                                                     description=analyze_cli.DESCRIPTION))

    def handle(self, *args, action, **options):
        try:
            output = analyze_cli.analyze(options, note=self.stderr.write)
        except analyze_cli.BadEdges as error:
            raise CommandError(str(error), returncode=analyze_cli.BAD_INPUT) from error
        self.stdout.write(output, ending="")
