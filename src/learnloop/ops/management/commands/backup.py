"""`learnloop backup FILE`: a consistent backup taken while Learnloop keeps running."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.ops.backup import create_backup


class Command(BaseCommand):
    help = "Write a consistent online backup of all data to FILE (a zip archive)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            summary = create_backup(file)
        except OSError as error:
            raise CommandError(f"Can't write the backup to {file}: {error.strerror or error}") from error
        record_audit_event(
            kind=AuditKind.BACKUP, actor_label="operator", target=str(file),
            detail={"rows": summary.rows, "sha256": summary.sha256},
        )
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {file} ({summary.rows} rows, signed with key {summary.key_id})."
        ))
