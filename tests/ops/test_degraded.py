"""Degraded, not down: the database can't be written, and reading and signing in go on.

The condition is real, not mocked: on PostgreSQL the session is switched to read-only
transactions (`default_transaction_read_only`, as on a standby or after an operator's ALTER
DATABASE), on SQLite the connection to read-only (`PRAGMA query_only`, which answers "attempt
to write a readonly database") or its page count is capped (`PRAGMA max_page_count`, which
answers SQLITE_FULL like a full disk). The tests are transactional so every write happens as in
production (autocommit), not inside a test transaction.
"""

import errno
import logging
import sqlite3

import psycopg.errors
import pytest
from django.db import OperationalError, connection
from django.test import Client

from learnloop.accounts.models import LoginCounter
from learnloop.accounts.sessions import COOKIE_PREFIX
from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.ops import storage
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

STORAGE_LOG = "learnloop.storage"


def _set_read_only(on: bool) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET SESSION default_transaction_read_only = {'on' if on else 'off'}")
        else:
            cursor.execute(f"PRAGMA query_only = {'ON' if on else 'OFF'}")


def _forget_everything_in_memory() -> None:
    from learnloop.accounts import throttle, two_factor

    storage.forget()
    throttle._memory.clear()
    two_factor._unstored_steps.clear()


@pytest.fixture
def fresh_storage_state(monkeypatch):
    _forget_everything_in_memory()
    monkeypatch.setattr(storage, "RECOVERY_QUIET_SECONDS", 0)
    yield
    _forget_everything_in_memory()


@pytest.fixture
def read_only(fresh_storage_state):
    """read_only(True): from now on the database answers reads and refuses every write."""
    yield _set_read_only
    _set_read_only(False)


@pytest.fixture
def people(db):
    factories.organization()
    admin = factories.person(email="ada.admin@example.org", full_name="Ada Admin", role="admin")
    member = factories.person(email="mo.member@example.org", full_name="Mo Member")
    return admin, member


def _signed_in_with_logs(person, caplog) -> Client:
    client = Client()
    client.force_login(person)
    caplog.set_level(logging.INFO)
    return client


