"""The German catalogues of knowledge, reflection and actions are complete: every message has a
translation, nothing is left fuzzy, and each translation keeps its msgid's placeholders."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

SRC = Path(__file__).resolve().parents[1] / "src" / "learnloop"
APPS = ("knowledge", "reflection", "actions")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")


def messages(app):
    with (SRC / app / "locale" / "de" / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalogue = read_po(po)
    return [message for message in catalogue if message.id]


@pytest.mark.parametrize("app", APPS)
def test_every_message_is_translated_with_its_placeholders(app):
    found = messages(app)
    assert len(found) > 100
    for message in found:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{app}: untranslated {ids[0]!r}"
        assert "fuzzy" not in message.flags, f"{app}: fuzzy {ids[0]!r}"
        wanted = sorted(set(PLACEHOLDER.findall(ids[-1])))
        for string in strings:
            assert sorted(set(PLACEHOLDER.findall(string))) == wanted, f"{app}: placeholders of {ids[0]!r}"
