"""Opening a warehouse from a SQLAlchemy-style URL: read-only, with a time limit.

`chdb://` or `chdb:///PATH` (ClickHouse in-process through chDB, when installed: SQL that
reads files with `file(…)`, or a chDB database folder; queries run with readonly=2 and
max_execution_time), `duckdb:///PATH` (a DuckDB database file, opened read-only; `duckdb:///:memory:` or `duckdb://`
for queries over Parquet/CSV files in place), `postgresql://USER@HOST/DB` (psycopg 3; every
transaction READ ONLY, with a statement_timeout) and `clickhouse://…` (needs the
clickhouse-sqlalchemy driver, not installed by default). A URL may come from an environment
variable instead of the command line, so the password stays out of shell history; it is never
printed back (messages show the URL with the password masked).
"""

import json
import math
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_TIMEOUT = 600.0  # seconds
DEFAULT_DUCKDB_MEMORY = "1GB"
SCHEMES = {
    "duckdb": "duckdb",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "clickhouse": "clickhouse",
    "clickhouse+native": "clickhouse+native",
    "clickhouse+http": "clickhouse+http",
}
DUCKDB_SETTINGS = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


class SourceError(ValueError):
    """The warehouse can't be opened or refused the query; the message says why, without secrets."""


def _url(text: str):
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not isinstance(text, str) or not text.strip():
        raise SourceError("Give a data source URL, e.g. duckdb:///events.duckdb or postgresql://user@host/db.")
    try:
        url = make_url(text.strip())
    except ArgumentError:
        raise SourceError(
            "The data source is not a URL: use duckdb:///PATH, postgresql://USER@HOST/DB or clickhouse://HOST/DB."
        ) from None
    driver = SCHEMES.get(url.drivername)
    if driver is None:
        raise SourceError(
            f"Unknown data source kind {url.drivername!r}: use duckdb:///PATH, postgresql://… or clickhouse://…."
        )
    return url.set(drivername=driver)


def shown(url) -> str:
    return url.render_as_string(hide_password=True)


def _duckdb_path(url) -> str:
    database = url.database or ":memory:"
    if database == ":memory:":
        return database
    path = Path(database)
    # duckdb:///tmp/x.duckdb is, strictly, the relative path tmp/x.duckdb; analysts often mean /tmp/x.duckdb.
    if not path.exists() and not path.is_absolute() and Path("/" + database).exists():
        path = Path("/" + database)
    if not path.exists():
        raise SourceError(f"No DuckDB database at {database} (duckdb:///:memory: reads Parquet/CSV files in place).")
    return str(path)


def open_engine(text: str, *, memory_limit: str = DEFAULT_DUCKDB_MEMORY, threads: int | None = None):
    """A SQLAlchemy engine for the URL (not yet connected) and the URL with the password masked."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    url = _url(text)
    options: dict = {"poolclass": NullPool}
    if url.drivername == "duckdb":
        if not DUCKDB_SETTINGS.fullmatch(memory_limit):
            raise SourceError(f"{memory_limit!r} is not a memory size such as 500MB.")
        path = _duckdb_path(url)
        # Spill past the memory limit into the system's temporary folder, not next to the data or
        # into the current directory (DuckDB's defaults).
        config = {"memory_limit": memory_limit, "temp_directory": str(Path(tempfile.gettempdir()) / "learnloop-duckdb")}
        if threads:
            config["threads"] = int(threads)
        arguments: dict = {"config": config}
        if path != ":memory:":
            arguments["read_only"] = True
        url = url.set(database=path, query={})
        options["connect_args"] = arguments
    elif url.drivername == "postgresql+psycopg":
        options["connect_args"] = {"options": "-c default_transaction_read_only=on"}
    else:
        try:
            import clickhouse_sqlalchemy  # noqa: F401
        except ImportError:
            raise SourceError(
                "ClickHouse needs the clickhouse-sqlalchemy driver: install it next to Learnloop "
                "(uv pip install clickhouse-sqlalchemy)."
            ) from None
    try:
        return create_engine(url, **options), url
    except Exception as error:  # a missing driver or a bad option in the URL
        raise SourceError(f"{shown(url)}: cannot be opened ({_first_line(error)}).") from None


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__


@contextmanager
def read_only(engine, *, timeout: float = DEFAULT_TIMEOUT) -> Iterator:
    """A connection in a read-only transaction; queries past `timeout` seconds are stopped."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    dialect = engine.dialect.name
    try:
        connection = engine.connect()
    except SQLAlchemyError as error:
        raise SourceError(f"{shown(engine.url)}: cannot connect ({_first_line(error)}).") from None
    timer = None
    try:
        if dialect == "postgresql":
            connection.execute(text("SET TRANSACTION READ ONLY"))
            connection.execute(text("SELECT set_config('statement_timeout', :limit, true)"),
                               {"limit": str(max(1, int(timeout * 1000)))})
            # Freshly loaded tables have no statistics yet; a nested loop over the CTEs would then
            # compare every event with every unit. The statistics query wants hash joins anyway.
            connection.execute(text("SELECT set_config('enable_nestloop', 'off', true)"))
        elif dialect == "duckdb":
            connection.execute(text("SET enable_progress_bar = false"))  # stdout is the command's output
            raw = connection.connection.driver_connection
            timer = threading.Timer(timeout, raw.interrupt)
            timer.daemon = True
            timer.start()
        yield connection
    except SQLAlchemyError as error:
        message = _first_line(error)
        if "interrupt" in message.lower() or "statement timeout" in message.lower():
            raise SourceError(f"The query took longer than {timeout:g} s and was stopped.") from None
        raise SourceError(f"The warehouse refused the query: {message}") from None
    finally:
        if timer is not None:
            timer.cancel()
        try:
            connection.rollback()
        finally:
            connection.close()


def is_chdb(text: str) -> bool:
    return isinstance(text, str) and text.strip().startswith("chdb://")


def chdb_runner(text: str, *, timeout: float = DEFAULT_TIMEOUT):
    """A function running one SELECT in chDB (ClickHouse in-process) and returning its JSON result."""
    try:
        import chdb  # noqa: F401
        from chdb import session
    except ImportError:
        raise SourceError("chdb:// needs the chdb package: install it next to Learnloop "
                          "(uv pip install chdb).") from None
    path = text.strip().removeprefix("chdb://")
    path = path.removeprefix("/") if path.startswith("/") else path
    if path and not Path(path).exists() and Path("/" + path).exists():
        path = "/" + path
    if path and not Path(path).is_dir():
        raise SourceError(f"No chDB database folder at {path} (chdb:// reads files in place).")
    try:
        connection = session.Session(path) if path else session.Session()
    except Exception as error:  # chDB raises its own error classes
        raise SourceError(f"chdb://{path}: cannot be opened ({_first_line(error)}).") from None
    limit = max(1, math.ceil(timeout))

    def run(sql: str) -> dict:
        try:
            answer = connection.query(f"{sql}\nSETTINGS readonly = 2, max_execution_time = {limit}", "JSON")
        except Exception as error:
            message = _first_line(error)
            if "TIMEOUT_EXCEEDED" in message or "Timeout exceeded" in message:
                raise SourceError(f"The query took longer than {timeout:g} s and was stopped.") from None
            raise SourceError(f"The warehouse refused the query: {message}") from None
        return json.loads(str(answer) or "{}")

    return run, connection
