"""The docs can't drift from the code: every command, verb and setting is named, and every
reference in README.md and docs/*.md resolves.

Commands and verbs come from the parsers of Learnloop's management commands (the ones
`learnloop` runs), settings from the environment reads in settings.py and any `LEARNLOOP_*`
name in the package; a failure names what is missing where.
"""

import argparse
import ast
import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from learnloop import cli

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "learnloop"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_list"}
LEARNLOOP_NAME = re.compile(r"\bLEARNLOOP_[A-Z0-9_]+\b")


def _prose(path: Path) -> str:
    """The text with markup and line breaks flattened, so "`learnloop tasks`\n`retry`" still reads
    as one phrase."""
    return re.sub(r"\s+", " ", re.sub(r"[`*]", "", path.read_text(encoding="utf-8")))


def _commands() -> dict[str, list[str]]:
    """Learnloop's own management commands and their verbs (sub-commands, or a first positional
    argument with fixed choices, like `import teams|people`)."""
    commands = {}
    for name, app in sorted(get_commands().items()):
        if not app.startswith("learnloop."):
            continue
        parser = load_command_class(app, name).create_parser("learnloop", name)
        verbs = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction) or (action.choices and not action.option_strings):
                verbs += list(action.choices)
        commands[name] = verbs
    return commands


def _overview() -> dict[str, set[str]]:
    """The commands `learnloop help` lists, with the verbs written after each (`a|b`)."""
    listed: dict[str, set[str]] = {}
    for line in cli.OVERVIEW.splitlines():
        words = line.split()
        if not line.startswith("  ") or not words:
            continue
        verbs = listed.setdefault(words[0], set())
        if len(words) > 1 and re.fullmatch(r"[a-z][a-z-]*(\|[a-z][a-z-]*)*", words[1]):
            verbs.update(words[1].split("|"))
    return listed


def test_commands_are_found():
    # Guards the tests below: an empty list would make them pass without checking anything.
    commands = _commands()
    assert {"serve", "demo", "backup", "restore"} <= set(commands)
    assert "rebuild" in commands["search"]


def test_every_command_and_verb_is_in_the_docs():
    prose = " ".join(_prose(path) for path in DOCUMENTS)
    missing = [
        phrase
        for name, verbs in _commands().items()
        for phrase in [f"learnloop {name}", *(f"learnloop {name} {verb}" for verb in verbs)]
        if phrase not in prose
    ]
    assert not missing, f"Not named in README.md or docs/*.md: {missing}"


def test_every_command_and_verb_is_in_the_cli_overview():
    listed = _overview()
    missing = [
        f"{name} {verb}".strip()
        for name, verbs in _commands().items()
        for verb in ["", *verbs]
        if name not in listed or (verb and verb not in listed[name])
    ]
    assert not missing, f"Not listed by `learnloop help` (cli.OVERVIEW): {missing}"


# --- settings ------------------------------------------------------------------------------------


def _settings_read() -> set[str]:
    """Every environment variable settings.py reads through the config helpers, whatever branch
    reads it, and every LEARNLOOP_* name the package uses (read outside settings.py too)."""
    names = set()
    for node in ast.walk(ast.parse((PACKAGE / "settings.py").read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ENV_HELPERS
                and node.args and isinstance(node.args[0], ast.Constant)):
            names.add(node.args[0].value)
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.update(LEARNLOOP_NAME.findall(node.value) if node.value.startswith("LEARNLOOP_") else ())
    return names


def _configuration_table() -> set[str]:
    """The variables in docs/configuration.md's table (first column, one or more names)."""
    names = set()
    for line in (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def test_settings_are_found():
    read = _settings_read()
    assert {"DATABASE_URL", "SECRET_KEY", "LEARNLOOP_DATA_DIR", "LEARNLOOP_NUMERIC_THREADS"} <= read


def test_every_setting_is_in_the_configuration_table():
    missing = sorted(_settings_read() - _configuration_table())
    assert not missing, f"Read from the environment but not in docs/configuration.md's table: {missing}"


def test_the_configuration_table_names_only_settings_that_exist():
    gone = sorted(_configuration_table() - _settings_read())
    assert not gone, f"docs/configuration.md documents settings nothing reads any more: {gone}"


def test_every_learnloop_variable_the_docs_name_is_read_somewhere():
    # Besides the settings, the docs name the test suite's switches (LEARNLOOP_REQUIRE_R, ...):
    # each must still be read by the package, the tests, the benchmarks or ./run.
    sources = [*PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py"),
               ROOT / "run"]
    read = set()
    for path in sources:
        if path != Path(__file__):
            read.update(LEARNLOOP_NAME.findall(path.read_text(encoding="utf-8")))
    named = {name: path.name for path in DOCUMENTS for name in LEARNLOOP_NAME.findall(path.read_text(encoding="utf-8"))}
    gone = sorted(f"{name} ({document})" for name, document in named.items() if name not in read)
    assert not gone, f"The docs name variables nothing reads: {gone}"


# --- references ----------------------------------------------------------------------------------

APP_DIRS = {path.name for path in PACKAGE.iterdir() if path.is_dir() and not path.name.startswith("_")}
# A path in backticks: `docs/x.md`, `src/...`, `tests/...`, `bench/...`, or one inside the
# package written from an app (`knowledge/demo.py`).
CODE_PATH = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|md|html|ya?ml|toml|json|css|js|R|txt))`")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return {_slug(heading) for heading in re.findall(r"^#+\s+(.*)$", text, re.MULTILINE)}


def _broken_references(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z+.-]*:", target):
            continue  # a URL or mailto:, not a file in the repository
        file_part, _, anchor = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        if not destination.exists() or (anchor and destination.suffix == ".md" and anchor not in _anchors(destination)):
            broken.append(target)
    for reference in CODE_PATH.findall(text):
        first = reference.split("/")[0]
        if first in {"docs", "src", "tests", "bench"}:
            candidates = [ROOT / reference]
        elif first in APP_DIRS:
            candidates = [PACKAGE / reference]
        else:
            continue  # an example path (`lessons/12-....md`), not one in the repository
        if not any(candidate.exists() for candidate in candidates):
            broken.append(reference)
    return broken


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_links_and_paths_in_the_docs_resolve(document):
    broken = _broken_references(document)
    assert not broken, f"{document.name} refers to what isn't there: {broken}"
