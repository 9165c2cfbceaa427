"""`learnloop insights themes FILE`: the recurring themes in a CSV of short texts, and
`learnloop insights regroup`: regroup the organization's own texts into themes from scratch.

The CSV work is in learnloop.insights.themes_cli, which the `learnloop` entry point runs without
starting Django; this command makes it available through Django's command line too.
"""

from django.core.management.base import BaseCommand, CommandError

from learnloop.insights import themes_cli

REGROUP_HELP = ("regroup every retro card, contributing factor, after-action gap, action, question, lesson and "
                "released survey comment into themes, keeping people's corrections [--queue]")


class Command(BaseCommand):
    help = ("Insights: `insights themes FILE` groups short texts into recurring themes; "
            "`insights regroup` regroups the organization's texts.")
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="themes|regroup")
        themes_cli.add_arguments(actions.add_parser("themes", help=themes_cli.HELP, description=themes_cli.HELP))
        regroup = actions.add_parser("regroup", help=REGROUP_HELP, description=REGROUP_HELP)
        regroup.add_argument("--queue", action="store_true",
                             help="queue it for `learnloop worker` instead of running it now")

    def handle(self, *args, action, **options):
        if action == "regroup":
            return self._regroup(queue=options["queue"])
        try:
            output = themes_cli.themes(options)
        except themes_cli.BadTexts as error:
            raise CommandError(str(error), returncode=themes_cli.BAD_INPUT) from error
        self.stdout.write(output, ending="")

    def _regroup(self, *, queue: bool):
        if queue:
            from learnloop.insights.themes_tasks import rebuild_themes

            result = rebuild_themes.enqueue()
            self.stdout.write(f"Queued the regrouping (task {result.id}).")
            return
        from learnloop.insights import themes_services

        run = themes_services.rebuild(announce=lambda line: self.stderr.write(line))
        self.stdout.write(f"Grouped {run.texts} texts into {run.themes} themes in {run.cpu_seconds:.1f} s of CPU.")
