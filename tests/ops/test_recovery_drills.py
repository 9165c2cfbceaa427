"""Recovery drills: what operators rely on when things go wrong while Learnloop is busy.

(a) a backup taken under concurrent writes restores, into SQLite and PostgreSQL, exactly the
    moment its snapshot saw; (b) SIGKILL of `learnloop serve` in the middle of writes loses no
    acknowledged write and leaves no half-written one; (c) a PostgreSQL restart under load:
    the server's connections recover and no acknowledged write is lost.

The PostgreSQL drills use the suite's PostgreSQL server (a database beside the suite's own) or
a private throwaway cluster; (c) always restarts a private cluster, never a shared server.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.ops.drills import Writers, check_database, make_writer, serving
from tests.ops.helpers import operate, run_python, sqlite_env
from tests.ops.pgcluster import suite_postgres_url
from tests.ops.rowhash import differences

KEY = {"LEARNLOOP_BACKUP_KEY": "recovery drill key"}


@pytest.fixture
def drill_database(request, sqlite_data_dir, tmp_path):
    """(data_dir, env) of a database of the kind the suite runs on (a run on SQLite and a run on
    PostgreSQL cover both): a SQLite file of its own, or a PostgreSQL database beside the suite's."""
    if suite_postgres_url():
        return tmp_path, {"database_url": request.getfixturevalue("postgres_target_url")}
    return sqlite_data_dir, {}


def assert_whole(result: dict, acknowledged: dict[int, str]) -> None:
    assert result["integrity"] == "ok"
    assert result["foreign"] == 0
    missing = set(acknowledged) - set(result["entries"])
    assert not missing, f"acknowledged writes lost: {sorted(missing)}"
    for entry_id, parts in result["entries"].items():
        # Acknowledged or not, an entry that exists exists whole: no partial transaction.
        assert parts["versions"] == 1 and len(parts["tags"]) == 2 and parts["events"] == 1, (entry_id, parts)


# --- (b) SIGKILL of the server mid-write ----------------------------------------------------------


def test_sigkill_of_the_server_mid_write_loses_no_acknowledged_write(drill_database):
    data_dir, env = drill_database
    token = make_writer(data_dir, **env)
    prefix = f"sigkill {uuid.uuid4().hex[:8]}"
    with serving(data_dir, **env) as (base, process), Writers(base, token, prefix) as writers:
        writers.wait_for(10)
        os.killpg(process.pid, signal.SIGKILL)  # master and workers, mid-request
        process.wait(timeout=30)
        time.sleep(0.2)  # the writers see their connections cut
    acknowledged = dict(writers.acknowledged)
    assert len(acknowledged) >= 10 and writers.failures > 0  # the kill did land mid-load
    assert_whole(check_database(data_dir, prefix, **env), acknowledged)
    # The same database serves again after the kill.
    with serving(data_dir, **env) as (base, _), Writers(base, token, prefix + " after", threads=1) as after:
        after.wait_for(1)


# --- (c) PostgreSQL restarted during load -------------------------------------------------------


def test_a_postgresql_restart_under_load_loses_nothing_and_connections_recover(
    private_postgres, postgres_target_url, tmp_path
):
    url = private_postgres.clone(postgres_target_url, "learnloop_restart_drill")
    # Persistent connections (kept between requests) are the case that needs recovering.
    env = {"database_url": url, "DB_CONN_MAX_AGE": "600"}
    token = make_writer(tmp_path, **env)
    prefix = f"restart {uuid.uuid4().hex[:8]}"
    with serving(tmp_path, **env) as (base, _), Writers(base, token, prefix) as writers:
        writers.wait_for(10)
        acknowledged_before = writers.count()
        private_postgres.restart("immediate")  # every backend ends at once, then WAL recovery
        writers.wait_for(acknowledged_before + 15)
        writers.stop()
        # Once recovered, writes keep succeeding: the old connections were replaced, not kept failing.
        assert all(writers.results[-8:]), writers.results[-20:]
    assert_whole(check_database(tmp_path, prefix, **env), dict(writers.acknowledged))


# --- (a) a backup under concurrent writes ------------------------------------------------------

WRITE_UNTIL_STOPPED = """
import sys, time
from pathlib import Path
import django
django.setup()
from django.db import transaction
from learnloop.audit.models import AuditEvent
from learnloop.org.models import Organization, Team

stop = Path(sys.argv[1])
number = 0
while not stop.exists():
    number += 1
    with transaction.atomic():
        Team.objects.create(name=f"Team {number}", slug=f"team-{number}")
        AuditEvent.objects.create(kind="import", actor_label="writer", target=str(number), detail={"n": number})
    if number % 3 == 0:
        Organization.objects.filter(id=1).update(name=f"Renamed {number}")
    if number % 5 == 0:
        Team.objects.filter(slug=f"team-{number - 4}").delete()
    if number == 20:
        print("writing", flush=True)
print("wrote", number, flush=True)
"""

BACKUP_REPORTING_ITS_SNAPSHOT = """
import json, sys
from pathlib import Path
import django
django.setup()
from learnloop.ops import backup
from tests.ops.rowhash import table_hashes

class SnapshotHashes(backup.Progress):
    seen = None

    def step(self, amount=1, note=""):
        # Inside the backup's read transaction: the hashes of exactly what it is writing.
        if SnapshotHashes.seen is None:
            SnapshotHashes.seen = table_hashes()
        super().step(amount, note)

backup.Progress = SnapshotHashes
backup.create_backup(Path(sys.argv[1]))
print("RESULT " + json.dumps(SnapshotHashes.seen))
"""


def test_a_backup_under_concurrent_writes_restores_its_snapshot_into_both_databases(
    sqlite_data_dir, postgres_target_url, migrated_sqlite_template, tmp_path
):
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITE_UNTIL_STOPPED, str(stop)], env=sqlite_env(sqlite_data_dir),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "writing", writer.stderr.read()
        archive = tmp_path / "busy.zip"
        made = run_python(sqlite_data_dir, BACKUP_REPORTING_ITS_SNAPSHOT, str(archive), **KEY)
        assert made.returncode == 0, made.stderr[-3000:]
    finally:
        stop.touch()
        _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    snapshot = json.loads(next(line for line in made.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert snapshot["org.team"][0] > 0
    # The writers carried on during and after the snapshot: the live database moved past it.
    now = operate(sqlite_data_dir, "hash", **KEY)["hashes"]
    assert differences(snapshot, now)

    into_postgres = operate(tmp_path, f"restore={archive}", "hash", database_url=postgres_target_url, **KEY)
    assert differences(snapshot, into_postgres["hashes"]) == []
    fresh = tmp_path / "fresh"
    shutil.copytree(migrated_sqlite_template, fresh)
    into_sqlite = operate(fresh, f"restore={archive}", "hash", **KEY)
    assert differences(snapshot, into_sqlite["hashes"]) == []
