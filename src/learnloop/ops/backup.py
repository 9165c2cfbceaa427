"""Online backup and verified restore of the whole database.

A backup is a zip file holding `data.jsonl` (one serialized row per line, every model but
sessions), `manifest.json` (format, versions, the schema's migrations, row counts and the
data's SHA-256) and `signature.json` (an HMAC of the manifest, see signing.py). The format is
logical rather than a database file, so a backup taken from the SQLite demo restores into
PostgreSQL and back.

Restore checks the archive before touching anything (signature, format, checksum, row counts,
schema version, every row parses and every value fits the target database, see
portability.py) and then replaces all data in one transaction: it either fully succeeds or
leaves the database as it was.
"""

import datetime
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.sql import InsertQuery
from django.utils import timezone

from learnloop import __version__
from learnloop.ops import signing
from learnloop.ops.portability import Target, row_problems
from learnloop.ops.progress import Progress
from learnloop.ops.snapshot import read_snapshot

FORMAT = "learnloop-backup"
FORMAT_VERSION = 1
# Sessions are disposable and would carry live credentials; everything else is data.
EXCLUDED_MODELS = {"sessions.session"}
CHUNK = 2000
# Enough problems to see a pattern (one column everywhere, or one odd row) without a wall of text.
MAX_REPORTED_PROBLEMS = 10


class BackupError(Exception):
    """The archive can't be trusted or doesn't fit this installation; nothing was changed."""


class BackupEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but times keep their microseconds (it cuts them to milliseconds,
    which would make a restored row differ from the one that was backed up)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


@dataclass
class BackupSummary:
    path: Path
    rows: int
    models: dict[str, int]
    sha256: str
    key_id: str


def backed_up_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in EXCLUDED_MODELS
        and not model._meta.proxy
        and model._meta.managed
    ]


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def create_backup(path: Path, *, progress_stream=None) -> BackupSummary:
    path = Path(path)
    models = backed_up_models()
    counts: dict[str, int] = {}
    digest = hashlib.sha256()
    temporary = path.with_name(path.name + ".partial")
    try:
        progress = _write_backup(temporary, models, counts, digest, progress_stream)
    except BaseException:
        # No half-written archive is left behind to be mistaken for a backup.
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)
    rows = sum(counts.values())
    progress.finish(f"{rows} rows written to {path}")
    return BackupSummary(
        path=path, rows=rows, models=counts, sha256=digest.hexdigest(), key_id=signing.current_key().key_id
    )


def _write_backup(temporary: Path, models, counts: dict[str, int], digest, progress_stream) -> Progress:
    rows = 0
    with read_snapshot():
        totals = {model._meta.label_lower: model._base_manager.count() for model in models}
        progress = Progress("backup", total=sum(totals.values()), stream=progress_stream)
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with archive.open("data.jsonl", "w", force_zip64=True) as raw:
                for model in models:
                    label = model._meta.label_lower
                    counts[label] = 0
                    queryset = model._base_manager.order_by("pk")
                    for chunk in _chunks(queryset.iterator(chunk_size=CHUNK), CHUNK):
                        for item in serializers.serialize("python", chunk):
                            line = (json.dumps(item, cls=BackupEncoder, sort_keys=True) + "\n").encode()
                            digest.update(line)
                            raw.write(line)
                        counts[label] += len(chunk)
                        rows += len(chunk)
                        progress.step(len(chunk), label)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "learnloop_version": __version__,
                "created_at": timezone.now().isoformat(),
                "database_vendor": connection.vendor,
                "migrations": applied_migrations(),
                "models": counts,
                "rows": rows,
                "data_sha256": digest.hexdigest(),
            }
            manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode()
            archive.writestr("manifest.json", manifest_bytes)
            archive.writestr(signing.SIGNATURE_NAME, signing.signature_for(manifest_bytes))
    return progress


def _chunks(iterator, size):
    chunk = []
    for item in iterator:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def read_manifest(archive: zipfile.ZipFile, *, allow_unsigned: bool = False) -> dict:
    """The manifest, once its signature is verified (nothing in it is trusted before)."""
    try:
        manifest_bytes = archive.read("manifest.json")
    except KeyError as error:
        raise BackupError("This is not a Learnloop backup: it has no manifest.json.") from error
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"The backup's manifest can't be read: {error}") from error
    signed_with = _check_signature(archive, manifest_bytes, allow_unsigned=allow_unsigned)
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as error:
        raise BackupError(f"The backup's manifest can't be read: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not a Learnloop backup (unknown format).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup uses format version {manifest.get('format_version')}; "
            f"this Learnloop reads version {FORMAT_VERSION}."
        )
    return dict(manifest, signed_with=signed_with)


