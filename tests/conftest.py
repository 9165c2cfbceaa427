"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

import os

import pytest
from django.test import Client

from tests import factories

# The demo's warehouse experiment reads a generated event log (5 million events for `./run demo`);
# the suite builds the demo many times, so it uses a smaller log (experiments/demo_warehouse.py).
os.environ.setdefault("LEARNLOOP_DEMO_WAREHOUSE_EVENTS", "200000")


def pytest_sessionstart(session):
    # Pages are tested in German too: the catalogues must be compiled (cheap when up to date).
    from learnloop.translations import compile_catalogues

    compile_catalogues()
    # When CI asks for PostgreSQL it must get PostgreSQL: an unreachable server fails the run
    # at once instead of letting database tests error one by one (or anything be skipped).
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg
        from django.conf import settings

        db = settings.DATABASES["default"]
        try:
            psycopg.connect(
                host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                password=db["PASSWORD"] or None, dbname="postgres", connect_timeout=5,
            ).close()
        except psycopg.OperationalError as error:
            raise pytest.UsageError(f"DATABASE_URL points at PostgreSQL, but it is unreachable: {error}") from error


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, request):
    # argon2 is deliberately slow; tests that check the real hasher opt out with this marker.
    if "real_password_hasher" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # The cache is per process and outlives a test's rolled-back rows (and SQLite reuses their
    # ids): what one test cached must not answer for another.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organization(db):
    return factories.organization()


@pytest.fixture
def admin(db):
    return factories.person(email="ada.admin@example.org", full_name="Ada Admin", role="admin")


@pytest.fixture
def member(db):
    return factories.person(email="mo.member@example.org", full_name="Mo Member")


@pytest.fixture
def department(db):
    return factories.team(name="Engineering", kind="department")


@pytest.fixture
def team(department):
    return factories.team(name="Payments", parent=department)


def signed_in_client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def admin_client(admin):
    return signed_in_client(admin)


@pytest.fixture
def member_client(member):
    return signed_in_client(member)


@pytest.fixture
def api_as():
    """api_as(person) -> a client that calls the API with that person's personal token."""
    return factories.token_client


@pytest.fixture(autouse=True)
def _api_responses_match_the_schema(monkeypatch):
    """Every /api/v1 answer a test gets must be one the OpenAPI document describes (see
    tests/api_contract.py): a documented status code, and a body that matches its schema."""
    from tests import api_contract

    sent = Client.request

    def request(self, **environ):
        response = sent(self, **environ)
        path = environ.get("PATH_INFO", "")
        if path.startswith(api_contract.API):
            api_contract.check(environ.get("REQUEST_METHOD", "GET"), path, response)
        return response

    monkeypatch.setattr(Client, "request", request)
