"""`learnloop backup` / `learnloop restore`: nothing lost, nothing restored that can't be verified."""

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from learnloop.activity.models import ActivityEvent
from learnloop.activity.services import record_activity
from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.ops import signing
from learnloop.org.models import Membership, Organization, Person, Team
from tests import factories
from tests.ops.helpers import all_rows, build_varied_data


def backup(path: Path) -> Path:
    call_command("backup", str(path), stdout=_Sink(), stderr=_Sink())
    return path


def restore(path: Path, **options) -> str:
    out = _Sink()
    call_command("restore", str(path), stdout=out, stderr=_Sink(), **options)
    return out.text


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def read_archive(path: Path) -> tuple[dict, list[bytes]]:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        lines = archive.read("data.jsonl").splitlines(keepends=True)
    return manifest, lines


def write_archive(
    path: Path, manifest: dict | None, lines: list[bytes] | None, *, reseal: bool = True, sign: bool = True,
) -> Path:
    """Write an archive; with reseal the manifest's checksum and counts are made to fit the data.
    With sign the manifest is signed with this installation's key, as a buggy tool holding the
    key would, so only the checks behind the signature can catch the problem."""
    if reseal and manifest is not None and lines is not None:
        manifest = dict(manifest, data_sha256=hashlib.sha256(b"".join(lines)).hexdigest())
        counts: dict[str, int] = {}
        for line in lines:
            label = json.loads(line)["model"]
            counts[label] = counts.get(label, 0) + 1
        manifest["models"], manifest["rows"] = counts, len(lines)
    with zipfile.ZipFile(path, "w") as archive:
        if manifest is not None:
            manifest_bytes = json.dumps(manifest).encode()
            archive.writestr("manifest.json", manifest_bytes)
            if sign:
                archive.writestr("signature.json", signing.signature_for(manifest_bytes))
        if lines is not None:
            archive.writestr("data.jsonl", b"".join(lines))
    return path


def rows_of(lines: list[bytes], label: str) -> list[dict]:
    return [json.loads(line) for line in lines if json.loads(line)["model"] == label]


# --- The round trip -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_restore_brings_back_every_row_exactly_and_the_app_keeps_working(tmp_path):
    data = build_varied_data()
    before = all_rows()
    for label in ("org.organization", "org.person", "org.team", "org.membership", "org.invitation",
                  "accounts.apitoken", "audit.auditevent", "activity.activityevent"):
        assert before[label], f"the test data should include {label} rows"
    assert any(row["actor_id"] is None for row in before["activity.activityevent"])

    archive = backup(tmp_path / "learnloop.zip")
    assert AuditEvent.objects.filter(kind=AuditKind.BACKUP, target=str(archive)).exists()

    # Life goes on after the backup: rows change, disappear and appear.
    signed_in = Client()
    signed_in.force_login(data["member"])
    assert Session.objects.exists()
    Organization.objects.filter(id=1).update(name="Renamed", anonymity_threshold=9)
    data["lead"].set_password("a brand new passphrase")
    data["lead"].save()
    data["member"].api_tokens.all().delete()
    data["no_password"].delete()  # cascades to memberships, clears invitations' accepted_by
    Membership.objects.filter(team=data["archived"]).delete()
    data["archived"].delete()
    factories.person(email="newcomer@example.org")
    record_activity(verb="created", subject=data["team"], actor=data["ceo"])
    assert all_rows() != before

    output = restore(archive, yes=True)
    assert "Restored" in output

    after = all_rows()
    restore_events = [row for row in after["audit.auditevent"] if row["kind"] == AuditKind.RESTORE]
    assert len(restore_events) == 1
    after["audit.auditevent"] = [row for row in after["audit.auditevent"] if row["kind"] != AuditKind.RESTORE]
    assert after.keys() == before.keys()
    for label in before:
        assert after[label] == before[label], f"{label} differs after the restore"

    # Restoring signs everyone out.
    assert not Session.objects.exists()
    assert signed_in.get("/people/").status_code == 302

    assert Person.objects.get(email="invitee@example.org").memberships.exists()
    # People sign in with the passwords they had when the backup was made.
    assert authenticate(email="member@example.org", password=factories.PASSWORD) == data["member"]
    assert authenticate(email="lead@example.org", password=factories.PASSWORD) == data["lead"]
    assert authenticate(email="lead@example.org", password="a brand new passphrase") is None
    assert authenticate(email="leaver@example.org", password=factories.PASSWORD) is None  # still deactivated

    # New rows get fresh ids (the database's sequences were moved past the restored rows).
    newest_person = max(row["id"] for row in before["org.person"])
    assert factories.person(email="after.restore@example.org").id > newest_person
    assert factories.team(name="After Restore").id > max(row["id"] for row in before["org.team"])
    event = record_activity(verb="created", subject=data["team"], actor=data["ceo"])
    assert event.id > max(row["id"] for row in before["activity.activityevent"])
    audit = AuditEvent.objects.create(kind=AuditKind.LOGIN)
    assert audit.id > max(row["id"] for row in before["audit.auditevent"])


