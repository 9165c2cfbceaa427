"""Playwright fixtures for the browser tests: one Chromium per session, a fresh context per test.

Playwright's own browser download does not work here, so Debian's Chromium is launched
directly. The tests drive pytest-django's `live_server`; their data is made with the ORM in the
test (live_server tests are transactional, so the server thread sees it).

Every context the fixtures open records Content-Security-Policy violations (the page's
`securitypolicyviolation` events and Chromium's console reports of refused content); a test
whose pages caused any fails at teardown, so each flow doubles as a check of the policy.
"""

import contextlib
import os
import threading

import pytest
from django.conf import settings
from django.core.servers import basehttp
from django.db import connections
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

# Playwright's sync API runs an event loop in this thread; without this Django refuses the
# ORM calls the tests make between browser steps.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Long enough for a slow CI machine, short enough that a broken page fails fast. A click that
# posts a form waits for the next page too; on a loaded machine a board post plus its redirect
# once took over 10 s (the live retro test), hence 20 s.
TIMEOUT_MS = 20_000

expect.set_options(timeout=TIMEOUT_MS)

# Runs in every document before its own scripts; reports each violation to the test process.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation([
    event.effectiveDirective, event.blockedURI || "inline", event.documentURI,
    event.sourceFile ? `${event.sourceFile}:${event.lineNumber}` : "", (event.sample || "").slice(0, 80),
  ].join(" | "));
}, true);
"""


def _record_csp_violations(context: BrowserContext) -> list[str]:
    violations: list[str] = []

    def on_violation(description: str) -> None:
        violations.append(description)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    context.expose_function("__reportCspViolation", on_violation)
    context.add_init_script(CSP_LISTENER)
    context.on("console", on_console)
    return violations


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time_on_a_shared_sqlite_connection(django_db_setup):
    """On SQLite the live server's request threads share the test's in-memory connection.

    Django hands that one connection to every request thread of its threaded live server, and
    sqlite3 connections are not safe for concurrent use: a page polling its status while
    another posted a card once failed with "sqlite3.InterfaceError: bad parameter or other API
    misuse". Each request is handled whole (view and streamed body) under one lock, as a
    single-threaded server would, while connections stay threaded so keep-alive sockets never
    block each other. PostgreSQL gives every thread its own connection and needs none of this.
    """
    if not any(conn.vendor == "sqlite" and conn.is_in_memory_db() for conn in connections.all()):
        yield
        return
    handle_whole_request = basehttp.ServerHandler.run
    lock = threading.Lock()

    def run_alone(self, application):
        with lock:
            return handle_whole_request(self, application)

    basehttp.ServerHandler.run = run_alone
    yield
    basehttp.ServerHandler.run = handle_whole_request


@pytest.fixture(scope="session")
def playwright() -> Playwright:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Browser:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM} (apt-get install chromium).")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser, live_server):
    """new_context() -> a fresh, signed-out browser context pointed at the live server."""
    contexts: list[tuple[BrowserContext, list[str]]] = []

    def make() -> BrowserContext:
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append((context, _record_csp_violations(context)))
        return context

    yield make
    violations: list[str] = []
    for context, recorded in contexts:
        for open_page in context.pages:
            # A round trip to each page lets reports already sent from it arrive first; a page
            # that has crashed or is navigating has nothing more to say.
            with contextlib.suppress(PlaywrightError):
                open_page.evaluate("0")
        violations.extend(recorded)
        context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(violations)), pytrace=False)


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()


def sign_in_context(context: BrowserContext, person, live_server_url: str) -> None:
    """Give the context a session for `person` without going through the form.

    Only the sign-in test exercises the real form; the other flows start signed in.
    """
    client = Client()
    client.force_login(person)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server_url}])


@pytest.fixture
def page_as(new_context, live_server):
    """page_as(person) -> a page in its own context, already signed in as that person."""

    def make(person) -> Page:
        context = new_context()
        sign_in_context(context, person, live_server.url)
        return context.new_page()

    return make
