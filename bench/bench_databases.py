"""PostgreSQL databases for the benchmarks: each run creates its own and drops only that one.

A benchmark must never drop a database it did not create (someone's data, or another run's
database on a shared server). So a run picks a name nobody uses (`unique_url`), creates it
(`CREATE DATABASE` fails if the name exists: nothing is overwritten) and drops it when it is
done (`temporary_database`).
"""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def _split(url: str) -> tuple[str, str]:
    server, _, name = url.rpartition("/")
    return server, name.split("?")[0]


def unique_url(server: str, prefix: str) -> str:
    """A database URL on `server` (a URL without a database name) whose name no one else uses."""
    return f"{server.rstrip('/')}/{prefix}_{os.getpid()}_{secrets.token_hex(3)}_bench"


@contextmanager
def temporary_database(url: str) -> Iterator[str]:
    """Create the database `url` names (refusing if it exists), yield the URL, then drop it."""
    import psycopg

    server, name = _split(url)
    admin_url = f"{server}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            raise SystemExit(f"refusing to use {name!r}: it exists already, and a benchmark only uses (and drops) "
                             "a database it creates itself; name a new one, or leave the name to the benchmark")
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
