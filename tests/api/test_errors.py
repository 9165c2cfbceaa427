"""One error format everywhere: JSON with a human-readable `detail`, never an HTML page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from learnloop.accounts.models import ApiToken
from learnloop.accounts.services import create_api_token, revoke_api_token
from learnloop.org.models import Person
from tests.factories import TokenClient

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"].strip()
    assert "<html" not in response.content.decode().lower()
    return body


# --- 401 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/me", "/people", "/teams", "/tokens", "/audit"])
def test_requests_without_credentials_get_401(path):
    body = _error(Client().get(f"{API}{path}"), 401)
    assert "token" in body["detail"].lower()


def test_unsafe_requests_without_credentials_get_401_not_a_csrf_error():
    client = Client(enforce_csrf_checks=True)
    _error(client.post(f"{API}/teams", {"name": "Sneaky"}, content_type="application/json"), 401)
    _error(client.delete(f"{API}/tokens/1"), 401)


def test_unknown_token_gets_401():
    _error(TokenClient("ll_not-a-real-token").get(f"{API}/me"), 401)
    _error(TokenClient("something-else").get(f"{API}/me"), 401)


def test_unknown_token_gets_401_on_unsafe_methods_too():
    # The token client enforces CSRF like a browser; a bad token must still read as "who are
    # you?" (401), not as a CSRF failure.
    client = TokenClient("ll_not-a-real-token")
    _error(client.post(f"{API}/tokens", {"name": "x"}, content_type="application/json"), 401)
    _error(client.patch(f"{API}/me", {"title": "x"}, content_type="application/json"), 401)


def test_revoked_token_gets_401(member):
    token, raw = create_api_token(person=member, name="old laptop")
    client = TokenClient(raw)
    assert client.get(f"{API}/me").status_code == 200
    revoke_api_token(by=member, token=token)
    _error(client.get(f"{API}/me"), 401)
    _error(client.patch(f"{API}/me", {"title": "x"}, content_type="application/json"), 401)


def test_expired_token_gets_401(member):
    token, raw = create_api_token(person=member, name="short-lived", expires_in_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _error(TokenClient(raw).get(f"{API}/me"), 401)


def test_deactivated_persons_token_gets_401(member):
    _, raw = create_api_token(person=member, name="still valid")
    # Deactivating through the service also revokes tokens; here the token itself stays valid
    # so only the person's state can stop it.
    Person.objects.filter(pk=member.pk).update(is_active=False, deactivated_at=timezone.now())
    _error(TokenClient(raw).get(f"{API}/me"), 401)


def test_deactivated_persons_session_gets_401(member):
    client = Client()
    client.force_login(member)
    assert client.get(f"{API}/me").status_code == 200
    Person.objects.filter(pk=member.pk).update(is_active=False, deactivated_at=timezone.now())
    _error(client.get(f"{API}/me"), 401)


# --- 403, 404 -------------------------------------------------------------------------------------


def test_permission_problems_get_403_with_a_reason(member, api_as):
    body = _error(api_as(member).post(f"{API}/teams", {"name": "Mine"}, content_type="application/json"), 403)
    assert "admin" in body["detail"].lower()


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("get", "/people/999999", None),
        ("patch", "/people/999999", {"title": "x"}),
        ("post", "/people/999999/deactivate", None),
        ("delete", "/people/999999", None),
        ("get", "/teams/999999", None),
        ("patch", "/teams/999999", {"name": "x"}),
        ("post", "/teams/999999/archive", None),
        ("patch", "/memberships/999999", {"role": "member"}),
        ("delete", "/memberships/999999", None),
        ("delete", "/invitations/999999", None),
        ("delete", "/tokens/999999", None),
    ],
)
def test_unknown_ids_get_404(admin, api_as, method, path, payload):
    client = api_as(admin)
    kwargs = {"data": payload, "content_type": "application/json"} if payload is not None else {}
    _error(getattr(client, method)(f"{API}{path}", **kwargs), 404)


def test_unrouted_api_paths_get_a_json_404(admin, api_as):
    _error(api_as(admin).get(f"{API}/no-such-thing"), 404)
    _error(Client().get(f"{API}/no-such-thing/42"), 404)
    _error(Client(enforce_csrf_checks=True).post(f"{API}/no-such-thing", {}, content_type="application/json"), 404)
    body = _error(api_as(admin).get(f"{API}/people/"), 404)
    assert "/api/v1/docs" in body["detail"]


def test_unsupported_methods_get_a_json_405(admin, api_as):
    body = _error(api_as(admin).put(f"{API}/me", {"title": "x"}, content_type="application/json"), 405)
    assert "PATCH" in body["detail"]


# --- 422, 400 -------------------------------------------------------------------------------------


def test_malformed_body_gets_422_listing_the_fields(admin, api_as):
    response = api_as(admin).post(
        f"{API}/people", {"email": "new@example.org", "role": "emperor"}, content_type="application/json"
    )
    body = _error(response, 422)
    fields = {problem["field"] for problem in body["errors"]}
    assert {"full_name", "role"} <= fields
    assert all(problem["message"] for problem in body["errors"])
    assert not Person.objects.filter(email="new@example.org").exists()


def test_bad_query_parameters_get_422_named_as_sent(admin, api_as):
    body = _error(api_as(admin).get(f"{API}/people?active=sometimes"), 422)
    assert [problem["field"] for problem in body["errors"]] == ["active"]


def test_body_that_is_not_json_gets_400(admin, api_as):
    _error(api_as(admin).post(f"{API}/teams", "{not json", content_type="application/json"), 400)


def test_domain_rules_get_400_with_errors_keyed_by_field(admin, api_as):
    response = api_as(admin).post(
        f"{API}/people", {"email": "not-an-address", "full_name": "X"}, content_type="application/json"
    )
    body = _error(response, 400)
    assert list(body["errors"]) == ["email"]
    assert "not a valid email" in body["errors"]["email"][0]
    assert "not a valid email" in body["detail"]


def test_invalid_token_says_the_token_is_the_problem(member):
    body = _error(TokenClient("ll_not-a-real-token").get(f"{API}/me"), 401)
    assert "revoked or expired" in body["detail"]


def test_401_tells_clients_how_to_authenticate():
    response = Client().get(f"{API}/me")
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- 413, 500 ------------------------------------------------------------------------------------


def test_oversized_bodies_get_a_json_413(admin, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_as(admin).post(
        f"{API}/import/teams", {"csv": "name\n" + "A team\n" * 500}, content_type="application/json"
    )
    _error(response, 413)


def test_unexpected_failures_get_a_json_500_and_are_logged(member, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("learnloop.org.selectors.people", broken)
    client = Client(raise_request_exception=False)
    client.force_login(member)
    body = _error(client.get(f"{API}/people"), 500)
    assert "on fire" not in body["detail"]  # internals stay in the log
    assert any("database on fire" in str(record.exc_info) for record in caplog.records)


# --- numbers out of range, unknown parameters ----------------------------------------------------


def test_ids_and_numbers_out_of_range_get_422_not_500(admin, api_as):
    client = api_as(admin)
    lesson = {"kind": "lesson", "title": "Roll back first", "body": "Then debug."}
    entry = client.post(f"{API}/knowledge/entries", lesson, content_type="application/json").json()
    for body in ({"title": "Roll back", "exclude_id": -1}, {"title": "Roll back", "exclude_id": 2**64}):
        body = _error(client.post(f"{API}/knowledge/similar", body, content_type="application/json"), 422)
        assert [problem["field"] for problem in body["errors"]] == ["exclude_id"]
    diff = f"{API}/knowledge/entries/{entry['id']}/diff"
    body = _error(client.get(f"{diff}?old=99999999999999999999&new=1"), 422)
    assert [problem["field"] for problem in body["errors"]] == ["old"]
    _error(client.get(f"{API}/people/99999999999999999999"), 422)
    _error(client.get(f"{API}/people?offset=99999999999999999999"), 422)
    _error(client.get(f"{API}/actions?offset=99999999999999999999"), 422)
    assert client.get(f"{API}/knowledge/similar").status_code == 405  # still routed


def test_unknown_query_parameters_get_400_like_unknown_body_fields(admin, api_as):
    body = _error(api_as(admin).get(f"{API}/people?tema=3"), 400)
    assert list(body["errors"]) == ["tema"]


def test_known_query_parameters_still_work(admin, api_as):
    response = api_as(admin).get(f"{API}/people?limit=5&offset=0&active=all&q=ada")
    assert response.status_code == 200
    assert [person["email"] for person in response.json()["items"]] == ["ada.admin@example.org"]


def test_bodies_take_json_types_at_their_word(admin, api_as, team):
    client = api_as(admin)
    for loose in ("5", True, 5.0):
        response = client.post(f"{API}/actions", {"title": "Loose", "team_id": loose}, content_type="application/json")
        body = _error(response, 422)
        assert "team_id: expected an integer" in body["detail"]
    response = client.post(f"{API}/actions", {"title": "Exact", "team_id": team.pk}, content_type="application/json")
    assert response.status_code == 201