@pytest.mark.django_db(transaction=True)
def test_restore_onto_a_fresh_database_and_carry_on(tmp_path):
    """Moving to a new server: its tables are empty and its id sequences start again at 1."""
    data = build_varied_data()
    before = all_rows()
    archive = backup(tmp_path / "move.zip")
    call_command("flush", interactive=False, verbosity=0)  # empty, sequences reset
    assert not Person.objects.exists()

    restore(archive, yes=True)

    after = all_rows()
    after["audit.auditevent"] = [row for row in after["audit.auditevent"] if row["kind"] != AuditKind.RESTORE]
    assert after == before
    # Every kind of row can be added again without colliding with a restored id.
    person = factories.person(email="first.after.move@example.org")
    team = factories.team(name="First After Move")
    factories.membership(person, team)
    record_activity(verb="created", subject=team, actor=person)
    record_activity(verb="viewed", subject=team, anonymous=True)
    AuditEvent.objects.create(kind=AuditKind.LOGIN, actor=person)
    Organization.current()
    assert authenticate(email=data["ceo"].email, password=factories.PASSWORD) == data["ceo"]


@pytest.mark.django_db(transaction=True)
def test_backup_archive_describes_its_contents(tmp_path):
    build_varied_data()
    archive = backup(tmp_path / "b.zip")
    manifest, lines = read_archive(archive)
    assert manifest["format"] == "learnloop-backup"
    assert manifest["database_vendor"] == connection.vendor
    assert manifest["rows"] == len(lines) == sum(manifest["models"].values())
    assert manifest["models"]["org.person"] == Person.objects.count()
    assert manifest["data_sha256"] == hashlib.sha256(b"".join(lines)).hexdigest()
    assert "org" in manifest["migrations"]
    assert all(json.loads(line)["model"] != "sessions.session" for line in lines)
    assert not list(tmp_path.glob("*.partial"))
    with zipfile.ZipFile(archive) as opened:
        signature = json.loads(opened.read("signature.json"))
        manifest_bytes = opened.read("manifest.json")
    assert signature["algorithm"] == "HMAC-SHA256"
    assert signature["key_id"] == signing.current_key().key_id
    assert signature["manifest_hmac"] == signing.current_key().sign(manifest_bytes)


# --- Refusals -------------------------------------------------------------------------------


@pytest.fixture
def valid_backup(db, tmp_path):
    build_varied_data()
    path = backup(tmp_path / "valid.zip")
    # The database moves on, so a restore that went ahead would be visible.
    Organization.objects.filter(id=1).update(name="Changed since the backup")
    factories.person(email="since@example.org")
    return path


def _not_a_zip(path, manifest, lines):
    path.write_bytes(b"these are not the bytes you are looking for")


def _no_manifest(path, manifest, lines):
    write_archive(path, None, lines, reseal=False)


def _no_data(path, manifest, lines):
    write_archive(path, manifest, None, reseal=False)


