"""Backups move between SQLite and PostgreSQL, and `restore --verify-only` says in advance
whether an archive will load into the configured database, naming table, row and column."""

import json
import zipfile

import pytest
from django.core.management.base import CommandError
from django.db import connection

from learnloop.ops.backup import BackupError, verify_backup
from learnloop.ops.portability import Target
from tests.ops.helpers import build_varied_data, operate, run_learnloop
from tests.ops.rowhash import differences
from tests.ops.test_backup_restore import backup, read_archive, restore, write_archive

KEY = {"LEARNLOOP_BACKUP_KEY": "portability drill key, the same on both installations"}


def _edit_row(lines: list[bytes], label: str, pk, change) -> list[bytes]:
    edited = []
    for line in lines:
        row = json.loads(line)
        if row["model"] == label and (pk is None or row["pk"] == pk):
            change(row["fields"])
            line = (json.dumps(row) + "\n").encode()
            pk = row["pk"]  # only the first matching row
        edited.append(line)
    return edited


@pytest.fixture
def archive_with(db, tmp_path, settings):
    """archive_with(label, change) -> a signed archive whose first `label` row was changed."""
    settings.BACKUP_KEY = KEY["LEARNLOOP_BACKUP_KEY"]  # the key the other processes use too
    build_varied_data()
    manifest, lines = read_archive(backup(tmp_path / "valid.zip"))

    def make(label, change, name="odd.zip"):
        return write_archive(tmp_path / name, manifest, _edit_row(lines, label, None, change))

    return make


def _set(**values):
    return lambda fields: fields.update(values)


@pytest.mark.parametrize(
    ("label", "change", "column", "why"),
    [
        ("org.person", _set(full_name="Nul\x00Byte"), "full_name", "NUL character"),
        ("audit.auditevent", _set(detail={"note": "a\x00b"}), "detail", "jsonb can't store"),
        ("org.organization", _set(anonymity_threshold=70_000), "anonymity_threshold", "out of range"),
        ("org.team", _set(name="x" * 500), "name", "longer than its column"),
    ],
    ids=["nul-text", "nul-json", "smallint-range", "varchar-length"],
)
def test_verify_names_what_postgresql_would_refuse(archive_with, label, change, column, why):
    odd = archive_with(label, change)
    with pytest.raises(BackupError) as refused:
        verify_backup(odd, target=Target.named("postgresql"))
    message = str(refused.value)
    assert f"column {column}:" in message and why in message and "PostgreSQL" in message
    table = {"org.person": "org_person", "audit.auditevent": "audit_auditevent",
             "org.organization": "org_organization", "org.team": "org_team"}[label]
    assert f"Table {table}, row id=" in message
    # SQLite stores these values as they are: the same archive is fine for a SQLite target.
    assert verify_backup(odd, target=Target.named("sqlite"))["rows"] > 0


def test_a_lone_surrogate_fits_no_database(archive_with):
    odd = archive_with("org.person", _set(full_name="half \ud800 a character"))
    for vendor in ("sqlite", "postgresql"):
        with pytest.raises(BackupError, match="column full_name: text holds a lone surrogate"):
            verify_backup(odd, target=Target.named(vendor))


def test_every_problem_is_listed_up_to_a_limit(db, tmp_path):
    build_varied_data()
    manifest, lines = read_archive(backup(tmp_path / "valid.zip"))
    nul = [line.replace(b'"full_name": "', b'"full_name": "\\u0000') for line in lines]
    odd = write_archive(tmp_path / "many.zip", manifest, nul)
    with pytest.raises(BackupError) as refused:
        verify_backup(odd, target=Target.named("postgresql"))
    message = str(refused.value)
    named = sum(1 for line in lines if b'"full_name": "' in line)
    assert named > 1
    assert f"{named} values of the backup can't be loaded into this PostgreSQL database" in message
    assert message.count("column full_name") == min(named, 10)


def test_restore_verify_only_checks_against_the_configured_database(archive_with):
    """The measured problem: a NUL passed --verify-only and then failed the PostgreSQL restore."""
    odd = archive_with("org.person", _set(full_name="Nul\x00Byte"))
    if connection.vendor == "postgresql":
        for options in ({"verify_only": True}, {"yes": True}):
            with pytest.raises(CommandError, match=r"org_person, row id=\d+ .*column full_name: text holds a NUL"):
                restore(odd, **options)
    else:
        assert "it fits this sqlite database" in restore(odd, verify_only=True)


# --- The full demo, SQLite -> PostgreSQL -> SQLite ----------------------------------------------


@pytest.fixture(scope="module")
def demo_on_sqlite(migrated_sqlite_template, tmp_path_factory):
    """The real `learnloop demo` on a SQLite file, its backup, and the hashes of every row."""
    import shutil

    data_dir = tmp_path_factory.mktemp("demo") / "data"
    shutil.copytree(migrated_sqlite_template, data_dir)
    built = run_learnloop(data_dir, "demo", timeout=600, **KEY)
    assert built.returncode == 0, built.stderr[-3000:]
    archive = data_dir.parent / "demo-sqlite.zip"
    result = operate(data_dir, f"backup={archive}", "hash", **KEY)
    return archive, result["hashes"]


def test_a_full_demo_moves_from_sqlite_to_postgresql_and_back_row_for_row(
    demo_on_sqlite, postgres_target_url, sqlite_data_dir, tmp_path
):
    archive, original = demo_on_sqlite
    for label in ("org.person", "knowledge.entry", "reflection.card", "actions.action", "surveys.response",
                  "experiments.experiment", "activity.activityevent"):
        assert original[label][0] > 0, f"the demo should have {label} rows"

    from_postgres = tmp_path / "demo-postgresql.zip"
    # `restore` verifies the archive (signature, schema, every value fits) before it loads it.
    moved = operate(tmp_path, f"restore={archive}", "hash", f"backup={from_postgres}",
                    database_url=postgres_target_url, **KEY)
    assert "error" not in moved, moved.get("error")
    assert differences(original, moved["hashes"]) == []
    with zipfile.ZipFile(from_postgres) as made:
        assert json.loads(made.read("manifest.json"))["database_vendor"] == "postgresql"

    back = operate(sqlite_data_dir, f"restore={from_postgres}", "hash", **KEY)
    assert "error" not in back, back.get("error")
    assert differences(original, back["hashes"]) == []


def test_a_sqlite_backup_with_a_nul_is_refused_by_postgresql_before_anything_changes(
    archive_with, postgres_target_url, tmp_path
):
    odd = archive_with("org.person", _set(full_name="Nul\x00Byte"))
    checked = operate(tmp_path, f"verify={odd}", database_url=postgres_target_url, **KEY)
    assert "org_person" in checked["error"] and "column full_name: text holds a NUL character" in checked["error"]
