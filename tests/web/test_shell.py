from unittest import mock

import pytest
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_fails_when_the_database_does_not(client):
    with mock.patch("learnloop.web.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_shows_my_teams(member_client, member, team):
    from tests.factories import membership

    membership(member, team)
    page = member_client.get("/").content.decode()
    assert "My teams" in page
    assert "Payments" in page


def test_navigation_hides_admin_modules_from_members(member_client, admin_client):
    member_page = member_client.get("/").content.decode()
    admin_page = admin_client.get("/").content.decode()
    assert 'href="/people/"' in member_page
    assert 'href="/audit/"' not in member_page
    assert 'href="/audit/"' in admin_page
    assert 'href="/invitations/"' in admin_page


def test_layout_has_landmarks_and_skip_link(member_client):
    page = member_client.get("/").content.decode()
    assert '<main id="content"' in page
    assert '<nav class="container" aria-label="Main">' in page
    assert 'href="#content"' in page
    assert "<footer" in page


def test_static_libraries_are_served_by_the_app(client):
    for path in ["/static/vendor/htmx/htmx.min.js", "/static/vendor/pico/pico.min.css", "/static/web/learnloop.css"]:
        response = client.get(path)
        assert response.status_code == 200, path
