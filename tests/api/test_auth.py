"""Two ways in: the browser's session (with CSRF protection on changes) and personal tokens."""

import pytest
from django.conf import settings
from django.test import Client

from learnloop.org.models import Team

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _browser(person) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    return client


def _csrf_token(client: Client) -> str:
    # The docs page is what a browser user opens; it hands out the CSRF cookie.
    assert client.get(f"{API}/docs").status_code == 200
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def test_signed_in_browser_can_read_the_api(member):
    response = _browser(member).get(f"{API}/me")
    assert response.status_code == 200
    assert response.json()["email"] == member.email


def test_browser_changes_without_csrf_token_are_refused(admin):
    client = _browser(admin)
    response = client.post(f"{API}/teams", {"name": "Forged"}, content_type="application/json")
    assert response.status_code == 403
    assert "csrf" in response.json()["detail"].lower()
    response = client.patch(f"{API}/me", {"title": "Forged"}, content_type="application/json")
    assert response.status_code == 403
    assert not Team.objects.filter(name="Forged").exists()
    admin.refresh_from_db()
    assert admin.title != "Forged"


def test_browser_changes_with_a_wrong_csrf_token_are_refused(admin):
    client = _browser(admin)
    _csrf_token(client)
    response = client.post(
        f"{API}/teams", {"name": "Forged"}, content_type="application/json", headers={"X-CSRFToken": "x" * 32}
    )
    assert response.status_code == 403
    assert not Team.objects.filter(name="Forged").exists()


def test_browser_changes_with_the_csrf_token_go_through(admin):
    client = _browser(admin)
    token = _csrf_token(client)
    response = client.post(
        f"{API}/teams", {"name": "Guild"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201, response.content
    assert Team.objects.filter(name="Guild").exists()


def test_token_requests_need_no_csrf_token(admin, api_as):
    # api_as builds a client that enforces CSRF checks, exactly like a browser would.
    client = api_as(admin)
    response = client.post(f"{API}/teams", {"name": "Scripted"}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert client.delete(f"{API}/tokens/999999").status_code == 404


def test_token_wins_over_a_session_of_someone_else(admin, member, api_as):
    client = api_as(member)
    client.force_login(admin)
    assert client.get(f"{API}/me").json()["email"] == member.email
