"""Checks a shipped translation catalogue: every message translated (no empty msgstr, no fuzzy
entry, every plural form filled) with the same python-format placeholders as its msgid, so a
German page never falls back to English or breaks on a missing %(name)s."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

import learnloop

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdrf]|\{(\w+)\}")


def _placeholders(text: str) -> set[str]:
    return {named or braced for named, braced in PLACEHOLDER.findall(text)}


def catalogue_problems(app: str, language: str = "de") -> list[str]:
    path = Path(learnloop.__file__).parent / app / "locale" / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"no catalogue at {path}"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set().union(*(_placeholders(text) for text in ids))
        for text in strings:
            if _placeholders(text) != wanted and not (len(ids) > 1 and _placeholders(text) <= wanted):
                problems.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
    return problems


def assert_catalogue_complete(app: str, language: str = "de") -> None:
    problems = catalogue_problems(app, language)
    assert not problems, "\n".join(problems[:20])
