"""The audit log through the API: admins only, newest first, filterable."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.audit.models import AuditEvent
from learnloop.audit.services import record_audit_event
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def admin_api(admin, api_as):
    return api_as(admin)


@pytest.fixture
def log(admin_api, admin, member):
    AuditEvent.objects.all().delete()  # only the events below: not the test token's creation
    now = timezone.now()
    events = [
        record_audit_event(kind="login", actor=member, ip_address="192.0.2.1"),
        record_audit_event(kind="role_changed", actor=admin, target=member.email, detail={"to": "admin"}),
        record_audit_event(kind="login_failed", target="someone@example.org", ip_address="198.51.100.4"),
    ]
    for age, event in zip((30, 2, 1), events, strict=True):
        AuditEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(days=age))
    return events


def _kinds(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [event["kind"] for event in response.json()["items"]]


def test_admins_read_the_log_newest_first(admin_api, log):
    client = admin_api
    response = client.get(f"{API}/audit")
    assert _kinds(response) == ["login_failed", "role_changed", "login"]
    assert response.json()["count"] == 3
    role_change = response.json()["items"][1]
    assert (role_change["actor_label"], role_change["target"], role_change["detail"]) == (
        "ada.admin@example.org", "mo.member@example.org", {"to": "admin"}
    )


def test_the_log_filters_by_kind(admin_api, log):
    assert _kinds(admin_api.get(f"{API}/audit?kind=login")) == ["login"]


def test_an_unknown_kind_is_a_client_error(admin_api, log):
    response = admin_api.get(f"{API}/audit?kind=logn")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"


def test_the_log_filters_by_person(admin_api, log):
    client = admin_api
    # The person filter finds events someone did and events done to them.
    assert _kinds(client.get(f"{API}/audit?actor=mo.member")) == ["role_changed", "login"]
    assert _kinds(client.get(f"{API}/audit?actor=someone@")) == ["login_failed"]


def test_the_log_filters_by_time(admin_api, log):
    client = admin_api
    since = (timezone.now() - timedelta(days=7)).isoformat()
    assert _kinds(client.get(f"{API}/audit", {"since": since})) == ["login_failed", "role_changed"]
    until = (timezone.now() - timedelta(days=7)).isoformat()
    assert _kinds(client.get(f"{API}/audit", {"until": until})) == ["login"]


def test_the_log_is_paginated(admin_api, log):
    client = admin_api
    body = client.get(f"{API}/audit?limit=1&offset=1").json()
    assert body["count"] == 3
    assert [event["kind"] for event in body["items"]] == ["role_changed"]


def test_members_cannot_read_the_log(member, log, api_as):
    response = api_as(member).get(f"{API}/audit")
    assert response.status_code == 403
    assert "admin" in response.json()["detail"].lower()


def test_learning_leads_cannot_read_the_log(log, api_as):
    lead = factories.person(role="learning_lead")
    assert api_as(lead).get(f"{API}/audit").status_code == 403
