"""The `learnloop` command line: the overview, imports, createadmin; in-process and for real."""

import http.client
import io
import re
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from learnloop import __version__
from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.cli import OVERVIEW, main
from learnloop.org.models import Membership, OrgRole, Person, Team
from tests import factories
from tests.ops.helpers import LEARNLOOP, SQLITE_NAME, run_learnloop, sqlite_env

TEAMS_CSV = """name,kind,parent,description
Engineering,department,,Builds the product
Payments,team,Engineering,Money things
Platform,team,Engineering,
"""
PEOPLE_CSV = """email,full_name,title,manager_email,teams,role
Ines.Lead@Example.org,Ines Lead,Engineering Manager,,Payments:facilitator,learning_lead
kofi@example.org,Kofi Osei,Software Engineer,ines.lead@example.org,Payments; Platform,
"""
PASSWORD = "a long and unusual passphrase"


def run(*args, stdin: str | None = None, monkeypatch=None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args, stdin: str | None = None, monkeypatch=None) -> tuple[str, str]:
    err = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(CommandError) as failure:
        call_command(*args, stdout=io.StringIO(), stderr=err)
    return str(failure.value), err.getvalue()


# --- The overview ---------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [[], ["help"], ["--help"], ["-h"]])
def test_learnloop_alone_prints_the_overview(argv, capsys):
    main(argv)
    assert capsys.readouterr().out == OVERVIEW


def test_version_is_learnloops(capsys):
    main(["--version"])
    assert capsys.readouterr().out == f"learnloop {__version__}\n"


def test_every_command_in_the_overview_exists():
    listed = re.findall(r"^  (\w+)", OVERVIEW, flags=re.MULTILINE)
    assert {"serve", "migrate", "demo", "createadmin", "import", "backup", "restore", "export"} <= set(listed)
    assert set(listed) <= set(get_commands())


def test_help_all_lists_every_django_command(capsys):
    main(["help", "--all"])
    out = capsys.readouterr().out
    assert "[ops]" in out and "createadmin" in out and "migrate" in out


# --- import ---------------------------------------------------------------------------------


def test_import_teams_creates_them_and_reports(db, tmp_path):
    file = tmp_path / "teams.csv"
    file.write_text(TEAMS_CSV)
    out, _ = run("import", "teams", str(file))
    assert "3 teams were created" in out
    assert Team.objects.get(name="Payments").parent.name == "Engineering"
    assert AuditEvent.objects.filter(kind=AuditKind.IMPORT, target="teams", actor_label="operator").exists()


def test_import_dry_run_reports_and_imports_nothing(db, tmp_path):
    file = tmp_path / "teams.csv"
    file.write_text(TEAMS_CSV)
    out, _ = run("import", "teams", str(file), "--dry-run")
    assert "3 teams would be created" in out
    assert not Team.objects.exists()
    assert not AuditEvent.objects.exists()


def test_import_teams_with_bad_rows_reports_each_on_stderr_and_imports_nothing(db, tmp_path):
    file = tmp_path / "teams.csv"
    file.write_text(TEAMS_CSV + "Mobile,squad,Engineering,\nWeb,team,Nowhere,\n")
    for extra in ([], ["--dry-run"]):
        message, err = run_failing("import", "teams", str(file), *extra)
        assert "2 problem(s) found; nothing was imported" in message
        assert f"{file}: row 5, column kind:" in err
        assert f"{file}: row 6, column parent: No department called “Nowhere”." in err
    assert not Team.objects.exists()


def test_import_people_with_their_teams_and_managers(db, tmp_path):
    teams, people = tmp_path / "teams.csv", tmp_path / "people.csv"
    teams.write_text(TEAMS_CSV)
    people.write_text(PEOPLE_CSV)
    run("import", "teams", str(teams))
    out, _ = run("import", "people", str(people))
    assert "2 people were created" in out
    kofi = Person.objects.get(email="kofi@example.org")
    assert kofi.manager.email == "ines.lead@example.org"
    assert kofi.manager.role == OrgRole.LEARNING_LEAD
    assert set(kofi.memberships.values_list("team__name", flat=True)) == {"Payments", "Platform"}
    assert Membership.objects.get(person=kofi.manager, team__name="Payments").role == "facilitator"
    assert not kofi.has_usable_password()


