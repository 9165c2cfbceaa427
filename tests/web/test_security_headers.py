"""The Content-Security-Policy header on every kind of response, and templates that need no exception to it."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import include, path

import learnloop

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _fail(request):
    raise RuntimeError("a bug")


# A URLconf with a view that crashes, for the 500 page (used through pytest.mark.urls).
urlpatterns = [path("test-crash/", _fail), path("", include("learnloop.urls"))]


def assert_policy(response) -> None:
    assert response["Content-Security-Policy"] == POLICY
    assert "Content-Security-Policy-Report-Only" not in response


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password/reset/", "/api/v1/docs"])
def test_pages_for_visitors_carry_the_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_policy(response)


@pytest.mark.parametrize("url", ["/", "/people/", "/knowledge/", "/actions/", "/sessions/", "/experiments/"])
def test_pages_for_signed_in_people_carry_the_policy(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert_policy(response)


def test_api_answers_carry_the_policy(client, admin, api_as):
    assert_policy(client.get("/api/v1/me"))  # 401
    assert_policy(client.get("/api/v1/openapi.json"))
    assert_policy(client.get("/api/v1/no-such-thing"))  # JSON 404
    response = api_as(admin).get("/api/v1/me")
    assert response.status_code == 200
    assert_policy(response)
    assert_policy(client.get("/healthz"))


def test_error_pages_carry_the_policy(admin_client):
    missing = admin_client.get("/no-such-page/")
    assert missing.status_code == 404
    assert_policy(missing)


def test_csrf_failures_use_a_page_without_inline_styles(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert_policy(response)
    page = response.content.decode()
    # Django's own CSRF page carries an inline <style> the policy would refuse.
    assert "<style" not in page
    assert "This form could not be sent" in page


@pytest.mark.urls(__name__)
def test_server_errors_carry_the_policy():
    response = Client(raise_request_exception=False).get("/test-crash/")
    assert response.status_code == 500
    assert_policy(response)


@pytest.mark.parametrize(
    "url", ["/static/web/learnloop.css", "/static/vendor/htmx/htmx.min.js", "/static/ninja/swagger-ui-bundle.js"]
)
def test_static_files_carry_the_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_policy(response)


PACKAGE = Path(learnloop.__file__).parent
TEMPLATES = sorted(PACKAGE.glob("*/templates/**/*.html"))
# What the policy refuses in markup: inline scripts, event handler attributes, javascript: URLs,
# style="" attributes and <style> elements.
FORBIDDEN = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    # htmx evaluates these as code; with allowEval off they would silently do nothing.
    "htmx script attribute": re.compile(r"\s(data-)?hx-(on|vars)\b|hx-vals\s*=\s*['\"]\s*js:", re.IGNORECASE),
}


def test_the_template_scan_finds_what_it_looks_for():
    samples = {
        "inline script": "<script>alert(1)</script>",
        "event handler attribute": '<button type="button" onclick="go()">',
        "javascript: URL": '<a href="javascript:go()">',
        "style attribute": '<span class="x" style="height: 3px">',
        "style element": "<style>p {}</style>",
        "htmx script attribute": '<button hx-on:click="go()">',
    }
    for kind, sample in samples.items():
        assert FORBIDDEN[kind].search(sample), kind
    assert not FORBIDDEN["inline script"].search('<script src="/static/app.js" defer></script>')
    assert FORBIDDEN["htmx script attribute"].search("<div hx-vals='js:{a: 1}'>")
    assert not FORBIDDEN["htmx script attribute"].search("<div hx-vals='{\"a\": 1}' hx-post=\"/x\">")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: str(template.relative_to(PACKAGE)))
def test_templates_need_no_exception_to_the_policy(template):
    text = template.read_text()
    found = [kind for kind, pattern in FORBIDDEN.items() if pattern.search(text)]
    assert not found, f"{template}: {', '.join(found)}"
