"""`learnloop export FILE`: every row, readable JSON, no secrets, audited."""

import json

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from learnloop.accounts.models import ApiToken
from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.org.models import Invitation, Person
from tests.ops.helpers import all_rows, build_varied_data


def export(path) -> dict:
    call_command("export", str(path), stdout=_Null(), stderr=_Null())
    return json.loads(path.read_text(encoding="utf-8"))


class _Null:
    def write(self, text):
        pass

    def flush(self):
        pass


@pytest.fixture
def exported(db, tmp_path):
    data = build_varied_data()
    client = Client()
    client.force_login(data["member"])  # a live session, which must not be exported
    rows = all_rows()
    path = tmp_path / "export.json"
    return path, export(path), rows


def test_export_holds_every_row_of_every_model(exported):
    _, document, rows = exported
    assert document["format"] == "learnloop-export"
    for label in ("org.organization", "org.person", "org.team", "org.membership", "org.invitation",
                  "accounts.apitoken", "audit.auditevent", "activity.activityevent"):
        assert [row["id"] for row in document["models"][label]] == [row["id"] for row in rows[label]], label
    people = {row["email"]: row for row in document["models"]["org.person"]}
    assert people["leaver@example.org"]["is_active"] is False
    assert people["member@example.org"]["manager_id"] == people["lead@example.org"]["id"]
    anonymous = [row for row in document["models"]["activity.activityevent"] if row["actor_id"] is None]
    assert anonymous and anonymous[0]["verb"] == "viewed"
    failed = next(row for row in document["models"]["audit.auditevent"] if row["kind"] == "login_failed")
    assert failed["detail"] == {"nested": {"list": [1, 2.5, None, "ünïcode"]}}


def test_export_leaves_out_password_hashes_token_hashes_and_sessions(exported):
    path, document, _ = exported
    text = path.read_text(encoding="utf-8")
    assert all("password" not in row for row in document["models"]["org.person"])
    assert all("token_hash" not in row for row in document["models"]["accounts.apitoken"])
    assert all("token_hash" not in row for row in document["models"]["org.invitation"])
    assert "sessions.session" not in document["models"]
    secrets = [
        *Person.objects.exclude(password="").values_list("password", flat=True),
        *ApiToken.objects.values_list("token_hash", flat=True),
        *Invitation.objects.values_list("token_hash", flat=True),
        *Session.objects.values_list("session_key", flat=True),
    ]
    assert len(secrets) > 5
    for secret in secrets:
        assert secret not in text


def test_export_is_recorded_in_the_audit_log(exported):
    path, document, _ = exported
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert event.actor_label == "operator"
    assert event.target == str(path)
    assert event.detail["rows"] == sum(len(rows) for rows in document["models"].values())


def test_export_to_a_missing_directory_is_a_clear_error_and_not_audited(db, tmp_path):
    with pytest.raises(CommandError, match="Can't write the export"):
        export(tmp_path / "missing" / "export.json")
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


def test_export_leaves_out_authenticator_secrets_recovery_codes_and_sign_in_counters(db, tmp_path):
    from learnloop.accounts import totp, two_factor
    from learnloop.accounts.models import LoginCounter, RecoveryCode
    from tests import factories

    admin = factories.person(email="ada.admin@example.org", role="admin")
    secret = totp.new_secret()
    codes = two_factor.confirm_enrolment(person=admin, secret=secret, code=totp.code_at(secret))
    Client().post("/accounts/login/", {"username": admin.email, "password": "wrong"}, REMOTE_ADDR="192.0.2.3")
    assert LoginCounter.objects.exists()

    path = tmp_path / "export.json"
    document = export(path)
    text = path.read_text(encoding="utf-8")
    assert [set(row) for row in document["models"]["accounts.totpdevice"]] == [
        {"id", "person_id", "confirmed_at", "last_used_step"}
    ]
    assert "accounts.logincounter" not in document["models"]
    for hidden in [secret, *codes, *RecoveryCode.objects.values_list("code_hash", flat=True)]:
        assert hidden not in text