def _manifest_not_json(path, manifest, lines):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", "{not json")
        archive.writestr("signature.json", signing.signature_for(b"{not json"))
        archive.writestr("data.jsonl", b"".join(lines))


def _other_format(path, manifest, lines):
    write_archive(path, dict(manifest, format="someone-elses-backup"), lines)


def _newer_format_version(path, manifest, lines):
    write_archive(path, dict(manifest, format_version=2), lines)


def _edited_data(path, manifest, lines):
    edited = [line.replace(b"Chidi Okafor", b"Mallory Okafor") for line in lines]
    assert edited != lines
    write_archive(path, manifest, edited, reseal=False)


def _dropped_row(path, manifest, lines):
    write_archive(path, manifest, lines[:-1], reseal=False)


def _wrong_counts(path, manifest, lines):
    models = dict(manifest["models"])
    models["org.person"] += 1
    write_archive(path, dict(manifest, models=models), lines, reseal=False)


def _wrong_total(path, manifest, lines):
    write_archive(path, dict(manifest, rows=manifest["rows"] + 1), lines, reseal=False)


def _unknown_model(path, manifest, lines):
    row = {"model": "payroll.salary", "pk": 1, "fields": {"amount": 1}}
    write_archive(path, manifest, [*lines, (json.dumps(row) + "\n").encode()])


def _unknown_field(path, manifest, lines):
    person = next(line for line in lines if json.loads(line)["model"] == "org.person")
    row = json.loads(person)
    row["fields"]["shoe_size"] = 44
    write_archive(path, manifest, [line if line != person else (json.dumps(row) + "\n").encode() for line in lines])


def _invalid_value(path, manifest, lines):
    event = next(line for line in lines if json.loads(line)["model"] == "audit.auditevent")
    row = json.loads(event)
    row["fields"]["created_at"] = "the day before yesterday"
    write_archive(path, manifest, [line if line != event else (json.dumps(row) + "\n").encode() for line in lines])


def _model_not_a_name(path, manifest, lines):
    write_archive(path, manifest, [*lines, b'{"model": {"app": "org"}, "pk": 1, "fields": {}}\n'], reseal=False)


def _migrations_missing(path, manifest, lines):
    write_archive(path, {key: value for key, value in manifest.items() if key != "migrations"}, lines)


def _newer_schema(path, manifest, lines):
    migrations = dict(manifest["migrations"])
    migrations["org"] = [*migrations["org"], "9999_from_the_future"]
    write_archive(path, dict(manifest, migrations=migrations), lines)


def _older_schema(path, manifest, lines):
    migrations = dict(manifest["migrations"])
    migrations["org"] = migrations["org"][:-1]
    write_archive(path, dict(manifest, migrations=migrations), lines)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_not_a_zip, "not a readable backup archive"),
        (_no_manifest, "no manifest.json"),
        (_no_data, "no data.jsonl"),
        (_manifest_not_json, "manifest can't be read"),
        (_other_format, "unknown format"),
        (_newer_format_version, "format version 2"),
        (_edited_data, "checksum does not match"),
        (_dropped_row, "checksum does not match"),
        (_wrong_counts, "row counts do not match"),
        (_wrong_total, "row counts do not match"),
        (_unknown_model, "unknown model 'payroll.salary'"),
        (_unknown_field, "does not fit this schema"),
        (_invalid_value, "does not fit this schema"),
        (_model_not_a_name, "unknown model"),
        (_migrations_missing, "does not list its schema migrations"),
        (_newer_schema, "newer Learnloop"),
        (_older_schema, "older Learnloop schema"),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_restore_refuses_an_archive_it_cannot_verify_and_changes_nothing(valid_backup, tmp_path, damage, message):
    manifest, lines = read_archive(valid_backup)
    damaged = tmp_path / "damaged.zip"
    damage(damaged, manifest, lines)
    before = all_rows()
    for options in ({"verify_only": True}, {"yes": True}):
        with pytest.raises(CommandError, match="Refusing to restore") as refused:
            restore(damaged, **options)
        assert message in str(refused.value)
        assert all_rows() == before


