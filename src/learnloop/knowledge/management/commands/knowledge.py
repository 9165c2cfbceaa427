"""`learnloop knowledge import DIR --as EMAIL [--dry-run]`, `learnloop knowledge export DIR` and
`learnloop knowledge practices import [--as EMAIL] [--dry-run]`.

Import reads every Markdown file under DIR (front matter optional) and imports them all or
none, as the person named by --as (they become the author, and the owner where a file names
none). Export writes every entry, whoever may see it, as Markdown files plus entries.json.
`practices import` adds the learning-practice library's playbooks the knowledge base does not
have yet, as an admin (the one named by --as, else the longest-standing active admin).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learnloop.knowledge.practice_library import import_library
from learnloop.knowledge.transfer import export_to_directory, import_markdown, read_folder
from learnloop.org.models import OrgRole, Person

BAD_INPUT = 2  # a file that cannot be imported, like every other command that reads a file


class Command(BaseCommand):
    help = "Import a folder of Markdown files into the knowledge base, or export it as Markdown and JSON."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="import|export|practices")
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

    def handle(self, *args, action, directory=None, **options):
        if action == "practices":
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
