"""A real server on a real small file system: the disk fills up, then the data goes read-only.

Needs permission to mount (root in CI's container, or the sandbox): the data directory is a
tiny tmpfs that a file fills completely, and a read-only bind mount of it. Where mounting isn't
allowed the test is skipped; tests/ops/test_degraded.py still covers the same behaviour on both
databases with SQLite's max_page_count / query_only and PostgreSQL's read-only transactions.
"""

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.ops.helpers import SQLITE_NAME, sqlite_env
from tests.ops.test_cli import _serve, _stop

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="SQLite files on a small disk; PostgreSQL: see test_degraded.py"
)

PASSWORD = "degraded-but-not-down-42"
ADMIN = "ada.admin@example.org"


def _mount(*arguments: str) -> bool:
    return subprocess.run(["mount", *arguments], capture_output=True, check=False).returncode == 0


@pytest.fixture
def small_disk(tmp_path, migrated_sqlite_template):
    """A 6 MB tmpfs holding a migrated data directory (skips where mounting isn't allowed)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if shutil.which("mount") is None or not _mount("-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount_point)):
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        shutil.copytree(migrated_sqlite_template, mount_point / "data")
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


class Browser:
    """Just enough of a browser: cookies, the CSRF token, redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path, *, form=None, json_body=None):
        headers = {"Referer": self.base + "/"}
        data = None
        if form is not None:
            data = urllib.parse.urlencode({"csrfmiddlewaretoken": self.cookie("csrftoken"), **form}).encode()
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers |= {"Content-Type": "application/json", "X-CSRFToken": self.cookie("csrftoken")}
        request = urllib.request.Request(self.base + path, data=data, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def cookie(self, name):
        return next((cookie.value for cookie in self.cookies if cookie.name == name), "")

    def sign_in(self):
        self.request("/accounts/login/")
        return self.request("/accounts/login/", form={"username": ADMIN, "password": PASSWORD})


def _add_admin(database) -> None:
    # Straight into the file: `learnloop createadmin` would cost a Django start-up of its own.
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO org_person (password, email, full_name, title, role, is_active, date_joined, language)"
            " VALUES (?, ?, 'Ada Admin', '', 'admin', 1, '2026-01-01 00:00:00', '')",
            (PBKDF2PasswordHasher().encode(PASSWORD, "degradedsalt"), ADMIN),
        )
    connection.close()


def _fill(disk) -> None:
    with open(disk / "filler", "wb") as filler:
        with contextlib.suppress(OSError):
            while True:
                filler.write(b"\0" * 65536)
        with contextlib.suppress(OSError):
            filler.flush()


def test_a_full_disk_then_a_read_only_one_keep_reads_and_sign_in_working(small_disk):
    data_dir = small_disk / "data"
    _add_admin(data_dir / SQLITE_NAME)
    server, base = _serve(data_dir)
    try:
        before = Browser(base)
        assert before.sign_in()[0] == 200

        _fill(small_disk)  # the disk is full from here on
        assert before.request("/people/")[0] == 200
        status, page = before.request("/accounts/profile/", form={"full_name": "Ada Full", "title": ""})
        assert status == 503
        assert "the disk holding Learnloop&#x27;s data is full" in page
        status, body = before.request("/api/v1/tokens", json_body={"name": "x", "expires_in_days": 3})
        assert status == 503
        assert "disk holding Learnloop's data is full" in json.loads(body)["detail"]

        during = Browser(base)
        status, home = during.sign_in()
        assert status == 200
        assert "Welcome, Ada" in home
        assert "Changes can't be saved: the disk holding Learnloop&#x27;s data is full" in home
        assert during.request("/teams/")[0] == 200
        health = json.loads(during.request("/healthz")[1])
        assert (health["status"], health["writes"], health["problem"]) == ("degraded", "unavailable", "full")

        (small_disk / "filler").unlink()  # space is back: writes work again, without a restart
        status, page = before.request("/accounts/profile/", form={"full_name": "Ada Back", "title": ""})
        assert status == 200
        assert "Ada Back" in page
    finally:
        output = _stop(server)
    # Logged once when it started and once when it ended, not per request.
    assert output.count("Storage unavailable: the disk holding Learnloop's data is full") == 1, output
    assert "Service Unavailable" not in output

    # Started on a read-only mount (no -wal/-shm files there): reads and sign-in still work.
    read_only = small_disk.parent / "read-only"
    read_only.mkdir()
    assert _mount("--bind", str(data_dir), str(read_only))
    try:
        assert _mount("-o", "remount,bind,ro", str(read_only))
        env = sqlite_env(read_only)
        server, base = _serve(read_only, env=env)
        try:
            browser = Browser(base)
            status, home = browser.sign_in()
            assert status == 200
            assert "Welcome, Ada" in home
            assert "Changes can't be saved" in home
            status, page = browser.request("/accounts/profile/", form={"full_name": "Ada RO", "title": ""})
            assert status == 503
            assert "read-only" in page
            health = json.loads(browser.request("/healthz")[1])
            assert (health["status"], health["problem"]) == ("degraded", "read-only")
        finally:
            _stop(server)
    finally:
        subprocess.run(["umount", "-l", str(read_only)], check=False)
    assert not os.path.exists(read_only / "learnloop.sqlite3")
