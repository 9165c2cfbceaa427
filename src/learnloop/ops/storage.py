"""Degraded, not down: what happens when the database or the data directory can't be written.

A full disk, a read-only data directory (or file system) or a PostgreSQL server in read-only mode
stops writes, not reads. Learnloop keeps serving pages and signing people in; a write answers 503
with a message that says why (the web UI's 503 page, the API's JSON error), the condition is
logged once when it starts and once when it ends (not per request), admins see a banner and
/healthz reports it.

Writes are never refused in advance: each one is tried, so the first write after space is back
simply works (no restart). The "condition" below only drives the log, the banner and /healthz:
it starts with the first write that failed for lack of storage and ends with a write that
committed when no such failure was seen for RECOVERY_QUIET_SECONDS (a full disk can let a small
write through now and then; the quiet period keeps that from logging a recovery per request).

State is per process: each server worker notices the condition itself, from its own failed
writes or from the cheap check in `check_storage` (which /healthz and the admin banner use).
"""

import errno
import logging
import os
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger("learnloop.storage")

FULL = "full"
READ_ONLY = "read-only"
IO_ERROR = "io-error"

DESCRIPTIONS = {
    FULL: "the disk holding Learnloop's data is full",
    READ_ONLY: "Learnloop's data can't be written (read-only data directory or database)",
    IO_ERROR: "the disk holding Learnloop's data reports input/output errors",
}

# Below this much free space in the data directory, /healthz and the banner call the disk full:
# SQLite needs room for its write-ahead log before a transaction can commit.
MIN_FREE_BYTES = 1024 * 1024
RECOVERY_QUIET_SECONDS = 10
# How long the admin banner trusts its last look at the disk (a stat call and, on PostgreSQL,
# one query), so a page view doesn't pay for it every time.
CHECK_CACHE_SECONDS = 15

_OS_PROBLEMS = {errno.ENOSPC: FULL, errno.EDQUOT: FULL, errno.EROFS: READ_ONLY, errno.EIO: IO_ERROR}
_SQLITE_PROBLEMS = {"SQLITE_FULL": FULL, "SQLITE_READONLY": READ_ONLY, "SQLITE_IOERR": IO_ERROR}
_SQLITE_MESSAGES = {
    "database or disk is full": FULL,
    "attempt to write a readonly database": READ_ONLY,
    "disk i/o error": IO_ERROR,
}
# PostgreSQL: disk_full, and a read-only transaction (default_transaction_read_only, a standby).
_SQLSTATES = {"53100": FULL, "25006": READ_ONLY}


@dataclass(frozen=True)
class Condition:
    problem: str  # FULL, READ_ONLY or IO_ERROR
    since: datetime
    source: str  # "write" (a write failed) or "check" (the data directory or database says so)

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.problem]


def _causes(error: BaseException):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def storage_problem(error: BaseException) -> str | None:
    """FULL, READ_ONLY or IO_ERROR when `error` (or what caused it) says storage can't be written."""
    for cause in _causes(error):
        if isinstance(cause, sqlite3.Error):
            name = getattr(cause, "sqlite_errorname", "") or ""
            for prefix, problem in _SQLITE_PROBLEMS.items():
                if name == prefix or name.startswith(prefix + "_"):
                    return problem
            message = str(cause).lower()
            for text, problem in _SQLITE_MESSAGES.items():
                if text in message:
                    return problem
        sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if sqlstate in _SQLSTATES:
            return _SQLSTATES[sqlstate]
        if isinstance(cause, OSError) and cause.errno in _OS_PROBLEMS:
            return _OS_PROBLEMS[cause.errno]
    return None


# --- The process's view of the condition --------------------------------------------------------

_lock = threading.Lock()
_condition: Condition | None = None
_last_failure = 0.0


def note_failure(error: BaseException) -> Condition | None:
    """Record a failed write; logs when the condition starts. None if `error` isn't about storage."""
    global _condition, _last_failure
    problem = storage_problem(error)
    if problem is None:
        return None
    with _lock:
        _last_failure = time.monotonic()
        if _condition is None or _condition.source != "write":
            _condition = Condition(problem, timezone.now(), "write")
            logger.error(
                "Storage unavailable: %s (%s). Reads and sign-in go on; writes answer 503 until "
                "this is fixed. Logged once; the end is logged too.",
                _condition.description, _short(error),
            )
        return _condition


def note_write_committed() -> None:
    """A write reached the database: the condition ends once no write failed for a while."""
    global _condition
    if _condition is None:
        return
    with _lock:
        if _condition is None or time.monotonic() - _last_failure < RECOVERY_QUIET_SECONDS:
            return
        logger.warning("Storage available again: writes succeed (was: %s).", _condition.description)
        _condition = None


def recorded_condition() -> Condition | None:
    return _condition


def forget() -> None:
    """Back to "no condition" (tests)."""
    global _condition, _last_failure, _cached
    with _lock:
        _condition, _last_failure, _cached = None, 0.0, None


def _short(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


# --- Looking, without writing -------------------------------------------------------------------


def _directory_problem(directory: Path) -> str | None:
    if not directory.is_dir():
        return None
    if not os.access(directory, os.W_OK):
        return READ_ONLY
    try:
        if shutil.disk_usage(directory).free < MIN_FREE_BYTES:
            return FULL
    except OSError:
        return None
    return None


def _database_problem() -> str | None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('transaction_read_only'), pg_is_in_recovery()")
            read_only, standby = cursor.fetchone()
        return READ_ONLY if read_only == "on" or standby else None
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        if getattr(connection, "opened_read_only", False):
            return READ_ONLY
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            return None
        database = Path(name)
        if database.exists() and not os.access(database, os.W_OK):
            return READ_ONLY
        return _directory_problem(database.parent)
    return None


def check_storage() -> Condition | None:
    """The recorded condition, else what a look at the database and the data directory says.

    The look writes nothing: free space and write permission of the data directory (and of
    SQLite's directory), and on PostgreSQL whether transactions are read-only (a standby, or
    default_transaction_read_only). Raises if the database doesn't answer at all.
    """
    recorded = _condition
    if recorded is not None:
        return recorded
    problem = _database_problem() or _directory_problem(Path(settings.DATA_DIR))
    return Condition(problem, timezone.now(), "check") if problem else None


_cached: tuple[float, Condition | None] | None = None


def cached_check() -> Condition | None:
    """check_storage(), looked at no more than every CHECK_CACHE_SECONDS (for the admin banner)."""
    global _cached
    if _condition is not None:
        return _condition
    now = time.monotonic()
    if _cached is None or now - _cached[0] >= CHECK_CACHE_SECONDS:
        try:
            _cached = (now, check_storage())
        except Exception:  # the banner must never break a page; /healthz reports a dead database
            _cached = (now, None)
    return _cached[1]
