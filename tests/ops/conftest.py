"""Fixtures for the operations tests: a migrated SQLite file of their own, in a temp dir."""

import shutil
from pathlib import Path

import pytest

from tests.ops.helpers import run_learnloop


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