def _check_signature(archive: zipfile.ZipFile, manifest_bytes: bytes, *, allow_unsigned: bool) -> str | None:
    """The id of the key that signed the archive; None for an unsigned archive the caller accepts."""
    try:
        signature = archive.read(signing.SIGNATURE_NAME)
    except KeyError:
        if allow_unsigned:
            return None
        # Made before backups were signed, or its signature was removed to hide an edit: only
        # the operator can tell which, so it takes an explicit flag.
        raise BackupError(
            "The backup is not signed (it was made before Learnloop signed backups, or its signature was "
            "removed). If you know where it comes from, verify or restore it with --allow-unsigned."
        ) from None
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"The backup's signature can't be read: {error}") from error
    try:
        return signing.verify_signature(manifest_bytes, signature).key_id
    except signing.SignatureError as error:
        raise BackupError(str(error)) from error


def verify_backup(path: Path, *, allow_unsigned: bool = False, target: Target | None = None) -> dict:
    """Check an archive completely without changing the database; return its manifest.

    `target` is the kind of database the rows must load into: this one unless given."""
    path = Path(path)
    target = target or Target.of(connection)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(f"{path} is not a readable backup archive: {error}") from error
    with archive:
        manifest = read_manifest(archive, allow_unsigned=allow_unsigned)
        _check_schema(manifest)
        known = {model._meta.label_lower for model in backed_up_models()}
        digest = hashlib.sha256()
        counts: dict[str, int] = {}
        # A row that does not fit the schema is reported only once the checksum is known to
        # match: a damaged file is better described as damaged than by its first odd row.
        problems: list[str] = []
        problem_count = 0
        try:
            with archive.open("data.jsonl") as raw:
                for number, line in enumerate(raw, start=1):
                    digest.update(line)
                    try:
                        item = json.loads(line)
                        label = item["model"]
                    except (ValueError, KeyError, TypeError) as error:
                        raise BackupError(f"Line {number} of the backup is not a valid row.") from error
                    if not isinstance(label, str) or label not in known:
                        raise BackupError(f"Line {number} holds rows of an unknown model {label!r}.")
                    counts[label] = counts.get(label, 0) + 1
                    found = _row_problems(item, number, target)
                    problem_count += len(found)
                    problems.extend(found[: MAX_REPORTED_PROBLEMS - len(problems)])
        except KeyError as error:
            raise BackupError("The backup has no data.jsonl.") from error
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise BackupError(f"The backup's data is damaged: {error}") from error
    if digest.hexdigest() != manifest.get("data_sha256"):
        raise BackupError("The backup's checksum does not match its data: the file is damaged or was edited.")
    listed = manifest.get("models")
    if not isinstance(listed, dict):
        raise BackupError("The backup's manifest does not list its row counts.")
    expected = {label: count for label, count in listed.items() if count}
    if counts != expected or manifest.get("rows") != sum(counts.values()):
        raise BackupError("The backup's row counts do not match its manifest.")
    if problems:
        more = f" (and {problem_count - len(problems)} more)" if problem_count > len(problems) else ""
        if len(problems) == 1:
            raise BackupError(problems[0])
        raise BackupError(
            f"{problem_count} values of the backup can't be loaded into this {target.name} database{more}:\n  "
            + "\n  ".join(problems)
        )
    return manifest


def _row_problems(item: dict, number: int, target: Target) -> list[str]:
    """Why this row can't be loaded into the current schema and database, if it can't."""
    try:
        instance = next(iter(serializers.deserialize("python", [item]))).object
    except Exception as error:  # any failure means the row can't be restored as it is
        return [f"Line {number} ({item.get('model')} {item.get('pk')!r}) does not fit this schema: {error}"]
    where = f"Table {instance._meta.db_table}, row {instance._meta.pk.attname}={instance.pk!r} (line {number})"
    return [
        f"{where}, column {column}: {why}; it can't be restored into {target.name}"
        for column, why in row_problems(instance, target)
    ]


