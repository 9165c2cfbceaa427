import pytest

from learnloop.audit.services import record_audit_event

pytestmark = pytest.mark.django_db


def test_admins_read_the_audit_log_with_filters(admin_client, admin):
    record_audit_event(kind="login", actor=admin, ip_address="192.0.2.1")
    record_audit_event(kind="login_failed", target="someone@example.org", ip_address="192.0.2.2")
    page = admin_client.get("/audit/").content.decode()
    assert "Failed sign-in" in page and "192.0.2.1" in page
    filtered = admin_client.get("/audit/", {"kind": "login_failed"}).content.decode()
    assert "someone@example.org" in filtered
    assert "192.0.2.1" not in filtered


def test_members_cannot_read_the_audit_log(member_client):
    assert member_client.get("/audit/").status_code == 403
