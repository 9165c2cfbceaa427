"""A real HTTP receiver on loopback (http.server in a thread) for the webhook tests."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests import factories
from tests.surveys.conftest import survey_org  # noqa: F401 (the survey release test uses it)


class Receiver:
    def __init__(self):
        self.requests = []  # (path, headers dict, body bytes)
        self.statuses = []  # answers to give, in order; 200 once they run out
        self.location = None  # with a 3xx status: where to redirect
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400 and receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def second_receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.WEBHOOK_ALLOW = ["127.0.0.1/32"]  # the loopback receiver; SSRF tests clear it
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    settings.WEBHOOK_MAX_ATTEMPTS = 5
    settings.WEBHOOK_DISABLE_AFTER = 20
    settings.WEBHOOK_TIMEOUT_SECONDS = 5


@pytest.fixture
def lead(team):
    person = factories.person(email="lee.lead@example.org", full_name="Lee Lead")
    factories.membership(person, team, role="facilitator")
    return person
