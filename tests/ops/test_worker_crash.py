"""Real worker processes: one is SIGKILLed mid-task, one is stopped with SIGTERM mid-task, a
third works alongside, and every reminder, digest and survey invitation still goes out exactly once.

Emails are captured as files (tests/ops/mail_capture.py) and told apart by their Message-ID,
which is stable per logical email, so a duplicate would show up as a repeated id.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.ops.helpers import LEARNLOOP, REPO, sqlite_env
from tests.ops.mail_capture import captured_files, message_ids

GIVE_UP_AFTER = 90  # seconds; only reached when something is broken


@pytest.fixture
def worker_env(request, tmp_path):
    """The environment for Learnloop subprocesses sharing this test's database, mail captured."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        env = dict(os.environ, PYTHONPATH=str(REPO), LEARNLOOP_DATA_DIR=str(tmp_path / "data"),
                   DATABASE_URL=f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    else:
        env = sqlite_env(request.getfixturevalue("sqlite_data_dir"))
    mail = tmp_path / "mail"
    mail.mkdir()
    env.update(
        EMAIL_BACKEND="tests.ops.mail_capture.CaptureBackend", MAIL_CAPTURE_DIR=str(mail),
        TASK_LEASE_SECONDS="2", TASK_RETRY_BASE_SECONDS="1", TASK_MAX_ATTEMPTS="5",
    )
    env.pop("EMAIL_HOST", None)
    return env, mail


@pytest.fixture
def start_worker(worker_env, tmp_path):
    env, _mail = worker_env
    started = []

    def start(name: str) -> tuple[subprocess.Popen, object]:
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [str(LEARNLOOP), "worker", "--no-startup-delay", "--interval", "0.2", "--worker-id", name],
            env=env, cwd=tmp_path, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process, log

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + GIVE_UP_AFTER
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def stall_after(mail, count: int) -> None:
    (mail / "stalled").unlink(missing_ok=True)
    (mail / "stall-after").write_text(str(count))


# Real transactions: the worker processes share this test's PostgreSQL database and see committed
# rows only. On SQLite they use a file of their own (the test database is in memory).
@pytest.mark.django_db(transaction=True)
def test_killed_and_stopped_workers_lose_no_email_and_send_none_twice(worker_env, start_worker, tmp_path):
    env, mail = worker_env
    scenario = subprocess.run(
        [sys.executable, "-m", "tests.ops.queue_scenario"], env=env, cwd=REPO,
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert scenario.returncode == 0, scenario.stderr
    expected = json.loads(scenario.stdout.strip().splitlines()[-1])
    assert expected["kinds"] == ["digest", "reminder", "survey-invitation"]
    assert len(expected["message_ids"]) == expected["tasks"] > 10

    # A worker is killed outright in the middle of a task: it has sent 5 emails and is sending the
    # 6th. Two more workers start meanwhile (starting takes seconds); they share the rest.
    stall_after(mail, 5)
    killed, _log = start_worker("killed")
    wait_for(lambda: (mail / "stalled").exists(), "the first worker to reach its 6th email")
    stall_after(mail, 9)  # the killed worker stays where it is; the next to reach the 10th email stalls
    workers = {process.pid: (process, log) for process, log in (start_worker(f"w{n}") for n in range(2))}
    killed.send_signal(signal.SIGKILL)
    killed.wait()

    # SIGTERM in the middle of a task: that task is finished, no other one is started.
    wait_for(lambda: (mail / "stalled").exists(), "a worker to reach the 10th email")
    stopping, log = workers.pop(int((mail / "stalled").read_text()))
    stopping.send_signal(signal.SIGTERM)
    wait_for(lambda: "then stopping" in log.read_text(), "the worker to take the signal")
    (mail / "stall-after").unlink()
    assert stopping.wait(timeout=GIVE_UP_AFTER) == 0
    after_signal = log.read_text().split("then stopping", 1)[1]
    assert after_signal.count("state=SUCCESSFUL") == 1 and "state=RUNNING" not in after_signal

    # The other worker does the rest, including the task of the killed worker once its lease has
    # run out; then it stops on SIGTERM while idle.
    [(other, other_log)] = workers.values()
    wait_for(lambda: len(captured_files(mail)) >= len(expected["message_ids"]), "every email")
    wait_for(lambda: "started" in other_log.read_text(), "the other worker to start")  # handlers are set
    other.send_signal(signal.SIGTERM)
    assert other.wait(timeout=GIVE_UP_AFTER) == 0

    assert Counter(message_ids(mail)) == Counter(expected["message_ids"])  # each exactly once
    # The killed worker's task was tried twice; every other task once; all are done.
    assert Counter(task_states(env)) == {("SUCCESSFUL", 1): expected["tasks"] - 1, ("SUCCESSFUL", 2): 1}


def task_states(env) -> list[tuple[str, int]]:
    """(status, attempts) of every task, read straight from the workers' database."""
    query = (
        "SELECT t.status, l.attempts FROM django_tasks_database_dbtaskresult t"
        " LEFT JOIN ops_tasklease l ON l.task_id = t.id"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchall()
    with closing(sqlite3.connect(Path(env["LEARNLOOP_DATA_DIR"]) / "learnloop.sqlite3")) as database:
        return database.execute(query).fetchall()