def test_import_people_with_one_bad_row_imports_nobody(db, tmp_path):
    teams, people = tmp_path / "teams.csv", tmp_path / "people.csv"
    teams.write_text(TEAMS_CSV)
    people.write_text(PEOPLE_CSV + "not-an-address,Nobody,,,Payments,\nzoe@example.org,Zoe,,,Marketing,\n")
    run("import", "teams", str(teams))
    message, err = run_failing("import", "people", str(people))
    assert "nothing was imported" in message
    assert "row 4, column email" in err
    assert "row 5, column teams: No team called “Marketing”" in err
    assert not Person.objects.exists()
    assert not Membership.objects.exists()


def test_import_of_a_missing_file_is_a_clear_error(db, tmp_path):
    message, _ = run_failing("import", "people", str(tmp_path / "absent.csv"))
    assert "Can't read" in message


# --- createadmin ----------------------------------------------------------------------------


def test_createadmin_creates_an_admin_who_can_sign_in(db, monkeypatch):
    out, _ = run("createadmin", "--email", "Root@Example.org", "--name", "Rita Root", "--password-stdin",
                 stdin=PASSWORD + "\n", monkeypatch=monkeypatch)
    assert "Created admin root@example.org" in out
    admin = authenticate(email="root@example.org", password=PASSWORD)
    assert admin is not None and admin.is_admin and admin.full_name == "Rita Root"
    assert AuditEvent.objects.filter(kind=AuditKind.PERSON_CREATED, target="root@example.org").exists()


@pytest.mark.parametrize(
    ("arguments", "stdin", "message"),
    [
        (["--email", "root@example.org", "--name", "Rita Root"], "short\n", "too short"),
        (["--email", "root@example.org", "--name", "Rita Root"], "\n", "No password"),
        (["--email", "root@example.org"], PASSWORD + "\n", "--name is required"),
        (["--name", "Rita Root"], PASSWORD + "\n", "--email is required"),
        (["--email", "not an address", "--name", "Rita Root"], PASSWORD + "\n", "not a valid email"),
    ],
)
def test_createadmin_refuses_bad_input_and_creates_nobody(db, monkeypatch, arguments, stdin, message):
    error, _ = run_failing("createadmin", *arguments, "--password-stdin", stdin=stdin, monkeypatch=monkeypatch)
    assert message in error
    assert not Person.objects.exists()


def test_createadmin_on_an_existing_person_promotes_them_and_audits_it(db, monkeypatch):
    member = factories.person(email="mo@example.org", full_name="Mo Member")
    out, _ = run("createadmin", "--email", "MO@example.org", "--password-stdin", stdin="", monkeypatch=monkeypatch)
    assert "mo@example.org is now an admin" in out
    member.refresh_from_db()
    assert member.role == OrgRole.ADMIN and member.is_admin
    assert authenticate(email="mo@example.org", password=factories.PASSWORD) == member  # password untouched
    event = AuditEvent.objects.get(kind=AuditKind.ROLE_CHANGED)
    assert event.target == "mo@example.org" and event.actor_label == "operator"
    assert event.detail == {"scope": "organization", "from": "member", "to": "admin", "via": "createadmin"}
    assert Person.objects.count() == 1


def test_createadmin_reactivates_a_deactivated_person(db, monkeypatch):
    from django.utils import timezone

    former = factories.person(email="former@example.org", is_active=False, deactivated_at=timezone.now())
    run("createadmin", "--email", "former@example.org", "--password-stdin", stdin="", monkeypatch=monkeypatch)
    former.refresh_from_db()
    assert former.is_active and former.deactivated_at is None and former.role == OrgRole.ADMIN


def test_createadmin_on_an_active_admin_changes_nothing(db, monkeypatch):
    factories.person(email="ada@example.org", role=OrgRole.ADMIN)
    out, _ = run("createadmin", "--email", "ada@example.org", "--password-stdin", stdin="", monkeypatch=monkeypatch)
    assert "already an active admin; nothing changed" in out
    assert not AuditEvent.objects.exists()


# --- The real console script ----------------------------------------------------------------


