"""`learnloop export FILE`: all data as JSON (without password or token hashes)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.ops.export import export_all


class Command(BaseCommand):
    help = "Export all data as JSON to FILE (secrets such as password hashes are left out)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            counts = export_all(file)
        except OSError as error:
            raise CommandError(f"Can't write the export to {file}: {error.strerror or error}") from error
        record_audit_event(
            kind=AuditKind.EXPORT, actor_label="operator", target=str(file),
            detail={"rows": sum(counts.values())},
        )
        self.stdout.write(self.style.SUCCESS(f"Exported {sum(counts.values())} rows to {file}."))
