"""A real OpenID Connect provider for the tests: tests/peers/oidc/provider.mjs on a free port."""

import contextlib
import json
import re
import socket
import subprocess
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import requests

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "peers" / "oidc" / "provider.mjs"
CLIENT_ID = "learnloop-test"
CLIENT_SECRET = "a-test-client-secret-of-enough-length"
PEOPLE = {
    "ada": {"email": "ada@example.org", "email_verified": True, "name": "Ada Lovelace", "groups": ["eng", "eng-leads"]},
    "una": {"email": "una@example.org", "email_verified": False, "name": "Una Verified", "groups": []},
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_provider(*, redirect_uris: list[str], post_logout_redirect_uris: list[str], people=None):
    """Starts the provider, yields its issuer URL, stops it."""
    config = {
        "port": free_port(), "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET,
        "redirectUris": redirect_uris, "postLogoutRedirectUris": post_logout_redirect_uris,
        "people": people or PEOPLE,
    }
    process = subprocess.Popen(
        ["node", str(SCRIPT), json.dumps(config)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        line = process.stdout.readline()
        if not line.startswith("ready "):
            raise RuntimeError(f"the test OIDC provider did not start (npm ci installs oidc-provider): {line!r}")
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def _form(html: str, base: str) -> tuple[str, dict]:
    form = re.search(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', html, re.S)
    assert form, html[:500]
    fields = {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]*)"(?:[^>]*value="([^"]*)")?', form.group(2))
    }
    return urljoin(base, unescape(form.group(1))), fields


def sign_in_at_provider(authorize_url: str, *, login: str, stop_at: str) -> str:
    """Walks the provider's login and consent pages like a browser; returns the URL it sends
    the browser back to (the first one starting with `stop_at`)."""
    browser = requests.Session()
    url, method, data = authorize_url, "GET", None
    for _ in range(12):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url, method, data = urljoin(url, response.headers["Location"]), "GET", None
            if url.startswith(stop_at):
                return url
            continue
        action, fields = _form(response.text, url)
        if "login" in fields or 'name="login"' in response.text:
            fields.update(login=login, password="any password")
        url, method, data = action, "POST", fields
    raise AssertionError("the provider never sent the browser back")
