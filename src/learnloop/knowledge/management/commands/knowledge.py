"""`learnloop knowledge import DIR --as EMAIL [--dry-run]`, `learnloop knowledge export DIR` and
`learnloop knowledge practices import [--as EMAIL] [--dry-run]` and
`learnloop knowledge remind [--now] [--dry-run] [--today DATE]`.

Import reads every Markdown file under DIR (front matter optional) and imports them all or
none, as the person named by --as (they become the author, and the owner where a file names
none). Export writes every entry, whoever may see it, as Markdown files plus entries.json.
`practices import` adds the learning-practice library's playbooks the knowledge base does not
have yet, as an admin (the one named by --as, else the longest-standing active admin).
`remind` notifies the owners of entries due for review (once per review date; run it daily).
"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learnloop.knowledge.practice_library import import_library
from learnloop.knowledge.review_reminders import run_review_reminders
from learnloop.knowledge.transfer import export_to_directory, import_markdown, read_folder
from learnloop.org.models import OrgRole, Person

BAD_INPUT = 2  # a file that cannot be imported, like every other command that reads a file


class Command(BaseCommand):
    help = "Import a folder of Markdown files into the knowledge base, or export it as Markdown and JSON."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="import|export|practices|remind")
        importing = actions.add_parser(
            "import", help="Import every .md file under DIR; nothing is imported if any file is invalid."
        )
        importing.add_argument("directory", type=Path, metavar="DIR")
        importing.add_argument(
            "--as", dest="person", required=True, metavar="EMAIL",
            help="The person the entries are imported as: their author, and their owner unless a file names one.",
        )
        importing.add_argument("--dry-run", action="store_true", help="Check the files; change nothing.")
        exporting = actions.add_parser("export", help="Write every entry as Markdown plus entries.json into DIR.")
        exporting.add_argument("directory", type=Path, metavar="DIR")
        practices = actions.add_parser("practices", help="The learning-practice library shipped with Learnloop.")
        practice_actions = practices.add_subparsers(dest="practices_action", required=True, metavar="import")
        library = practice_actions.add_parser(
            "import", help="Add the library's playbooks the knowledge base lacks; existing ones are left as they are."
        )
        library.add_argument(
            "--as", dest="person", metavar="EMAIL",
            help="The admin who imports them and owns them; default: the longest-standing active admin.",
        )
        library.add_argument("--dry-run", action="store_true", help="Say what would be imported; change nothing.")

        remind = actions.add_parser(
            "remind", help="Notify the owners of entries due for review, once per review date (run it daily)."
        )
        remind.add_argument("--now", action="store_true", help="Send the emails now instead of queueing them.")
        remind.add_argument("--dry-run", action="store_true", help="List what would be sent; change nothing.")
        remind.add_argument("--today", type=str, default="", help="Run as if it were this date (YYYY-MM-DD).")

    def handle(self, *args, action, directory=None, **options):
        if action == "remind":
            self._remind(now=options["now"], dry_run=options["dry_run"], today=options["today"])
        elif action == "practices":
            self._import_practices(email=options["person"], dry_run=options["dry_run"])
        elif action == "import":
            self._import(directory, email=options["person"], dry_run=options["dry_run"],
                         verbosity=options["verbosity"])
        else:
            self._export(directory)

    def _import(self, directory: Path, *, email: str, dry_run: bool, verbosity: int) -> None:
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        person = Person.objects.filter(email__iexact=email.strip()).first()
        if person is None or not person.is_active:
            raise CommandError(f"--as {email}: no active person has this address.")
        files, read_errors = read_folder(directory)
        report = import_markdown(
            by=person, files=files, dry_run=dry_run, via="cli", read_errors=read_errors, operator=True
        )
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(report.summary(), returncode=BAD_INPUT)
        for plan in report.files:
            if plan.action != "unchanged" or verbosity > 1:
                changed = f" ({', '.join(plan.changed)})" if plan.changed else ""
                self.stdout.write(f"{plan.file}: {plan.action} {plan.kind} “{plan.title}”{changed}")
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def _import_practices(self, *, email: str | None, dry_run: bool) -> None:
        admins = Person.objects.filter(is_active=True, role=OrgRole.ADMIN)
        if email:
            person = Person.objects.filter(email__iexact=email.strip(), is_active=True).first()
            if person is None:
                raise CommandError(f"--as {email}: no active person has this address.")
            if not person.is_admin:
                raise CommandError(f"--as {email}: only admins import the learning-practice library.")
        else:
            person = admins.order_by("date_joined", "pk").first()
            if person is None:
                raise CommandError("There is no active admin to import the library as; name one with --as.")
        report = import_library(by=person, dry_run=dry_run, via="cli")
        verb = "would import" if dry_run else "imported"
        for outcome in report.created:
            self.stdout.write(f"{verb} “{outcome.title}” (practice:{outcome.slug})")
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def _export(self, directory: Path) -> None:
        try:
            count = export_to_directory(directory)
        except ValueError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Can't write the export to {directory}: {error.strerror or error}") from error
        self.stdout.write(self.style.SUCCESS(f"Exported {count} entries to {directory} (Markdown and entries.json)."))

    def _remind(self, *, now: bool, dry_run: bool, today: str) -> None:
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"--today {today}: use a date like 2026-03-31.") from error
        handled = run_review_reminders(today=day, send_now=now, dry_run=dry_run)
        for item in handled:
            self.stdout.write(item.describe())
        verb = "would be sent" if dry_run else ("sent" if now else "queued")
        count = len(handled)
        self.stdout.write(self.style.SUCCESS(f"{count} review reminder{'s' if count != 1 else ''} {verb}."))
