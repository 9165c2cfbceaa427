"""Every app's German catalogue is complete: every message translated and not fuzzy, with the
same placeholders as its English original (a missing or misspelt %(name)s breaks the page)."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import learnloop

CORE_APPS = ["web", "accounts", "org", "audit", "ops", "links", "integrations", "network"]
# Every app that ships a German catalogue (a new app's catalogue is checked without being listed).
ALL_APPS = sorted(path.parts[-5]
                  for path in Path(learnloop.__file__).parent.glob("*/locale/de/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalogue(app: str):
    path = Path(learnloop.__file__).parent / app / "locale" / "de" / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        return read_po(handle, locale="de")


def _forms(value) -> list[str]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def test_every_app_with_pages_ships_german():
    assert {*CORE_APPS, "knowledge", "reflection", "actions", "surveys", "experiments", "growth", "insights",
            "strategy", "systems"} <= set(ALL_APPS)


@pytest.mark.parametrize("app", ALL_APPS)
def test_every_message_is_translated_with_the_same_placeholders(app):
    catalogue = _catalogue(app)
    assert catalogue.plural_forms == "nplurals=2; plural=(n != 1);"
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        originals, translations = _forms(message.id), _forms(message.string)
        if not all(translations) or len(translations) != len(originals):
            problems.append(f"untranslated: {message.id!r}")
            continue
        expected = set(PLACEHOLDER.findall(" ".join(originals)))
        for translation in translations:
            # A plural's singular may leave the count out ("ein Team"); no other placeholder may go.
            found = set(PLACEHOLDER.findall(translation))
            if found - expected or expected - found - {"counter", "count"}:
                problems.append(f"placeholders differ: {message.id!r} -> {translation!r}")
    assert not problems, problems


def test_the_core_catalogues_are_compiled_by_learnloop_translations():
    from learnloop import translations
    found = {path.parts[-5] for path in translations.catalogues()}
    assert set(CORE_APPS) <= found


def test_no_message_has_two_translations_across_catalogues():
    # Django merges every app's catalogue into one and the first app in INSTALLED_APPS wins, so a
    # second translation of the same (context, msgid) is silently lost on every page. A different
    # meaning needs its own context (pgettext / {% translate … context "…" %}).
    translations: dict[tuple, dict] = {}
    for app in ALL_APPS:
        for message in _catalogue(app):
            if not message.id:
                continue
            key = (message.context, tuple(_forms(message.id)))
            translations.setdefault(key, {}).setdefault(tuple(_forms(message.string)), []).append(app)
    conflicts = {key: found for key, found in translations.items() if len(found) > 1}
    assert not conflicts, conflicts


_INFORMAL = re.compile(r"\b(du|dein\w*|dich|dir)\b", re.IGNORECASE)


@pytest.mark.parametrize("app", ALL_APPS)
def test_german_addresses_people_as_sie(app):
    informal = [message.id for message in _catalogue(app)
                if message.id and any(_INFORMAL.search(text) for text in _forms(message.string))]
    assert not informal, informal
