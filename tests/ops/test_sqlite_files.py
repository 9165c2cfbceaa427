"""The default SQLite database under real use: separate processes on one file in a temp dir.

These always use a SQLite file of their own, whatever database the rest of the suite runs on.
"""

import json
import sqlite3
import subprocess
import sys
import zipfile

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from learnloop.activity.models import ActivityEvent
from learnloop.org.models import Organization, Person, Team
from tests import factories
from tests.ops.helpers import SQLITE_NAME, run_learnloop, run_python, sqlite_env

WRITER = """
import sys, time
from pathlib import Path
import django
django.setup()
from django.db import transaction
from learnloop.audit.models import AuditEvent
from learnloop.org.models import Team

worker, rounds, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
while not go.exists():  # start together, so the writers really overlap
    time.sleep(0.005)
for number in range(rounds):
    with transaction.atomic():
        # Read, then write in the same transaction: the pattern that fails at once with
        # "database is locked" when transactions don't take the write lock up front.
        seen = AuditEvent.objects.filter(kind="import", target=worker).count()
        AuditEvent.objects.create(kind="import", actor_label=worker, target=worker, detail={"seen": seen})
        Team.objects.create(name=f"{worker} team {number}", slug=f"{worker}-team-{number}")
    AuditEvent.objects.create(kind="export", actor_label=worker, target=worker)  # autocommit write
print("done", worker)
"""


def test_the_sqlite_database_is_in_wal_mode(sqlite_data_dir):
    with sqlite3.connect(sqlite_data_dir / SQLITE_NAME) as database:
        assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_concurrent_writers_never_see_database_is_locked(sqlite_data_dir, tmp_path):
    workers, rounds = 4, 15
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, f"w{index}", str(rounds), str(go)],
            env=sqlite_env(sqlite_data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for index in range(workers)
    ]
    go.touch()
    results = [(process, *process.communicate(timeout=180)) for process in processes]
    for process, out, err in results:
        assert "locked" not in err
        assert process.returncode == 0, err
        assert out.startswith("done")
    with sqlite3.connect(sqlite_data_dir / SQLITE_NAME) as database:
        events = database.execute("SELECT target, detail FROM audit_auditevent WHERE kind = 'import'").fetchall()
        assert len(events) == workers * rounds
        # Each worker saw its own earlier writes: 0, 1, 2, ... (no lost or reordered transactions).
        for index in range(workers):
            seen = sorted(json.loads(detail)["seen"] for target, detail in events if target == f"w{index}")
            assert seen == list(range(rounds))
        assert database.execute("SELECT count(*) FROM org_team").fetchone()[0] == workers * rounds
        assert database.execute(
            "SELECT count(*) FROM audit_auditevent WHERE kind = 'export'"
        ).fetchone()[0] == workers * rounds


PAUSED_BACKUP = """
import sys
from pathlib import Path
import django
django.setup()
from learnloop.ops import backup

class PausingProgress(backup.Progress):
    paused = False

    def step(self, amount=1, note=""):
        # The first step comes after the snapshot was opened and the first rows were read.
        if not PausingProgress.paused:
            PausingProgress.paused = True
            print("snapshot open", flush=True)
            sys.stdin.readline()
        super().step(amount, note)

backup.Progress = PausingProgress
summary = backup.create_backup(Path(sys.argv[1]))
print("rows", summary.rows, flush=True)
"""

INSERT_EVENT = (
    "INSERT INTO audit_auditevent (kind, actor_label, target, detail, created_at) "
    "VALUES ('login', 'writer', ?, '{}', '2030-01-01 00:00:00')"
)


