"""Configuration from the environment, checked in fresh processes so settings load for real."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from learnloop.config import env_bool, env_list, persistent_secret_key


def _run_django(tmp_path: Path, code: str, **environment) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; a real deployment has
    # none of these, so the child starts from the environment without them.
    inherited = {"DATABASE_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in inherited}
    env.update({"DJANGO_SETTINGS_MODULE": "learnloop.settings", "LEARNLOOP_DATA_DIR": str(tmp_path)})
    env.update(environment)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def test_boolean_settings_reject_nonsense(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_FLAG", "Yes")
    assert env_bool("SOME_FLAG", False) is True


def test_list_settings_are_comma_separated(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_the_generated_secret_key_is_kept_and_private(tmp_path):
    first = persistent_secret_key(tmp_path)
    assert persistent_secret_key(tmp_path) == first
    assert len(first) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_the_default_database_is_sqlite_in_the_data_directory_in_wal_mode(tmp_path):
    result = _run_django(
        tmp_path,
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "print(connection.settings_dict['NAME']);"
        "print(connection.transaction_mode)",
    )
    assert result.returncode == 0, result.stderr
    journal_mode, name, transaction_mode = result.stdout.split()
    assert journal_mode == "wal"
    assert name == str(tmp_path / "learnloop.sqlite3")
    assert transaction_mode == "IMMEDIATE"


def test_production_mode_requires_a_secret_key(tmp_path):
    result = _run_django(
        tmp_path, "import django; django.setup()", LEARNLOOP_ENV="production", ALLOWED_HOSTS="learn.example.org"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_mode_requires_allowed_hosts(tmp_path):
    result = _run_django(
        tmp_path, "import django; django.setup()", LEARNLOOP_ENV="production", SECRET_KEY="x" * 60, ALLOWED_HOSTS=""
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_mode_passes_the_deployment_checklist(tmp_path):
    result = _run_django(
        tmp_path,
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['learnloop', 'check', '--deploy', '--fail-level', 'WARNING'])",
        LEARNLOOP_ENV="production",
        SECRET_KEY="a-production-secret-" + "k3y" * 20,
        ALLOWED_HOSTS="learn.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_mode_does_not_pass_the_deployment_checklist(tmp_path):
    # The check is meaningful: the same command fails when the transport settings are off.
    result = _run_django(
        tmp_path,
        "from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['learnloop', 'check', '--deploy', '--fail-level', 'WARNING'])",
    )
    assert result.returncode != 0


COOKIE_PROBE = """
import django; django.setup()
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory, override_settings

def view(request):
    request.session["probe"] = 1
    get_token(request)
    return HttpResponse()

with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"):
    request = RequestFactory().get("/", secure=True, HTTP_HOST="learn.example.org")
    response = SessionMiddleware(CsrfViewMiddleware(view))(request)
for cookie in response.cookies.values():
    print(cookie.OutputString())
"""


def _cookies(tmp_path, **environment) -> dict[str, str]:
    result = _run_django(tmp_path, COOKIE_PROBE, **environment)
    assert result.returncode == 0, result.stderr
    return {line.split("=", 1)[0]: line for line in result.stdout.splitlines()}


def test_production_cookies_carry_the_host_prefix_and_what_it_requires(tmp_path):
    cookies = _cookies(
        tmp_path, LEARNLOOP_ENV="production", SECRET_KEY="a-production-secret-" + "k3y" * 20,
        ALLOWED_HOSTS="learn.example.org",
    )
    assert set(cookies) == {"__Host-sessionid", "__Host-csrftoken"}
    for line in cookies.values():
        # Browsers drop a __Host- cookie unless it is Secure, for Path=/ and has no Domain.
        attributes = {part.strip().split("=")[0].lower() for part in line.split(";")[1:]}
        assert "secure" in attributes and "domain" not in attributes, line
        assert "Path=/;" in line or line.endswith("Path=/"), line


def test_development_cookies_keep_plain_names_for_plain_http(tmp_path):
    assert set(_cookies(tmp_path)) == {"sessionid", "csrftoken"}


def test_production_without_secure_cookies_drops_the_prefix_browsers_would_refuse(tmp_path):
    cookies = _cookies(
        tmp_path, LEARNLOOP_ENV="production", SECRET_KEY="a-production-secret-" + "k3y" * 20,
        ALLOWED_HOSTS="learn.example.org", SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false",
    )
    assert set(cookies) == {"sessionid", "csrftoken"}