def test_restore_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        restore(tmp_path / "nowhere.zip", yes=True)


def test_verify_only_checks_a_good_backup_and_changes_nothing(valid_backup):
    before = all_rows()
    output = restore(valid_backup, verify_only=True)
    assert "is a valid backup" in output
    assert all_rows() == before
    assert Organization.current().name == "Changed since the backup"


def test_restore_asks_for_confirmation_and_a_no_changes_nothing(valid_backup, monkeypatch):
    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "no")
    before = all_rows()
    with pytest.raises(CommandError, match="cancelled"):
        restore(valid_backup)
    assert questions and "ALL current data" in questions[0]
    assert all_rows() == before


@pytest.mark.django_db(transaction=True)
def test_restore_after_typing_restore_goes_ahead(valid_backup, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda question: "restore")
    restore(valid_backup)
    assert Organization.current().name == "Zoë & Co — Überlingen"
    assert not Person.objects.filter(email="since@example.org").exists()


# --- All or nothing -------------------------------------------------------------------------


def _duplicate_email(lines):
    people = rows_of(lines, "org.person")
    twin = dict(people[0], pk=10_000)
    return [*lines, (json.dumps(twin) + "\n").encode()]


def _missing_foreign_key(lines):
    membership = rows_of(lines, "org.membership")[0]
    orphan = {"model": "org.membership", "pk": 10_000, "fields": dict(membership["fields"], person=987_654)}
    return [*lines, (json.dumps(orphan) + "\n").encode()]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("violation", [_duplicate_email, _missing_foreign_key], ids=["unique", "foreign-key"])
def test_a_restore_that_fails_while_loading_leaves_the_database_as_it_was(tmp_path, violation):
    build_varied_data()
    manifest, lines = read_archive(backup(tmp_path / "valid.zip"))
    # Checksum and counts fit, every row parses: only the database can notice the problem,
    # after it has already emptied the tables and loaded the rows before the bad one.
    broken = write_archive(tmp_path / "broken.zip", manifest, violation(lines))
    Organization.objects.filter(id=1).update(name="Current")
    factories.person(email="current@example.org")
    before = all_rows()

    assert "is a valid backup" in restore(broken, verify_only=True)
    with pytest.raises(CommandError, match="nothing was changed"):
        restore(broken, yes=True)
    assert all_rows() == before
    assert not AuditEvent.objects.filter(kind=AuditKind.RESTORE).exists()
    # ... and the database is still usable.
    factories.person(email="still.works@example.org")
    assert not ActivityEvent.objects.filter(verb="nope").exists()
    assert Team.objects.filter(name="Payments").exists()


def test_backup_to_a_missing_directory_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Can't write the backup"):
        backup(tmp_path / "no" / "such" / "dir" / "b.zip")


# --- Signatures -------------------------------------------------------------------------------


def _copy_signature(source: Path, target: Path) -> None:
    with zipfile.ZipFile(source) as original:
        signature = original.read("signature.json")
    with zipfile.ZipFile(target, "a") as archive:
        archive.writestr("signature.json", signature)


def test_an_archive_edited_and_rechecksummed_is_refused_by_its_signature(valid_backup, tmp_path):
    manifest, lines = read_archive(valid_backup)
    edited = [line.replace(b"Chidi Okafor", b"Mallory Okafor") for line in lines]
    assert edited != lines
    forged = write_archive(tmp_path / "forged.zip", manifest, edited, sign=False)  # checksum recomputed
    _copy_signature(valid_backup, forged)
    before = all_rows()
    for options in ({"verify_only": True}, {"yes": True}, {"yes": True, "allow_unsigned": True}):
        with pytest.raises(CommandError, match="signature does not match its contents") as refused:
            restore(forged, **options)
        assert "edited" in str(refused.value)
    assert all_rows() == before


