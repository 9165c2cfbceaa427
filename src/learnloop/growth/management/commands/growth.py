"""`learnloop growth match FILE`: the optimal mentor assignment for a JSON document.

The work is in learnloop.analytics.mentor_matching_cli, which the `learnloop` entry point runs
without starting Django; this command makes the same verb available through Django's command line.
"""

from django.core.management.base import BaseCommand, CommandError

from learnloop.analytics import mentor_matching_cli


class Command(BaseCommand):
    help = "Personal mastery: `growth match FILE` assigns mentors to mentees with the largest total fit."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="action", required=True, metavar="match")
        mentor_matching_cli.add_arguments(verbs.add_parser("match", help=mentor_matching_cli.HELP,
                                                           description=mentor_matching_cli.HELP))

    def handle(self, *args, action, **options):
        try:
            output = mentor_matching_cli.match(**options)
        except mentor_matching_cli.BadDocument as error:
            raise CommandError(str(error), returncode=mentor_matching_cli.BAD_INPUT) from error
        self.stdout.write(output, ending="")
