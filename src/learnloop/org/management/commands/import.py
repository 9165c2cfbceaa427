"""`learnloop import teams|people FILE [--dry-run]`: bulk import from CSV, all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learnloop.org.importing import import_people, import_teams

BAD_INPUT = 2  # a file that cannot be imported, like every other command that reads a file


class Command(BaseCommand):
    help = "Import teams or people from a CSV file. Nothing is imported if any row is invalid."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["teams", "people"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file; change nothing.")

    def handle(self, *args, kind, file, dry_run, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Can't read {file}: {error.strerror}") from error
        importer = import_teams if kind == "teams" else import_people
        report = importer(by=None, data=data, dry_run=dry_run)
        for error in report.errors:
            self.stderr.write(f"{file}: {error}")
        if not report.ok:
            raise CommandError(report.summary(), returncode=BAD_INPUT)
        for plan in report.rows:
            if plan.action != "unchanged" and options["verbosity"] > 1:
                self.stdout.write(f"row {plan.row}: {plan.action} {plan.label}")
        self.stdout.write(self.style.SUCCESS(report.summary()))