def test_an_archive_signed_with_another_key_is_refused_and_names_the_key(valid_backup, tmp_path, settings):
    manifest, lines = read_archive(valid_backup)
    settings.BACKUP_KEY = "the forger's own key"
    forger_key = signing.current_key().key_id
    edited = [line.replace(b"Chidi Okafor", b"Mallory Okafor") for line in lines]
    forged = write_archive(tmp_path / "forged.zip", manifest, edited)
    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError, match="signed with another key") as refused:
        restore(forged, verify_only=True)
    assert forger_key in str(refused.value)
    assert signing.current_key().key_id in str(refused.value)


def test_an_unsigned_archive_is_refused_unless_allowed_explicitly(valid_backup, tmp_path):
    manifest, lines = read_archive(valid_backup)
    legacy = write_archive(tmp_path / "legacy.zip", manifest, lines, reseal=False, sign=False)
    before = all_rows()
    for options in ({"verify_only": True}, {"yes": True}):
        with pytest.raises(CommandError, match="not signed") as refused:
            restore(legacy, **options)
        assert "--allow-unsigned" in str(refused.value)
    assert all_rows() == before
    output = restore(legacy, verify_only=True, allow_unsigned=True)
    assert "UNSIGNED" in output
    # The flag lifts only the signature: a damaged unsigned archive is still refused.
    damaged = write_archive(tmp_path / "damaged.zip", manifest, lines[:-1], reseal=False, sign=False)
    with pytest.raises(CommandError, match="checksum does not match"):
        restore(damaged, verify_only=True, allow_unsigned=True)


@pytest.mark.django_db(transaction=True)
def test_an_unsigned_archive_restores_with_the_flag(tmp_path):
    build_varied_data()
    manifest, lines = read_archive(backup(tmp_path / "made.zip"))
    legacy = write_archive(tmp_path / "legacy.zip", manifest, lines, reseal=False, sign=False)
    Organization.objects.filter(id=1).update(name="Changed")
    restore(legacy, yes=True, allow_unsigned=True)
    assert Organization.current().name == "Zoë & Co — Überlingen"
    event = AuditEvent.objects.get(kind=AuditKind.RESTORE)
    assert event.detail["signed_with"] is None


def test_key_rotation_keeps_old_backups_restorable(db, tmp_path, settings):
    build_varied_data()
    settings.BACKUP_KEY = "the old key"
    old_key_id = signing.current_key().key_id
    old = backup(tmp_path / "old.zip")
    settings.BACKUP_KEY = "the new key"
    with pytest.raises(CommandError, match="signed with another key"):
        restore(old, verify_only=True)
    settings.BACKUP_KEY_FALLBACKS = ["the old key"]
    assert f"signed with key {old_key_id}" in restore(old, verify_only=True)
    # The old key still verifies; it no longer signs.
    new = backup(tmp_path / "new.zip")
    with zipfile.ZipFile(new) as archive:
        assert json.loads(archive.read("signature.json"))["key_id"] == signing.current_key().key_id != old_key_id


def test_an_explicit_key_survives_a_new_secret_key_and_the_derived_one_does_not(db, tmp_path, settings):
    build_varied_data()
    settings.BACKUP_KEY = ""
    derived = backup(tmp_path / "derived.zip")
    settings.BACKUP_KEY = "kept apart from the backups"
    explicit = backup(tmp_path / "explicit.zip")
    settings.SECRET_KEY = "a different installation's secret key"
    assert "is a valid backup" in restore(explicit, verify_only=True)
    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError, match="signed with another key"):
        restore(derived, verify_only=True)


def test_a_garbled_signature_is_refused(valid_backup, tmp_path):
    manifest, lines = read_archive(valid_backup)
    garbled = write_archive(tmp_path / "garbled.zip", manifest, lines, reseal=False, sign=False)
    with zipfile.ZipFile(garbled, "a") as archive:
        archive.writestr("signature.json", "{not json")
    with pytest.raises(CommandError, match="signature can't be read"):
        restore(garbled, verify_only=True, allow_unsigned=True)
