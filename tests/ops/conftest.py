"""Fixtures for the operations tests: a migrated SQLite file of their own, in a temp dir."""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.ops.helpers import run_learnloop
from tests.ops.pgcluster import ClusterUnavailable, remove_cluster, start_private_cluster, suite_postgres_url


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory) -> Path:
    """A data directory holding a freshly migrated SQLite database (made once per run)."""
    data_dir = tmp_path_factory.mktemp("sqlite-template")
    result = run_learnloop(data_dir, "migrate", "--verbosity", "0")
    assert result.returncode == 0, result.stderr
    return data_dir


@pytest.fixture
def sqlite_data_dir(migrated_sqlite_template, tmp_path) -> Path:
    """A data directory of its own with a migrated SQLite database, whatever DATABASE_URL says."""
    data_dir = tmp_path / "data"
    shutil.copytree(migrated_sqlite_template, data_dir)
    return data_dir


# --- PostgreSQL for the drills --------------------------------------------------------------


def postgres_unavailable(reason: str):
    """Skip with the reason, except where PostgreSQL drills must run (CI, `./run test` with the
    binaries installed): there a missing cluster fails the run instead of hiding the drills."""
    if os.environ.get("LEARNLOOP_REQUIRE_POSTGRES") or os.environ.get("CI"):
        pytest.fail(f"the PostgreSQL drills must run here, but: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL for this drill: {reason}")


def cross_database_pass_only() -> None:
    """Drills that need both database kinds run once, in the PostgreSQL pass of the suite (CI
    runs the whole suite on SQLite, then on PostgreSQL): running them twice cost minutes and
    proved nothing more. The skip says where they run."""
    if not suite_postgres_url():
        pytest.skip("cross-database drill: runs in the PostgreSQL pass (DATABASE_URL=postgres://...)")


@pytest.fixture(scope="session")
def private_postgres():
    """A throwaway PostgreSQL cluster of this test run's own, which drills may restart."""
    cross_database_pass_only()
    try:
        cluster = start_private_cluster()
    except ClusterUnavailable as error:
        postgres_unavailable(str(error))
    yield cluster
    remove_cluster(cluster)


@pytest.fixture(scope="session")
def postgres_target_url(tmp_path_factory) -> str:
    """A migrated PostgreSQL database that is not the suite's, beside the suite's own database
    (so only in the PostgreSQL pass)."""
    cross_database_pass_only()
    parsed = urlsplit(suite_postgres_url())
    name = parsed.path.lstrip("/") + "2"
    url = urlunsplit(parsed._replace(path="/" + name))
    with psycopg.connect(urlunsplit(parsed._replace(path="/postgres")), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')
    data_dir = tmp_path_factory.mktemp("postgres-target")
    result = run_learnloop(data_dir, "migrate", "--verbosity", "0", database_url=url)
    assert result.returncode == 0, result.stderr
    return url
