"""The `--help` of Learnloop's Django commands, kept as text so printing it starts no Django.

Setting Django up costs about 0.6 s of CPU, which `learnloop survey close --help` would pay
only to print text that changes when the code does. The texts are generated from the commands'
own parsers into cli_help.json (`python -m learnloop.cli_help --write`), at a fixed width,
with the Python version that wrote them: argparse's layout changes between versions, so
another Python asks Django as before. tests/test_cli_help.py fails when the file and the
parsers disagree, as the translation catalogues' test does. Only the exact forms `learnloop
COMMAND --help` and `learnloop COMMAND ACTION --help` (or -h) are answered from the file;
anything else goes to Django as before.

Reading the file imports json only (tests/test_cli_imports.py).
"""

import json
import os
import sys
from pathlib import Path

HELP_FILE = Path(__file__).with_name("cli_help.json")
WIDTH = 100
HELP_FLAGS = ("--help", "-h")
# Django's own commands that Learnloop's overview (cli.OVERVIEW) names.
DJANGO_COMMANDS = ("migrate",)


def cached_help(arguments: list[str]) -> str | None:
    """The stored help for `COMMAND [ACTION] --help`, or None to let Django answer."""
    if not 2 <= len(arguments) <= 3 or arguments[-1] not in HELP_FLAGS:
        return None
    if any(argument.startswith("-") for argument in arguments[:-1]):
        return None
    try:
        stored = json.loads(HELP_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # a damaged or missing file only costs the fast path
    if stored.get("python") != python_version():
        return None  # argparse lays help out differently from one Python to the next
    return stored.get("texts", {}).get(" ".join(arguments[:-1]))


def python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def generate() -> dict[str, str]:
    """Every Learnloop command's help and each of its actions' (Django must be set up)."""
    import argparse

    from django.core.management import get_commands, load_command_class

    from learnloop.cli import DJANGO_FREE  # those answer their own --help, without Django

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(WIDTH)  # argparse wraps to the terminal's width
    try:
        texts = {}
        for name, app in sorted(get_commands().items()):
            if not (app.startswith("learnloop.") or name in DJANGO_COMMANDS):
                continue
            parser = load_command_class(app, name).create_parser("learnloop", name)
            texts[name] = parser.format_help()
            for action in parser._actions:
                if isinstance(action, argparse._SubParsersAction):
                    for verb, subparser in action.choices.items():
                        if (name, verb) not in DJANGO_FREE:
                            texts[f"{name} {verb}"] = subparser.format_help()
        return texts
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def serialized(texts: dict[str, str]) -> str:
    stored = {"python": python_version(), "texts": texts}
    return json.dumps(stored, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")
    import django

    django.setup()
    text = serialized(generate())
    if "--write" in sys.argv[1:]:
        HELP_FILE.write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {HELP_FILE}\n")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
