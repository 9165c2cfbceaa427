"""The search suite runs against every backend the database supports: the embedded one
everywhere, and the PostgreSQL one as well when the tests run on PostgreSQL."""

import os

import pytest


def _backends() -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    return ["postgres", "embedded"] if url.startswith(("postgres://", "postgresql://")) else ["embedded"]


def pytest_generate_tests(metafunc):
    if "search_backend" in metafunc.fixturenames:
        wanted = getattr(metafunc.function, "backends", None)
        backends = [name for name in _backends() if wanted is None or name in wanted]
        metafunc.parametrize("search_backend", backends, indirect=True)


@pytest.fixture(autouse=True)
def search_backend(request, settings, tmp_path):
    """Each test gets its own index directory and the backend under test."""
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    return request.param


def only(*backends):
    """Run a test only against these backends."""

    def mark(function):
        function.backends = backends
        return function

    return mark


@pytest.fixture(autouse=True)
def _empty_postgres_index(request, search_backend):
    """The PostgreSQL index tables are derived data outside Django's flush; tests elsewhere that
    commit (browser, restore, demo) leave rows in them. Each test here starts from none."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE knowledge_search_posting, knowledge_search_document, knowledge_search_term")
        cursor.execute("UPDATE knowledge_search_stats SET documents = 0, total_length = 0")
