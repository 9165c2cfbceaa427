"""What an attacker takes away: the export, a backup archive, copies of the raw database (at the
end of the reflect phase, at the end of voting and at the end), the access log and, inside each of
those, the audit log. Everything is read into plain rows here; the attacks never ask Django."""

import json
import sqlite3
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db import connection

# Tables a raw reader loads: everything the reflection, activity and audit apps store, the
# people, and Django's own session rows.
RAW_PREFIXES = ("reflection_", "activity_", "audit_", "org_person", "django_session")


def canonical(value):
    """Ids as one string form whatever the source (SQLite stores UUIDs as 32 hex digits)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str) and len(value) in (32, 36):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            return value
    return value


def normalize(row: dict) -> dict:
    return {k: canonical(v) if (k == "id" or k.endswith("_id")) else v for k, v in row.items()}


@dataclass
class Source:
    name: str  # "export", "backup", "sqlite file @ web@vote-end", ...
    kind: str  # export | backup | sqlite | postgresql
    tables: dict = field(default_factory=dict)  # model label -> rows (attname -> value)
    raw_bytes: bytes = b""
    columns: dict = field(default_factory=dict)  # SQLite: table -> column names, in stored order

    def rows(self, label: str) -> list[dict]:
        return self.tables.get(label, [])


def read_export(path: Path) -> Source:
    models = json.loads(Path(path).read_text())["models"]
    return Source("export", "export", {label: [normalize(r) for r in rows] for label, rows in models.items()})


def read_backup(path: Path) -> Source:
    tables: dict[str, list] = {}
    with zipfile.ZipFile(path) as archive, archive.open("data.jsonl") as raw:
        for line in raw:
            item = json.loads(line)
            label = item["model"]
            try:
                model = apps.get_model(label)
                names = {f.name: f.attname for f in model._meta.concrete_fields}
                pk = model._meta.pk.attname
            except LookupError:
                names, pk = {}, "id"
            row = {pk: item["pk"], **{names.get(k, k): v for k, v in item["fields"].items()}}
            tables.setdefault(label, []).append(normalize(row))
    return Source("backup", "backup", tables)


def _labels() -> dict[str, str]:
    return {m._meta.db_table: m._meta.label_lower for m in apps.get_models()}


def _raw_tables() -> list[str]:
    return [t for t in connection.introspection.table_names() if t.startswith(RAW_PREFIXES)]


def read_raw(label: str, directory: Path) -> Source:
    """The database as its holder sees it. SQLite: a page-for-page copy of the file (the online
    backup API copies every page, free ones included), opened with sqlite3, rowids and all.
    PostgreSQL: every row with its system columns ctid (where it lies) and xmin (which
    transaction wrote it)."""
    labels = _labels()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        path = directory / f"{label.replace('@', '_')}.sqlite3"
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return read_sqlite_file(path, f"sqlite file @ {label}", labels)
    tables = {}
    with connection.cursor() as cursor:
        for table in _raw_tables():
            cursor.execute(f'SELECT ctid::text AS _ctid, xmin::text AS _xmin, * FROM "{table}"')  # noqa: S608
            names = [c.name for c in cursor.description]
            rows = []
            for values in cursor.fetchall():
                row = normalize(dict(zip(names, values, strict=True)))
                row["_xmin"] = int(row["_xmin"])
                block, offset = row["_ctid"].strip("()").split(",")
                row["_ctid"] = (int(block), int(offset))
                rows.append(row)
            tables[labels.get(table, table)] = rows
    return Source(f"postgresql @ {label}", "postgresql", tables)


def read_sqlite_file(path: Path, name: str, labels: dict) -> Source:
    tables = {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in names:
            if not table.startswith(RAW_PREFIXES):
                continue
            try:
                rows = db.execute(f'SELECT rowid AS _rowid, * FROM "{table}"').fetchall()  # noqa: S608
            except sqlite3.OperationalError:  # WITHOUT ROWID: no hidden order to read
                rows = db.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608
            tables[labels.get(table, table)] = [normalize(dict(r)) for r in rows]
        columns = {table: [c[1] for c in db.execute(f'PRAGMA table_info("{table}")')] for table in names}
    finally:
        db.close()
    return Source(name, "sqlite", tables, Path(path).read_bytes(), columns)


def take_export_and_backup(directory: Path) -> list[Source]:
    export, backup = directory / "export.json", directory / "backup.zip"
    with open(directory / "commands.out", "w") as out:
        call_command("export", str(export), stdout=out, stderr=out)
        call_command("backup", str(backup), stdout=out, stderr=out)
    return [read_export(export), read_backup(backup)]
