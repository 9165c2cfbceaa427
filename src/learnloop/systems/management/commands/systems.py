"""`learnloop systems simulate MODEL_FILE`: run a Vensim or XMILE model through PySD.

The work is in learnloop.analytics.systems.simulate_cli, which the `learnloop` entry point runs
without starting Django; this command makes it available through Django's command line too.
It needs nothing of the database.
"""

from django.core.management.base import BaseCommand, CommandError

from learnloop.analytics.systems import loops_cli, simulate_cli


class Command(BaseCommand):
    help = "Systems thinking: `systems simulate MODEL_FILE` runs a stock-and-flow model and prints its table."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="simulate|loops")
        simulate_cli.add_arguments(actions.add_parser("simulate", help=simulate_cli.HELP,
                                                      description=simulate_cli.HELP))
        loops_cli.add_arguments(actions.add_parser("loops", help=loops_cli.HELP, description=loops_cli.HELP))

    def handle(self, *args, action, **options):
        from learnloop.analytics.systems.simulation import SimulationError

        if action == "loops":
            try:
                self.stdout.write(loops_cli.run(options), ending="")
            except loops_cli.LoopsInputError as error:
                raise CommandError(str(error), returncode=loops_cli.BAD_INPUT) from error
            return
        try:
            output = simulate_cli.simulate(options)
        except SimulationError as error:
            raise CommandError(str(error), returncode=simulate_cli.BAD_INPUT) from error
        self.stdout.write(output, ending="")
