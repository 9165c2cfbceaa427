"""`learnloop COMMAND --help` answers from cli_help.json without starting Django: the file must
say exactly what the commands' parsers say."""

import json
import os
import subprocess
import sys

import pytest

from learnloop import cli, cli_help

STORED = json.loads(cli.HELP_FILE.read_text(encoding="utf-8"))
same_python = pytest.mark.skipif(
    STORED["python"] != cli.python_version(),
    reason=f"cli_help.json was written by Python {STORED['python']}; this Python asks Django for help",
)


@same_python
def test_the_stored_help_is_what_the_commands_print_now():
    stored = cli.HELP_FILE.read_text(encoding="utf-8")
    assert cli_help.serialized(cli_help.generate()) == stored, (
        "A command's arguments changed: run `uv run python -m learnloop.cli_help --write` and commit "
        "src/learnloop/cli_help.json."
    )


def test_the_stored_help_covers_every_command_and_action_but_the_django_free_ones():
    texts = STORED["texts"]
    assert {"serve", "migrate", "search", "search rebuild", "survey close", "knowledge import"} <= set(texts)
    assert "experiment analyze" not in texts  # answered by its own Django-free module
    assert texts["survey close"].startswith("usage: learnloop survey close ")


def _printed(arguments: list[str], *, through_django: bool) -> str:
    program = (
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['learnloop', *sys.argv[1:]])"
        if through_django else "import sys; from learnloop.cli import main; main(sys.argv[1:])"
    )
    environment = {**os.environ, "COLUMNS": str(cli_help.WIDTH), "DJANGO_SETTINGS_MODULE": "learnloop.settings"}
    finished = subprocess.run([sys.executable, "-c", program, *arguments], capture_output=True, text=True,
                              env=environment, check=False)
    return finished.stdout


def test_the_fast_help_prints_what_django_prints():  # on any Python: from the file, or from Django
    for arguments in (["survey", "close", "--help"], ["search", "-h"]):
        assert _printed(arguments, through_django=False) == _printed(arguments, through_django=True)


@same_python
def test_other_forms_still_go_to_django():
    assert cli.cached_help(["search", "--help"]) is not None
    assert cli.cached_help(["search", "--verbosity", "2", "--help"]) is None
    assert cli.cached_help(["shell", "--help"]) is None  # not one of Learnloop's
    assert cli.cached_help(["search"]) is None
    assert cli.cached_help(["search", "rebuild", "now", "--help"]) is None


def test_another_python_asks_django(monkeypatch):
    monkeypatch.setattr(cli, "python_version", lambda: "3.99")
    assert cli.cached_help(["search", "--help"]) is None
