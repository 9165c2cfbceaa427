"""Parallel wrong passwords against one account: the limit holds under real concurrency.

Every guess is a real request in its own thread with its own database connection, against a
committed (transactional) test database. The hash check is counted by wrapping
Person.check_password and slowed down, so the guesses really overlap while the hash runs —
which is when a count-after-the-fact limit lets too many through.

On SQLite the test database lives in memory with a shared cache, where a second writer fails
at once ("database table is locked") instead of waiting: not how Learnloop runs. So for these
tests it is copied to a real file, which the threads open as the server would (WAL, IMMEDIATE
transactions, busy timeout).
"""

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from learnloop.accounts.models import LoginCounter
from learnloop.audit.models import AuditEvent
from learnloop.org.models import Person
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 30


@pytest.fixture
def database_like_the_server(tmp_path):
    """share() once the test's data exists: from then on the threads see it (and only they write)."""
    memory_name = connection.settings_dict["NAME"]

    def share():
        if connection.vendor != "sqlite":
            return
        path = tmp_path / "learnloop.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        # New connections (one per thread) open the file; this thread keeps the in-memory one.
        connection.settings_dict["NAME"] = str(path)

    yield share
    connection.settings_dict["NAME"] = memory_name


def _in_own_connection(read):
    """Read what the threads wrote (on SQLite they wrote to the file, not to this connection)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: _closing(read)).result()


def _closing(read):
    try:
        return read()
    finally:
        connection.close()


@pytest.fixture
def counted_hash_checks(monkeypatch, request):
    calls = []
    lock = threading.Lock()
    original = Person.check_password
    # The fast test hasher is slowed to about argon2's time so every thread is inside at once;
    # with the real hasher the time is real.
    pause = 0 if "real_password_hasher" in request.keywords else 0.05

    def check_password(self, raw_password):
        with lock:
            calls.append(self.email)
        time.sleep(pause)
        return original(self, raw_password)

    monkeypatch.setattr(Person, "check_password", check_password)
    return calls


def _guess_in_parallel(guesses):
    barrier = threading.Barrier(len(guesses))

    def guess(arguments):
        email, password, address = arguments
        try:
            barrier.wait()
            response = Client().post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address)
            return response.status_code, response.content.decode()
        finally:
            connection.close()  # each thread had its own connection

    with ThreadPoolExecutor(max_workers=len(guesses)) as pool:
        return list(pool.map(guess, guesses))


def test_thirty_parallel_guesses_check_at_most_the_limit(settings, counted_hash_checks, database_like_the_server):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 5
    victim = factories.person(email="victim@example.org")
    database_like_the_server()

    results = _guess_in_parallel([(victim.email, f"guess {n}", "198.51.100.7") for n in range(PARALLEL)])

    assert len(counted_hash_checks) == 5
    assert all(status == 200 for status, _ in results)
    assert sum("Try again in" in body for _, body in results) == PARALLEL - 5
    assert _in_own_connection(lambda: LoginCounter.objects.get(scope="pair").failures) == 5
    throttled = _in_own_connection(lambda: list(AuditEvent.objects.filter(kind="login_throttled")))
    assert [event.detail["limit"] for event in throttled] == ["pair"]
    # The real user, from their own address, is not held up by any of it.
    [(status, _)] = _guess_in_parallel([(victim.email, factories.PASSWORD, "203.0.113.5")])
    assert status == 302


@pytest.mark.real_password_hasher
def test_thirty_parallel_guesses_with_the_real_argon2_hasher_check_at_most_the_limit(
    settings, counted_hash_checks, database_like_the_server
):
    victim = factories.person(email="victim@example.org")
    database_like_the_server()

    results = _guess_in_parallel([(victim.email, f"guess {n}", "198.51.100.7") for n in range(PARALLEL)])

    assert len(counted_hash_checks) == settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT == 5
    assert sum("Try again in" in body for _, body in results) == PARALLEL - 5


def test_parallel_guesses_from_many_addresses_stop_at_the_account_wide_limit(
    settings, counted_hash_checks, database_like_the_server
):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT_GLOBAL = 8
    victim = factories.person(email="victim@example.org")
    database_like_the_server()

    _guess_in_parallel([(victim.email, "guess", f"198.51.100.{n}") for n in range(PARALLEL)])

    assert len(counted_hash_checks) == 8


def test_parallel_spraying_from_one_address_stops_at_the_address_limit(
    settings, counted_hash_checks, database_like_the_server
):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 6
    people = [factories.person(email=f"person{n}@example.org") for n in range(PARALLEL)]
    database_like_the_server()

    _guess_in_parallel([(person.email, "Summer2026!", "192.0.2.44") for person in people])

    assert len(counted_hash_checks) == 6
