"""Degraded, not down, in a browser: sign in and read while the database can't be written.

The live server's database is made read-only for real: on PostgreSQL every new connection of the
test database starts read-only (ALTER DATABASE … SET default_transaction_read_only), on SQLite the
in-memory database the server shares with the test refuses writes (PRAGMA query_only).
"""

import re

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from playwright.sync_api import Page, expect

from learnloop.ops import storage
from tests import factories

pytestmark = pytest.mark.browser


def test_an_admin_signs_in_and_reads_while_nothing_can_be_saved(page: Page, live_server, organization, team):
    admin = factories.person(email="ada.admin@example.org", full_name="Ada Admin", role="admin")
    factories.membership(admin, team)
    request = page.context.request
    # The first request loads every module (slow on a busy machine); it also happens before the outage.
    assert request.get(f"{live_server.url}/healthz", timeout=60_000).json()["writes"] == "ok"
    page.goto("/")

    with _read_only(live_server):
        page.get_by_label("Email").fill(admin.email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ada")
        expect(page.get_by_role("alert")).to_contain_text("Changes can't be saved")

        nav = page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Teams").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
        page.get_by_role("link", name="Payments").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Payments")

        page.goto("/accounts/profile/")
        page.get_by_label("Name").fill("Ada Renamed")
        page.get_by_role("button", name=re.compile("Save")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Changes can't be saved right now")
        expect(page.get_by_role("alert")).to_contain_text("Nothing you sent was saved")

        page.get_by_role("link", name="Home").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ada")
        health = request.get(f"{live_server.url}/healthz").json()
        assert (health["status"], health["writes"]) == ("degraded", "unavailable")

    admin.refresh_from_db()
    assert admin.full_name == "Ada Admin"


class _read_only:
    """The live server's database refuses writes inside the block."""

    def __init__(self, live_server):
        self.name = connection.settings_dict["NAME"]

    @staticmethod
    def _query_only(sender, connection, **kwargs):
        # SQLite: the server's request threads open their own connections to the shared
        # in-memory database, and query_only is a per-connection setting.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = ON")

    def _set(self, on: bool) -> None:
        if connection.vendor == "postgresql":
            value = "SET default_transaction_read_only = on" if on else "RESET default_transaction_read_only"
            with connection.cursor() as cursor:
                cursor.execute(f'ALTER DATABASE "{self.name}" {value}')
        elif on:
            # New connections get it from the signal; the test's own connection gets it too,
            # because the live server shares it when the test database lives in memory.
            connection_created.connect(self._query_only)
            self._query_only(None, connection)
        else:
            connection_created.disconnect(self._query_only)
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = OFF")

    def __enter__(self):
        storage.forget()
        self._set(True)

    def __exit__(self, *exc):
        self._set(False)
        storage.forget()