def _sign_in(client: Client, email: str, password: str = factories.PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_signing_in_and_reading_go_on_while_the_database_cannot_be_written(people, read_only, caplog, settings):
    admin, member = people
    # The stored hash is outdated: Django would upgrade it on sign-in, a write that must not fail it.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    already_signed_in = Client()
    already_signed_in.force_login(member)
    caplog.set_level(logging.INFO)
    read_only(True)

    assert already_signed_in.get("/").status_code == 200
    assert already_signed_in.get("/people/").status_code == 200

    browser = Client()
    response = _sign_in(browser, admin.email)
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == "/"
    # The session could not be stored: it travels in the signed cookie instead.
    assert browser.cookies["sessionid"].value.startswith(COOKIE_PREFIX)
    home = browser.get("/")
    assert home.status_code == 200
    assert "Welcome, Ada" in home.content.decode()
    # The admin sees why changes fail; a member doesn't get the banner.
    assert "Changes can't be saved" in home.content.decode()
    assert "Changes can't be saved" not in already_signed_in.get("/").content.decode()
    assert browser.get("/teams/").status_code == 200

    # Nothing was written: no last_login, no audit row; the sign-in went to the server log.
    admin.refresh_from_db()
    assert admin.last_login is None
    assert admin.password.startswith("md5$")
    assert not AuditEvent.objects.filter(kind=AuditKind.LOGIN, actor=admin).exists()
    assert any("Audit event not stored" in record.getMessage() for record in caplog.records)

    health = browser.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["writes"] == "unavailable"
    assert health.json()["problem"] == "read-only"

    # Signing out works too, and the signed cookie is gone.
    browser.post("/accounts/logout/")
    assert browser.get("/").status_code == 302

    # The condition was logged once, however many writes failed.
    started = [r for r in caplog.records if r.name == STORAGE_LOG and "Storage unavailable" in r.getMessage()]
    assert len(started) == 1


def test_a_web_write_answers_503_with_a_page_that_says_why(people, read_only, caplog):
    _admin, member = people
    client = _signed_in_with_logs(member, caplog)
    read_only(True)

    response = client.post("/accounts/profile/", {"full_name": "Mo Renamed", "title": ""})
    assert response.status_code == 503
    page = response.content.decode()
    assert "Changes can't be saved right now" in page
    assert "Nothing you sent was saved" in page
    assert response["Retry-After"] == "60"
    member.refresh_from_db()
    assert member.full_name == "Mo Member"
    # Django's per-request "Service Unavailable" error line is not written: the condition is
    # logged once by learnloop.storage instead.
    client.post("/accounts/profile/", {"full_name": "Mo Again", "title": ""})
    assert not [r for r in caplog.records if r.name == "django.request"]
    assert len([r for r in caplog.records if r.name == STORAGE_LOG and r.levelno == logging.ERROR]) == 1


def test_an_api_write_answers_503_in_json_and_reads_go_on(people, read_only):
    admin, _member = people
    client = factories.token_client(admin)
    read_only(True)

    created = client.post("/api/v1/tokens", {"name": "ci", "expires_in_days": 5}, content_type="application/json")
    assert created.status_code == 503
    assert created.json()["detail"].startswith("Nothing can be saved right now")
    listed = client.get("/api/v1/tokens")
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert client.get("/api/v1/people").status_code == 200


def test_writes_work_again_without_a_restart_once_storage_is_back(people, read_only, caplog):
    _admin, member = people
    client = _signed_in_with_logs(member, caplog)
    read_only(True)
    assert client.post("/accounts/profile/", {"full_name": "Mo Later", "title": ""}).status_code == 503

    read_only(False)  # the operator fixed it
    response = client.post("/accounts/profile/", {"full_name": "Mo Later", "title": ""})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.full_name == "Mo Later"
    assert storage.recorded_condition() is None
    assert client.get("/healthz").json()["status"] == "ok"
    assert any(r.name == STORAGE_LOG and "Storage available again" in r.getMessage() for r in caplog.records)


def test_a_session_begun_while_degraded_moves_into_the_database_once_it_can(people, read_only):
    admin, _member = people
    read_only(True)
    browser = Client()
    assert _sign_in(browser, admin.email).status_code == 302
    assert browser.cookies["sessionid"].value.startswith(COOKIE_PREFIX)

    read_only(False)
    # The next request stores it.
    assert browser.get("/").status_code == 200
    key = browser.cookies["sessionid"].value
    assert not key.startswith(COOKIE_PREFIX)
    assert browser.get("/").status_code == 200


def test_a_forged_fallback_session_cookie_signs_nobody_in(people, read_only):
    read_only(True)
    browser = Client()
    browser.cookies["sessionid"] = COOKIE_PREFIX + "eyJfYXV0aF91c2VyX2lkIjoiMSJ9:forged:signature"
    assert browser.get("/").status_code == 302


def test_guessing_is_still_slowed_down_while_counters_cannot_be_stored(people, read_only, settings):
    admin, _member = people
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 3
    read_only(True)
    browser = Client()
    answers = [_sign_in(browser, admin.email, "wrong-password").content.decode() for _ in range(4)]
    assert "That email and password don&#x27;t match" in answers[0]
    assert "Too many failed attempts" in answers[3]
    # Even the right password waits now, as it would with stored counters.
    assert "Too many failed attempts" in _sign_in(browser, admin.email).content.decode()
    assert not LoginCounter.objects.exists()


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="max_page_count is SQLite's")
def test_a_full_sqlite_database_answers_503_and_is_reported_as_full(people, fresh_storage_state):
    _admin, member = people
    client = factories.token_client(member)
    with connection.cursor() as cursor:
        # Earlier tests leave free pages in the file (deleted rows), which new rows would reuse:
        # use them up first, so the next write truly needs a new page.
        cursor.execute("PRAGMA freelist_count")
        (free,) = cursor.fetchone()
        cursor.execute("PRAGMA page_size")
        (page_size,) = cursor.fetchone()
        cursor.execute("CREATE TABLE degraded_test_filler (bytes BLOB)")
        cursor.execute("INSERT INTO degraded_test_filler VALUES (randomblob(%s))", [(free + 1) * page_size])
        cursor.execute("PRAGMA freelist_count")
        assert cursor.fetchone() == (0,)
        cursor.execute("PRAGMA page_count")
        (pages,) = cursor.fetchone()
        cursor.execute(f"PRAGMA max_page_count = {pages}")
    try:
        # A body larger than a page needs new pages: SQLite answers SQLITE_FULL, as on a full disk.
        response = client.post(
            "/api/v1/knowledge/entries", {"kind": "lesson", "title": "Big", "body": "x" * 20000},
            content_type="application/json",
        )
        assert response.status_code == 503
        assert "the disk holding Learnloop's data is full" in response.json()["detail"]
        assert client.get("/healthz").json()["problem"] == "full"
        assert client.get("/api/v1/knowledge/entries").status_code == 200
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")
            cursor.execute("DROP TABLE degraded_test_filler")


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), storage.FULL),
        (OSError(errno.EROFS, "Read-only file system"), storage.READ_ONLY),
        (psycopg.errors.DiskFull("could not extend file"), storage.FULL),
        (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"), storage.READ_ONLY),
        (sqlite3.OperationalError("disk I/O error"), storage.IO_ERROR),
        (sqlite3.OperationalError("database is locked"), None),
        (ValueError("no"), None),
    ],
)
def test_what_counts_as_storage_failing(error, problem):
    wrapped = OperationalError(str(error))
    wrapped.__cause__ = error
    assert storage.storage_problem(wrapped) == problem


def test_an_authenticator_code_signs_in_once_while_its_use_cannot_be_stored(people, read_only):
    import time

    from learnloop.accounts import totp
    from tests.accounts.test_two_factor import _enrol

    admin, _member = people
    enrolled = Client()
    enrolled.force_login(admin)
    secret, recovery_codes = _enrol(enrolled)
    read_only(True)

    code = totp.code_at(secret, time.time() + 30)
    first = Client()
    _sign_in(first, admin.email)
    assert first.post("/accounts/login/verify/", {"code": code}).status_code == 302
    assert first.get("/").status_code == 200
    replay = Client()
    _sign_in(replay, admin.email)
    assert replay.post("/accounts/login/verify/", {"code": code}).status_code == 200  # refused
    # A recovery code is single-use only if its use is stored: it waits for storage (503).
    with_recovery = Client()
    _sign_in(with_recovery, admin.email)
    assert with_recovery.post("/accounts/login/verify/", {"code": recovery_codes[0]}).status_code == 503
