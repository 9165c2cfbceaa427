"""The `--help` of Learnloop's Django commands, kept as text so printing it starts no Django.

Setting Django up costs about 0.6 s of CPU, which `learnloop survey close --help` would pay
only to print text that changes when the code does. The texts are generated from the commands'
own parsers into cli_help.json (`python -m learnloop.cli_help --write`), at a fixed width,
with the Python version that wrote them: argparse's layout changes between versions, so
another Python asks Django as before. tests/test_cli_help.py fails when the file and the
parsers disagree, as the translation catalogues' test does. Only the exact forms `learnloop
COMMAND --help` and `learnloop COMMAND ACTION --help` (or -h) are answered from the file;
anything else goes to Django as before.

This module writes the file; `learnloop.cli.cached_help` reads it (json only:
tests/test_cli_imports.py).
"""

import json
import os
import sys

WIDTH = 100
# Django's own commands that Learnloop's overview (cli.OVERVIEW) names.
DJANGO_COMMANDS = ("migrate",)


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
    from learnloop.cli import python_version

    stored = {"python": python_version(), "texts": texts}
    return json.dumps(stored, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")
    import django

    django.setup()
    from learnloop.cli import HELP_FILE

    text = serialized(generate())
    if "--write" in sys.argv[1:]:
        HELP_FILE.write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {HELP_FILE}\n")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