def test_a_running_backup_does_not_block_writers_and_sees_one_moment(sqlite_data_dir, tmp_path):
    database_path = sqlite_data_dir / SQLITE_NAME
    with sqlite3.connect(database_path) as database:
        database.execute(INSERT_EVENT, ("before the backup",))
    archive = tmp_path / "online.zip"
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSED_BACKUP, str(archive)], env=sqlite_env(sqlite_data_dir),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout.readline().strip() == "snapshot open", process.stderr.read()
        # The backup's read transaction is open. Another connection writes and commits; with a
        # write lock held by the backup it would wait out its timeout and fail.
        writer = sqlite3.connect(database_path, timeout=3)
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute(INSERT_EVENT, ("during the backup",))
            writer.commit()
        finally:
            writer.close()
        process.stdin.write("\n")
        process.stdin.flush()
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    with sqlite3.connect(database_path) as database:
        assert database.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == 2
    with zipfile.ZipFile(archive) as backup:
        manifest = json.loads(backup.read("manifest.json"))
        rows = [json.loads(line) for line in backup.read("data.jsonl").splitlines()]
    targets = [row["fields"]["target"] for row in rows if row["model"] == "audit.auditevent"]
    # The backup is the database as it was when the snapshot opened: the later write is not in it.
    assert targets == ["before the backup"]
    assert manifest["models"]["audit.auditevent"] == 1
    assert f"rows {manifest['rows']}" in out


MAKE_DATA = """
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from learnloop.activity.services import record_activity
from learnloop.org.models import Membership, Organization, Person, Team

org = Organization.current()
org.name = "Made on SQLite"
org.save()
boss = Person(email="boss@example.org", full_name="Bea Boss", role="admin", title="CEO")
boss.set_password("correct horse battery staple")
boss.save()
worker = Person(email="worker@example.org", full_name="Wim Worker", manager=boss,
                is_active=False, deactivated_at=timezone.now() - timedelta(days=2))
worker.set_unusable_password()
worker.save()
department = Team.objects.create(name="Ops", slug="ops", kind="department")
team = Team.objects.create(name="Night Shift", slug="night-shift", parent=department)
Membership.objects.create(person=boss, team=team, role="facilitator")
record_activity(verb="created", subject=team, actor=boss, data={"ok": True})
record_activity(verb="viewed", subject=team, anonymous=True)
"""


@pytest.mark.real_password_hasher  # the SQLite side hashed the password with argon2
@pytest.mark.django_db(transaction=True)
def test_a_backup_made_on_sqlite_restores_into_this_database(sqlite_data_dir, tmp_path, settings):
    """On a PostgreSQL run this is the SQLite-demo-to-PostgreSQL move the docs promise."""
    made = run_python(sqlite_data_dir, MAKE_DATA)
    assert made.returncode == 0, made.stderr
    archive = tmp_path / "from-sqlite.zip"
    # Another installation: the same backup key on both sides, as docs/operations.md says.
    settings.BACKUP_KEY = "the key both installations share"
    backed_up = run_learnloop(sqlite_data_dir, "backup", str(archive), LEARNLOOP_BACKUP_KEY=settings.BACKUP_KEY)
    assert backed_up.returncode == 0, backed_up.stderr
    factories.person(email="here.before@example.org")

    call_command("restore", str(archive), yes=True, stdout=_Null(), stderr=_Null())

    assert Organization.current().name == "Made on SQLite"
    assert not Person.objects.filter(email="here.before@example.org").exists()
    boss = authenticate(email="boss@example.org", password="correct horse battery staple")
    assert boss is not None and boss.role == "admin"
    worker = Person.objects.get(email="worker@example.org")
    assert worker.manager == boss and not worker.is_active and worker.deactivated_at is not None
    night_shift = Team.objects.get(slug="night-shift")
    assert night_shift.parent.slug == "ops"
    assert list(night_shift.memberships.values_list("person__email", "role")) == [("boss@example.org", "facilitator")]
    events = sorted(ActivityEvent.objects.values_list("verb", "actor_id"))
    assert events == [("created", boss.id), ("viewed", None)]
    # New rows still get ids of their own.
    factories.person(email="after@example.org")
    factories.team(name="After")


class _Null:
    def write(self, text):
        pass

    def flush(self):
        pass
