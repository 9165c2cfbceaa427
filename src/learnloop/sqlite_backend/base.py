"""Django's SQLite backend, made to keep reading when the data directory can't be written.

In WAL mode every reader needs the -wal and -shm files next to the database. SQLite removes
them when the last connection closes and creates them again on the next open, which fails on a
full disk ("disk I/O error") or in a read-only directory ("unable to open database file"): with
a connection per request, reads failed as soon as the disk filled up. So:

- a server process keeps one idle connection open for its lifetime (`keep_files_open`, called
  from learnloop.wsgi), so the -wal and -shm files always exist while it serves; it holds no
  transaction, so checkpoints go on as before;
- where the directory is read-only and those files don't exist (the server started on a
  read-only mount), the database is opened read-only and immutable: nothing can change it there,
  and SQLite then needs no -shm file. Writes answer "attempt to write a readonly database";
- a read-only database refuses BEGIN IMMEDIATE (it asks for the write lock), which would fail
  reads that happen in a transaction (get_or_create finding its row, select_for_update): there
  the transaction begins DEFERRED instead, and only an actual write in it fails.
"""

import os
import sqlite3
import threading
from pathlib import Path
from urllib.parse import quote

from django.db import DatabaseError
from django.db.backends.sqlite3 import base

_keepers: dict[str, sqlite3.Connection] = {}
_keepers_lock = threading.Lock()
_keep = False


def keep_files_open() -> None:
    """Hold each SQLite database this process opens with one idle connection (servers only)."""
    global _keep
    _keep = True


def _file_path(name) -> Path | None:
    name = str(name)
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return Path(name)


def _hold(path: Path) -> None:
    key = str(path)
    if key in _keepers:
        return
    with _keepers_lock:
        if key in _keepers:
            return
        keeper = sqlite3.connect(key, check_same_thread=False)
        keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the -wal/-shm pair
        _keepers[key] = keeper


class DatabaseWrapper(base.DatabaseWrapper):
    opened_read_only = False

    def get_new_connection(self, conn_params):
        path = _file_path(conn_params.get("database"))
        try:
            connection = super().get_new_connection(conn_params)
        except sqlite3.OperationalError as error:
            if path is None or not path.exists() or os.access(path.parent, os.W_OK):
                raise
            if getattr(error, "sqlite_errorname", "") != "SQLITE_CANTOPEN":
                raise
            connection = super().get_new_connection(
                {**conn_params, "database": f"file:{quote(str(path))}?mode=ro&immutable=1", "uri": True}
            )
            self.opened_read_only = True
            return connection
        self.opened_read_only = False
        if _keep and path is not None:
            _hold(path)
        return connection

    def _start_transaction_under_autocommit(self):
        from learnloop.ops import storage

        try:
            super()._start_transaction_under_autocommit()
        except DatabaseError as error:
            if storage.storage_problem(error) != storage.READ_ONLY:
                raise
            self.cursor().execute("BEGIN DEFERRED")
