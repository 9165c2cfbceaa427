"""Tools for the recovery drills: a real `learnloop serve`, API writers, checks of the result."""

import http.client
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.ops.helpers import LEARNLOOP, run_python, sqlite_env
from tests.ops.pgcluster import free_port

MAKE_WRITER = """
import django
django.setup()
from learnloop.accounts.services import create_api_token
from learnloop.org.models import Organization, Person

Organization.current()
email = "{email}"
person = Person.objects.create(email=email, full_name="Drill Writer", role="admin")
_, raw = create_api_token(person=person, name="drill")
print("TOKEN " + raw)
"""

# What every acknowledged write must have left behind, whole: the entry, its first version,
# its two tags and its activity event are written in one transaction.
CHECK = """
import json, sys
import django
django.setup()
from django.db import connection
from learnloop.activity.models import ActivityEvent
from learnloop.knowledge.models import Entry, EntryVersion

prefix = sys.argv[1]
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        integrity = cursor.execute("PRAGMA integrity_check").fetchall()
        integrity = ";".join(row[0] for row in integrity)
        foreign = cursor.execute("PRAGMA foreign_key_check").fetchall()
else:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        integrity = "ok" if cursor.fetchone() == (1,) else "no answer"
    foreign = []
connection.check_constraints()  # every foreign key of every table points at a row
entries = {}
for entry in Entry.objects.filter(title__startswith=prefix).prefetch_related("tags"):
    entries[entry.id] = {
        "versions": EntryVersion.objects.filter(entry=entry).count(),
        "tags": sorted(tag.name for tag in entry.tags.all()),
        "events": ActivityEvent.objects.filter(subject_type="knowledge.entry", subject_id=str(entry.id),
                                               verb="created").count(),
    }
print("RESULT " + json.dumps({"integrity": integrity, "foreign": len(foreign), "entries": entries}))
"""


def make_writer(data_dir: Path, **env) -> str:
    made = run_python(data_dir, MAKE_WRITER.replace("{email}", f"drill-{uuid.uuid4().hex[:8]}@example.org"), **env)
    assert made.returncode == 0, made.stderr[-3000:]
    return next(line for line in made.stdout.splitlines() if line.startswith("TOKEN ")).removeprefix("TOKEN ")


def check_database(data_dir: Path, prefix: str, **env) -> dict:
    done = run_python(data_dir, CHECK, prefix, **env)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["entries"] = {int(key): value for key, value in result["entries"].items()}
    return result


@contextmanager
def serving(data_dir: Path, **env):
    """`learnloop serve` in a process group of its own; yields (base_url, process)."""
    port = free_port()
    # The server's log goes to a file: a pipe nobody reads fills up with the tracebacks of failed
    # requests and then blocks the server.
    log = data_dir / f"serve-{port}.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(LEARNLOOP), "serve", "--port", str(port), "--workers", "2", "--threads", "4"],
            env=sqlite_env(data_dir, **env), cwd=data_dir, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=log_file,
        )
    process.log = log
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _healthy(base), timeout=60, what="the server to answer /healthz", process=process)
        yield base, process
    finally:
        kill_group(process)


def kill_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 (http to our server)
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def wait_for(condition, *, timeout: float, what: str, process=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited while waiting for {what}: {process.log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class Writers:
    """Threads that write knowledge entries through the API and remember which were acknowledged
    (a 201 with the new entry's id). Anything else - an error status, a refused or cut
    connection - is a write the client can't count on, and it carries on trying."""

    def __init__(self, base: str, token: str, prefix: str, threads: int = 4):
        self.base, self.token, self.prefix = base, token, prefix
        self.acknowledged: dict[int, str] = {}
        self.failures = 0
        self.reasons: dict[str, int] = {}  # why attempts failed, for the assertion messages
        self.results: list[bool] = []  # success of each attempt, in order of completion
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(index,), daemon=True) for index in range(threads)]

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def stop(self):
        self.__exit__()

    def _run(self, index: int) -> None:
        number = 0
        while not self._stop.is_set():
            number += 1
            title = f"{self.prefix} {index}-{number}"
            body = json.dumps({"kind": "lesson", "title": title, "body": "Written during a drill.",
                               "tags": ["drill", f"writer-{index}"]}).encode()
            request = urllib.request.Request(  # noqa: S310 (http to our server)
                f"{self.base}/api/v1/knowledge/entries", data=body, method="POST",
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            )
            reason = ""
            try:
                with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                    created = json.loads(response.read())
                    ok = response.status == 201
            except urllib.error.HTTPError as error:
                ok, reason = False, f"HTTP {error.code}"
            except (OSError, urllib.error.URLError, ValueError, http.client.HTTPException) as error:
                # A response cut off by the kill (IncompleteRead) acknowledged nothing.
                ok, reason = False, type(error).__name__
            with self._lock:
                self.results.append(ok)
                if ok:
                    self.acknowledged[created["id"]] = title
                else:
                    self.failures += 1
                    self.reasons[reason] = self.reasons.get(reason, 0) + 1
            if not ok:
                time.sleep(0.05)

    def count(self) -> int:
        with self._lock:
            return len(self.acknowledged)

    def wait_for(self, acknowledged: int, timeout: float = 120) -> None:
        try:
            wait_for(lambda: self.count() >= acknowledged, timeout=timeout, what=f"{acknowledged} acknowledged writes")
        except AssertionError as error:
            raise AssertionError(f"{error} (have {self.count()}; failed attempts: {self.reasons})") from None
