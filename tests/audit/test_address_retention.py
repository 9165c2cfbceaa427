"""Client addresses in the audit log are kept only as long as LEARNLOOP_AUDIT_ADDRESS_RETENTION_DAYS says."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from learnloop.audit import services
from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.cli import OVERVIEW
from tests import factories

pytestmark = pytest.mark.django_db


def _event(days_ago: float, address="203.0.113.9"):
    event = services.record_audit_event(kind=AuditKind.LOGIN, actor_label="x@example.org", ip_address=address)
    AuditEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return event.pk


def _address(pk):
    return AuditEvent.objects.get(pk=pk).ip_address


def test_the_purge_blanks_addresses_older_than_the_retention_and_keeps_the_events(settings):
    settings.AUDIT_ADDRESS_RETENTION_DAYS = 30
    old, recent = _event(31), _event(29)
    assert services.purge_old_addresses() == 1
    assert _address(old) is None
    assert _address(recent) == "203.0.113.9"
    assert AuditEvent.objects.count() == 2


def test_the_cli_verb_purges_with_the_setting_or_its_own_days(settings):
    settings.AUDIT_ADDRESS_RETENTION_DAYS = 30
    old, recent = _event(40), _event(5)
    out = StringIO()
    call_command("audit", "purge-addresses", stdout=out)
    assert out.getvalue() == "Blanked the client address of 1 audit event(s) older than 30 day(s).\n"
    assert (_address(old), _address(recent)) == (None, "203.0.113.9")
    call_command("audit", "purge-addresses", "--days", "1", stdout=StringIO())
    assert _address(recent) is None
    with pytest.raises(CommandError, match="0 or more"):
        call_command("audit", "purge-addresses", "--days", "-1")
    assert "audit purge-addresses" in OVERVIEW


def test_recording_events_purges_now_and_then(settings, monkeypatch):
    settings.AUDIT_ADDRESS_RETENTION_DAYS = 30
    old = _event(60)
    monkeypatch.setattr(services, "_last_purge", 0.0)
    services.record_audit_event(kind=AuditKind.LOGOUT, actor=factories.person(), ip_address="192.0.2.1")
    assert _address(old) is None


def test_a_retention_of_zero_keeps_no_addresses_at_all(settings, client, member):
    settings.AUDIT_ADDRESS_RETENTION_DAYS = 0
    client.post("/accounts/login/", {"username": member.email, "password": factories.PASSWORD}, REMOTE_ADDR="192.0.2.8")
    assert AuditEvent.objects.get(kind="login").ip_address is None
