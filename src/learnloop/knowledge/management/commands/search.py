"""`learnloop search rebuild`: rebuild the knowledge search index from the database."""

import time

from django.core.management.base import BaseCommand, CommandError

from learnloop.knowledge import search
from learnloop.ops.progress import Progress


class Command(BaseCommand):
    help = "Knowledge search maintenance. `rebuild` rebuilds the index from the database."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        actions.add_parser("rebuild", help="Rebuild the search index from every entry in the database.")

    def handle(self, *args, action, **options):
        if action != "rebuild":  # pragma: no cover (argparse refuses other actions)
            raise CommandError(f"Unknown action {action!r}.")
        engine = search.backend()
        progress = Progress(f"rebuilding the search index ({engine.name})", stream=self.stderr)

        def report(done: int, total: int) -> None:
            progress.total = total
            progress.step(done - progress.done)

        started = time.monotonic()
        try:
            count = search.rebuild(progress=report)
        except Exception as error:
            raise CommandError(f"The search index could not be rebuilt: {error}") from error
        progress.finish()
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} entries in {seconds:.1f} s ({engine.name} backend)."))
