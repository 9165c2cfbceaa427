"""`learnloop insights themes FILE`: the recurring themes in a CSV of short texts.

The work is in learnloop.insights.themes_cli, which the `learnloop` entry point runs without
starting Django; this command makes it available through Django's command line too.
"""

from django.core.management.base import BaseCommand, CommandError

from learnloop.insights import themes_cli


class Command(BaseCommand):
    help = "Insights for analysts: `insights themes FILE` groups short texts into recurring themes."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="themes")
        themes_cli.add_arguments(actions.add_parser("themes", help=themes_cli.HELP, description=themes_cli.HELP))

    def handle(self, *args, action, **options):
        try:
            output = themes_cli.themes(options)
        except themes_cli.BadTexts as error:
            raise CommandError(str(error), returncode=themes_cli.BAD_INPUT) from error
        self.stdout.write(output, ending="")
