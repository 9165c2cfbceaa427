"""A consistent, read-only view of the whole database while other requests keep writing."""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def read_snapshot():
    """Every query inside sees the database as of one moment.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: a deferred transaction,
    which in WAL mode reads one snapshot without taking the write lock, so writers carry on
    (Django's own atomic() would BEGIN IMMEDIATE here and block them for the whole backup).
    """
    if connection.in_atomic_block:
        # Already inside a transaction (a test, or a caller's unit of work): it is the snapshot.
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        if connection.connection.in_transaction:
            # An enclosing read_snapshot() already holds the snapshot.
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        return
    with transaction.atomic():
        yield
