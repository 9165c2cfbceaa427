"""Personal API tokens through the API: the secret is shown once and only its hash is kept."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.accounts.models import ApiToken
from learnloop.accounts.services import create_api_token
from learnloop.audit.models import AuditEvent
from tests.factories import TokenClient

pytestmark = pytest.mark.django_db

API = "/api/v1"
JSON = "application/json"


def test_people_list_only_their_own_tokens(member, admin, api_as):
    create_api_token(person=member, name="laptop")
    create_api_token(person=admin, name="admin's script")
    response = api_as(member).get(f"{API}/tokens")
    assert response.status_code == 200
    assert sorted(token["name"] for token in response.json()["items"]) == ["laptop", "tests"]
    assert response.json()["count"] == 2


def test_creating_a_token_returns_its_secret_once(member, api_as):
    client = api_as(member)
    response = client.post(f"{API}/tokens", {"name": "CI", "expires_in_days": 30}, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["token"]
    assert secret.startswith("ll_")
    assert body["prefix"] == secret[:10]
    assert body["expires_at"] is not None
    # The new token works on its own...
    assert TokenClient(secret).get(f"{API}/me").json()["email"] == member.email
    # ...and never appears again.
    listing = client.get(f"{API}/tokens")
    assert all("token" not in token for token in listing.json()["items"])
    assert secret not in listing.content.decode()


def test_only_a_hash_of_a_token_is_stored(member, api_as):
    secret = api_as(member).post(f"{API}/tokens", {"name": "CI"}, content_type=JSON).json()["token"]
    stored = ApiToken.objects.get(name="CI")
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    for value in ApiToken.objects.filter(pk=stored.pk).values().get().values():
        assert secret not in str(value)


def test_tokens_need_a_name_and_a_sane_expiry(member, api_as):
    client = api_as(member)
    response = client.post(f"{API}/tokens", {"name": "  "}, content_type=JSON)
    assert (response.status_code, list(response.json()["errors"])) == (400, ["name"])
    response = client.post(f"{API}/tokens", {"name": "x", "expires_in_days": 0}, content_type=JSON)
    assert (response.status_code, list(response.json()["errors"])) == (400, ["expires_in_days"])
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["tests"]


def test_revoking_my_token_stops_it_working(member, api_as):
    token, secret = create_api_token(person=member, name="old laptop")
    response = api_as(member).delete(f"{API}/tokens/{token.pk}")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert TokenClient(secret).get(f"{API}/me").status_code == 401


def test_a_token_can_revoke_itself(member):
    token, secret = create_api_token(person=member, name="leaked")
    client = TokenClient(secret)
    assert client.delete(f"{API}/tokens/{token.pk}").status_code == 200
    assert client.get(f"{API}/me").status_code == 401


def test_admins_may_revoke_anyones_token(admin, member, api_as):
    token, secret = create_api_token(person=member, name="lost phone")
    response = api_as(admin).delete(f"{API}/tokens/{token.pk}")
    assert response.status_code == 200
    assert TokenClient(secret).get(f"{API}/me").status_code == 401
    event = AuditEvent.objects.get(kind="token_revoked")
    assert event.actor == admin
    assert member.email in event.target


def test_members_cannot_revoke_others_tokens(admin, member, api_as):
    token, secret = create_api_token(person=admin, name="admin's script")
    response = api_as(member).delete(f"{API}/tokens/{token.pk}")
    # Someone else's token is none of your business: it doesn't exist as far as you can see.
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert TokenClient(secret).get(f"{API}/me").status_code == 200


def test_creating_and_revoking_tokens_is_audited(member, api_as):
    client = api_as(member)
    AuditEvent.objects.all().delete()
    created = client.post(f"{API}/tokens", {"name": "CI"}, content_type=JSON, REMOTE_ADDR="192.0.2.7").json()
    client.delete(f"{API}/tokens/{created['id']}", REMOTE_ADDR="192.0.2.7")
    events = list(AuditEvent.objects.order_by("id"))
    assert [(e.kind, e.actor, e.ip_address) for e in events] == [
        ("token_created", member, "192.0.2.7"),
        ("token_revoked", member, "192.0.2.7"),
    ]
    assert events[0].detail == {"token_id": created["id"], "name": "CI"}
    assert created["token"] not in str([(e.target, e.detail) for e in events])


def test_revoked_and_expired_tokens_are_listed_as_such(member, api_as):
    revoked, _ = create_api_token(person=member, name="revoked")
    revoked.revoked_at = timezone.now()
    revoked.save()
    expired, _ = create_api_token(person=member, name="expired", expires_in_days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    listed = {token["name"]: token for token in api_as(member).get(f"{API}/tokens").json()["items"]}
    assert listed["revoked"]["revoked_at"] is not None
    assert listed["expired"]["expires_at"] is not None
    assert listed["tests"]["last_used_at"] is not None