def _check_schema(manifest: dict) -> None:
    listed = manifest.get("migrations")
    if not isinstance(listed, dict) or not all(isinstance(names, list) for names in listed.values()):
        raise BackupError("The backup's manifest does not list its schema migrations.")
    backup_migrations = {app: set(names) for app, names in listed.items()}
    current = {app: set(names) for app, names in applied_migrations().items()}
    if not current:
        raise BackupError("This database has no schema yet: run `learnloop migrate` first, then restore.")
    newer = {app: names - current.get(app, set()) for app, names in backup_migrations.items()}
    newer = {app: names for app, names in newer.items() if names}
    if newer:
        raise BackupError(
            "The backup was made by a newer Learnloop (it has migrations this installation lacks: "
            + ", ".join(f"{app}.{name}" for app, names in sorted(newer.items()) for name in sorted(names))
            + "). Upgrade Learnloop, then restore."
        )
    older = {app: names - backup_migrations.get(app, set()) for app, names in current.items()}
    older = {app: names for app, names in older.items() if names}
    if older:
        raise BackupError(
            "The backup was made by an older Learnloop schema ("
            + ", ".join(f"{app}.{name}" for app, names in sorted(older.items()) for name in sorted(names))
            + " missing). Restore it with the Learnloop version that made it, then upgrade."
        )


def restore_backup(path: Path, *, allow_unsigned: bool = False, progress_stream=None) -> dict:
    """Replace all data with the backup's. Verifies first; all-or-nothing."""
    manifest = verify_backup(path, allow_unsigned=allow_unsigned)
    models = backed_up_models()
    total = manifest.get("rows", 0)
    progress = Progress("restore", total=total, stream=progress_stream)
    try:
        with zipfile.ZipFile(path) as archive, transaction.atomic():
            _delete_everything()
            with archive.open("data.jsonl") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
                batch: list[str] = []
                for line in text:
                    batch.append(line)
                    if len(batch) >= CHUNK:
                        _load(batch)
                        progress.step(len(batch))
                        batch = []
                if batch:
                    _load(batch)
                    progress.step(len(batch))
            # Foreign keys are checked at commit; check them now instead, because on PostgreSQL
            # the sequence reset below is never rolled back: failing after it would leave the
            # old data with sequences behind its ids.
            connection.check_constraints()
            _reset_sequences(models)
    except (DatabaseError, DeserializationError) as error:
        # The transaction was rolled back (deferred constraints fail at its commit, which is
        # inside this block too): the database is exactly as it was.
        raise BackupError(f"The backup's rows could not be loaded ({error}); nothing was changed.") from error
    progress.finish(f"{total} rows restored")
    return manifest


def _load(lines: list[str]) -> None:
    """Insert a batch of rows, many per statement: one INSERT per row made a demo-sized restore
    into PostgreSQL several times slower. Rows keep the archive's order (grouped by model)."""
    pending: list = []
    for deserialized in serializers.deserialize("json", "[" + ",".join(lines) + "]"):
        if pending and type(pending[-1].object) is not type(deserialized.object):
            _insert_rows(pending)
            pending = []
        pending.append(deserialized)
    if pending:
        _insert_rows(pending)


def _insert_rows(rows: list) -> None:
    model = type(rows[0].object)
    if model._meta.parents:
        # Multi-table inheritance spreads a row over tables: leave that to Django's own save.
        for row in rows:
            row.save(force_insert=True)
        return
    # A raw insert, as a raw save would do: no custom save() logic runs (append-only guards,
    # auto_now timestamps), each row is written exactly as it was backed up. The tables were
    # emptied, so every row is new.
    fields = model._meta.local_concrete_fields
    objects = [row.object for row in rows]
    batch = connection.ops.bulk_batch_size(fields, objects) or len(objects)
    for start in range(0, len(objects), batch):
        query = InsertQuery(model)
        query.insert_values(fields, objects[start:start + batch], raw=True)
        query.get_compiler(connection=connection).execute_sql()
    _insert_links(rows)


def _insert_links(rows: list) -> None:
    """Many-to-many links of the rows, one bulk insert per relation."""
    links: dict = {}
    for row in rows:
        for name, targets in (row.m2m_data or {}).items():
            field = row.object._meta.get_field(name)
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            links.setdefault(through, []).extend(
                through(**{f"{source}_id": row.object.pk, f"{target}_id": pk}) for pk in targets
            )
    for through, items in links.items():
        through._base_manager.bulk_create(items)


def _delete_everything() -> None:
    tables = [model._meta.db_table for model in apps.get_models() if model._meta.managed and not model._meta.proxy]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=True)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _reset_sequences(models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
