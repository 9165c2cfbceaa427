"""`learnloop experiment analyze FILE`: analyse one metric's per-variant aggregates;
`learnloop experiment compute --source URL …`: compute them in the warehouse first.

The work is in learnloop.experiments.analyze_cli and compute_cli, which the `learnloop` entry point runs without
starting Django; this command makes it available through Django's command line too.
"""

from django.core.management.base import BaseCommand, CommandError

from learnloop.experiments import analyze_cli, compute_cli


class Command(BaseCommand):
    help = (
        "Experiment statistics for analysts: `experiment analyze FILE` compares every variation with the control; "
        "`experiment compute` computes the sums in a warehouse first."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="analyze|compute")
        analyze_cli.add_arguments(
            actions.add_parser("analyze", help=analyze_cli.HELP, description=analyze_cli.DESCRIPTION)
        )
        compute_cli.add_arguments(
            actions.add_parser("compute", help=compute_cli.HELP, description=compute_cli.DESCRIPTION)
        )

    def handle(self, *args, action, **options):
        if action == "compute":
            try:
                output = compute_cli.compute(**options)
            except compute_cli.BadInput as error:
                raise CommandError(str(error), returncode=compute_cli.BAD_INPUT) from error
            self.stdout.write(output, ending="")
            return
        try:
            output = analyze_cli.analyze(**options)
        except analyze_cli.BadFile as error:
            raise CommandError(str(error), returncode=analyze_cli.BAD_INPUT) from error
        self.stdout.write(output, ending="")
