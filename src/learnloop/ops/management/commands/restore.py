"""`learnloop restore FILE`: replace all data with a verified backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.ops.backup import BackupError, restore_backup, verify_backup
from learnloop.ops.signals import announce_data_replaced


class Command(BaseCommand):
    help = "Replace ALL data with the contents of a backup FILE, after verifying it."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="Don't ask for confirmation.")
        parser.add_argument(
            "--verify-only", action="store_true",
            help="Check the file (signature, checksum, schema, that every value fits this database) and stop.",
        )
        parser.add_argument(
            "--allow-unsigned", action="store_true",
            help="Accept an archive without a signature (made before backups were signed). Never needed "
            "for a signed one; a signature that does not verify is refused regardless.",
        )

    def handle(self, *args, file, yes, verify_only, allow_unsigned, **options):
        try:
            manifest = verify_backup(file, allow_unsigned=allow_unsigned)
        except BackupError as error:
            raise CommandError(f"Refusing to restore: {error}") from error
        signed = (
            f"signed with key {manifest['signed_with']}" if manifest["signed_with"]
            else "UNSIGNED, accepted because of --allow-unsigned"
        )
        self.stdout.write(
            f"{file} is a valid backup from {manifest['created_at']} "
            f"({manifest['rows']} rows, Learnloop {manifest['learnloop_version']}, {signed}); "
            f"it fits this {connection.vendor} database."
        )
        if verify_only:
            return
        if not yes:
            answer = input("This replaces ALL current data with the backup's. Type 'restore' to go on: ")
            if answer.strip() != "restore":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            restore_backup(file, allow_unsigned=allow_unsigned)
        except BackupError as error:
            raise CommandError(f"Refusing to restore: {error}") from error
        # Each app rebuilds what it derives from the data just replaced (the search index).
        for line in announce_data_replaced(self.__class__):
            self.stdout.write(line)
        record_audit_event(
            kind=AuditKind.RESTORE, actor_label="operator", target=str(file),
            detail={
                "rows": manifest["rows"], "backup_created_at": manifest["created_at"],
                "signed_with": manifest["signed_with"],
            },
        )
        self.stdout.write(self.style.SUCCESS(f"Restored {manifest['rows']} rows from {file}."))
