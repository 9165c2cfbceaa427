"""Helpers for the operations tests: row snapshots, varied data, real SQLite files in subprocesses."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.utils import timezone

from learnloop.accounts.services import create_api_token, revoke_api_token
from learnloop.activity.services import record_activity
from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.org.models import Invitation, OrgRole, TeamRole
from tests import factories

REPO = Path(__file__).resolve().parents[2]
LEARNLOOP = Path(sys.executable).parent / "learnloop"
SQLITE_NAME = "learnloop.sqlite3"


# --- Every row of every model ---------------------------------------------------------------


def data_models():
    """Every model that holds data, found independently of the code under test."""
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower != "sessions.session" and model._meta.managed and not model._meta.proxy
    ]


def all_rows() -> dict[str, list[dict]]:
    """{label: [row, ...]} ordered by primary key, every concrete field and many-to-many."""
    rows = {}
    for model in data_models():
        items = []
        for instance in model._base_manager.order_by("pk"):
            row = {field.attname: field.value_from_object(instance) for field in model._meta.concrete_fields}
            for m2m in model._meta.many_to_many:
                row[m2m.name] = sorted(getattr(instance, m2m.name).values_list("pk", flat=True))
            items.append(row)
        rows[model._meta.label_lower] = items
    return rows


def build_varied_data() -> dict:
    """Something of everything a backup must keep, with microsecond timestamps and odd values."""
    now = timezone.now()
    precise = now.replace(microsecond=123456) - timedelta(days=3)
    org = factories.organization(name="Zoë & Co — Überlingen", anonymity_threshold=7, created_at=precise)
    ceo = factories.person(email="ceo@example.org", full_name="Chidi Okafor", role=OrgRole.ADMIN, title="CEO")
    lead = factories.person(
        email="lead@example.org", full_name="Léa Dubois", role=OrgRole.LEARNING_LEAD, manager=ceo,
        title="Head of Learning", date_joined=precise,
    )
    lead.last_login = now - timedelta(hours=2)
    lead.save(update_fields=["last_login"])
    member = factories.person(email="member@example.org", full_name="Mo Member", manager=lead)
    leaver = factories.person(
        email="leaver@example.org", full_name="Lee Leaver", is_active=False,
        deactivated_at=now - timedelta(days=30), manager=lead,
    )
    no_password = factories.person(email="invitee@example.org", full_name="No Password", password=None)
    department = factories.team(name="Engineering", kind="department", description="Builds things.\nLine two.")
    team = factories.team(name="Payments", parent=department, created_at=precise)
    archived = factories.team(name="Old Team", parent=department, archived_at=now - timedelta(days=1))
    factories.membership(lead, department, role=TeamRole.FACILITATOR)
    factories.membership(member, team)
    factories.membership(leaver, archived)
    factories.membership(no_password, team)
    Invitation.objects.create(
        email="pending@example.org", full_name="Pending Person", team=team, token_hash="a" * 64,
        invited_by=ceo, expires_at=now + timedelta(days=7),
    )
    Invitation.objects.create(
        email="invitee@example.org", team=team, token_hash="b" * 64, invited_by=ceo,
        expires_at=now + timedelta(days=1), accepted_at=now, accepted_by=no_password,
    )
    Invitation.objects.create(
        email="revoked@example.org", role=OrgRole.ADMIN, token_hash="c" * 64, invited_by=lead,
        expires_at=now + timedelta(days=2), revoked_at=now - timedelta(minutes=5),
    )
    token, _ = create_api_token(person=member, name="laptop", expires_in_days=30)
    token.last_used_at = now
    token.save(update_fields=["last_used_at"])
    old_token, _ = create_api_token(person=lead, name="old script")
    revoke_api_token(by=lead, token=old_token)
    record_audit_event(
        kind=AuditKind.LOGIN_FAILED, ip_address="2001:db8::1", target="someone@example.org",
        detail={"nested": {"list": [1, 2.5, None, "ünïcode"]}},
    )
    record_audit_event(kind=AuditKind.ROLE_CHANGED, actor=ceo, ip_address="10.0.0.1", target=lead.email)
    record_activity(verb="created", subject=team, actor=member, team=team, data={"title": "A \"quoted\" note"})
    record_activity(verb="viewed", subject=team, anonymous=True, team=team)
    record_activity(verb="closed", subject=department, actor=lead, at=precise)
    return {"organization": org, "ceo": ceo, "lead": lead, "member": member, "leaver": leaver,
            "no_password": no_password, "department": department, "team": team, "archived": archived}


# --- Real SQLite files, used by subprocesses --------------------------------------------------


def sqlite_env(data_dir: Path, *, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a Learnloop process whose database is the SQLite file in data_dir
    (or database_url); extra adds variables such as LEARNLOOP_BACKUP_KEY."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="learnloop.settings",
        LEARNLOOP_DATA_DIR=str(data_dir),
        LEARNLOOP_ENV="development",
        PYTHONPATH=str(REPO),
        **extra,
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_python(data_dir: Path, code: str, *args: str, input: str | None = None, timeout: int = 120, **env):
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=sqlite_env(data_dir, **env), cwd=REPO,
        input=input, capture_output=True, text=True, timeout=timeout, check=False,
    )


def run_learnloop(data_dir: Path, *args: str, input: str | None = None, timeout: int = 120, **env):
    return subprocess.run(
        [str(LEARNLOOP), *args], env=sqlite_env(data_dir, **env), cwd=data_dir,
        input=input, capture_output=True, text=True, timeout=timeout, check=False,
    )


OPERATE = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.ops.rowhash import table_hashes

result = {}
for step in sys.argv[1:]:
    verb, _, argument = step.partition("=")
    try:
        if verb == "verify":
            call_command("restore", argument, verify_only=True)
        elif verb == "restore":
            call_command("restore", argument, yes=True)
        elif verb == "backup":
            call_command("backup", argument)
        elif verb == "hash":
            result["hashes"] = table_hashes()
    except CommandError as error:
        result["error"] = str(error)
        break
print("RESULT " + json.dumps(result))
"""


def operate(data_dir: Path, *steps: str, timeout: int = 300, **env) -> dict:
    """Run steps (verify=FILE, restore=FILE, backup=FILE, hash) in one Learnloop process:
    one Django start-up instead of one per step. Returns {"hashes": ..., "error": ...}."""
    done = run_python(data_dir, OPERATE, *steps, timeout=timeout, **env)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))
