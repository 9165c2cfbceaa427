"""What any text, number or nested document a person sends must satisfy before it is stored.

Pure rules, no Django: the web forms, the API, imports and the CLI parsers all ask these, so a
value is refused the same way wherever it enters and on either database. (PostgreSQL refuses a
NUL in text and a lone surrogate can't be encoded at all, while SQLite stores both: checking here
keeps the two databases alike and turns a crash into a message.)
"""

import json
import math
import re

# Longest text, in characters, by field name; every other free-text field gets LONG_TEXT. Named
# fields hold documents (a knowledge entry's body and decision record, a survey instrument's
# source); a comment, description or card is a few paragraphs at most.
LONG_TEXT = 10_000
DOCUMENT_TEXT = 100_000
TEXT_LIMITS = {
    "body": DOCUMENT_TEXT,
    "context": DOCUMENT_TEXT,
    "options": DOCUMENT_TEXT,
    "decision": DOCUMENT_TEXT,
    "consequences": DOCUMENT_TEXT,
    "source": DOCUMENT_TEXT,
    # A whole CSV file sent as text (imports, experiment results): its reader limits its size.
    "csv": 8 * 1024 * 1024,
}

# A JSON request or file nests objects and lists this deep at most: the deepest real document
# (an experiment with variants and metrics) has four levels.
MAX_JSON_DEPTH = 32

# Numbers a file may hold: aggregates beyond this are no real count or sum, and their squares
# would overflow a float in the analysis.
MAX_MAGNITUDE = 1e30

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_limit(field_name: str, declared: int | None = None) -> int:
    """The most characters a field may hold: its declared limit, else the one for its name."""
    return declared if declared is not None else TEXT_LIMITS.get(field_name, LONG_TEXT)


def text_problem(value: str) -> str | None:
    """Why a text can't be stored (a NUL character, a lone surrogate), or None."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return f"contains a NUL character (at position {found.start() + 1}), which text cannot hold."
    return (f"contains an unpaired surrogate (U+{ord(found.group()):04X} at position {found.start() + 1}), "
            "which is not a valid character.")


def length_problem(value: str, limit: int) -> str | None:
    if len(value) <= limit:
        return None
    return f"is {len(value):,} characters long; at most {limit:,} are allowed."


def number_problem(value: float) -> str | None:
    """Why a number from a file or form can't be used (infinite, NaN, absurdly large), or None."""
    if not math.isfinite(value):
        return "is not a finite number."
    if abs(value) > MAX_MAGNITUDE:
        return f"is larger than {MAX_MAGNITUDE:g} in size, which no real count or sum reaches."
    return None


def nesting_depth(value) -> int:
    """How deep a parsed JSON document nests objects and lists (a bare value is 0), without
    recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:  # deeper than the limit is enough to know
                stack.extend((inner, depth + 1) for inner in (item.values() if isinstance(item, dict) else item))
    return deepest


DEPTH_PROBLEM = f"nests lists and objects more than {MAX_JSON_DEPTH} levels deep."


def load_json(text: str | bytes):
    """json.loads, refusing documents that nest deeper than MAX_JSON_DEPTH (ValueError with the
    reason) instead of failing with a RecursionError somewhere later."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(DEPTH_PROBLEM) from None
    if nesting_depth(value) > MAX_JSON_DEPTH:
        raise ValueError(DEPTH_PROBLEM)
    return value


def walk_texts(value, path: str = ""):
    """Every text in a parsed JSON document, keys included, with where it is ("variants.0.name")."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                yield inner, key
            yield from walk_texts(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_texts(item, f"{path}.{index}" if path else str(index))