def test_the_console_script_prints_the_overview(tmp_path):
    result = run_learnloop(tmp_path)
    assert result.returncode == 0
    assert result.stdout == OVERVIEW


def test_the_console_script_creates_an_admin_and_fails_a_bad_import_with_status_2(sqlite_data_dir):
    created = run_learnloop(
        sqlite_data_dir, "createadmin", "--email", "ops@example.org", "--name", "Olu Ops", "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert "Created admin ops@example.org" in created.stdout

    bad = sqlite_data_dir / "teams.csv"
    bad.write_text("name,kind\nPayments,squad\n")
    imported = run_learnloop(sqlite_data_dir, "import", "teams", str(bad))
    assert imported.returncode == 2
    assert "row 2, column kind" in imported.stderr
    assert "nothing was imported" in imported.stderr

    with sqlite3.connect(sqlite_data_dir / SQLITE_NAME) as database:
        assert database.execute("SELECT role, is_active FROM org_person").fetchall() == [("admin", 1)]
        assert database.execute("SELECT count(*) FROM org_team").fetchone()[0] == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(url, *, method="GET", headers=None):
    request = urllib.request.Request(  # noqa: S310 (our own local server)
        url, method=method, data=b"" if method == "POST" else None, headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _serve(data_dir, *arguments, env=None):
    """Start `learnloop serve` on a free port; returns the process and its base URL once it answers."""
    port = _free_port()
    server = subprocess.Popen(
        [str(LEARNLOOP), "serve", "--port", str(port), "--workers", "1", *arguments],
        env=env or sqlite_env(data_dir), cwd=data_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # two busy cores: gunicorn and Django can take a while
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"learnloop serve exited: {server.communicate()[0]}")
        try:
            if _request(f"{base}/healthz") == 200:
                return server, base
        except OSError:
            time.sleep(0.25)
    server.terminate()
    pytest.fail(f"learnloop serve did not answer: {server.communicate(timeout=30)[0]}")


def _stop(server) -> str:
    server.terminate()
    return server.communicate(timeout=30)[0]


def test_serve_logs_requests_only_when_asked_and_never_addresses_ids_or_link_tokens(sqlite_data_dir):
    env = sqlite_env(sqlite_data_dir) | {"TRUSTED_PROXY_COUNT": "1"}
    server, base = _serve(sqlite_data_dir, "-v", "2", env=env)
    # An id of eight digits: a process id has at most seven, and the server logs its workers'
    # (a worker once booted with the pid that was this test's id, four digits).
    try:
        proxy = {"X-Forwarded-For": "198.51.100.23"}
        _request(f"{base}/sessions/73920418/cards/", method="POST", headers=proxy)
        _request(f"{base}/sessions/73920418/votes/?group=8d3c1a4e", method="POST", headers=proxy)
        _request(f"{base}/surveys/respond/SecretAnswerLinkToken/", headers=proxy)
        _request(f"{base}/api/v1/reflection/sessions/73920418/cards", method="POST", headers=proxy)
    finally:
        output = _stop(server)
    access_lines = [line for line in output.splitlines() if '"GET ' in line or '"POST ' in line]
    assert len(access_lines) >= 5, output
    assert any('"POST /sessions/<int:session_id>/cards/" 403' in line for line in access_lines), output
    assert any('"GET /surveys/respond/<str:token>/"' in line for line in access_lines), output
    for secret in ("198.51.100.23", "73920418", "SecretAnswerLinkToken", "8d3c1a4e", "group="):
        assert secret not in output
    assert not any("127.0.0.1" in line for line in access_lines)


def test_serve_writes_no_access_log_by_default_and_keeps_idle_connections_open(sqlite_data_dir):
    server, base = _serve(sqlite_data_dir)
    try:
        _request(f"{base}/surveys/respond/SecretAnswerLinkToken/")
        # A client that pauses a few seconds between requests reuses its connection: the server
        # doesn't close it under a request being sent (a POST lost that way isn't resent).
        connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
        connection.request("GET", "/healthz")
        assert connection.getresponse().read() and connection.sock is not None
        time.sleep(3)
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        output = _stop(server)
    assert "healthz" not in output
    assert '"GET ' not in output
    assert "SecretAnswerLinkToken" not in output
