"""Instruments as YAML: parsing and checking the text, before anything touches the database.

An instrument file has a slug, name, description, a scale (minimum, maximum, one label per
answer), dimensions each with items (key, text, optional `reverse: true`), an optional
`outcome` (a 0–10 recommendation item, eNPS-style) and an optional open `comment`.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from learnloop.surveys.models import Barrier

BUILT_IN_DIR = Path(__file__).parent / "instruments"
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
MAX_ITEMS = 200
MAX_ADVICE_ITEMS = 5


class InstrumentError(ValueError):
    """The file can't become an instrument; the message says what to fix."""


@dataclass
class ItemSpec:
    key: str
    text: str
    reverse: bool = False


@dataclass
class DimensionSpec:
    key: str
    name: str
    barrier: str
    items: list[ItemSpec] = field(default_factory=list)


@dataclass
class InstrumentSpec:
    slug: str
    name: str
    description: str
    scale_min: int
    scale_max: int
    labels: list[str]
    dimensions: list[DimensionSpec]
    outcome: ItemSpec | None
    comment: ItemSpec | None
    source: str
    advice: list[ItemSpec] = field(default_factory=list)  # name-generator questions (named, optional)


def built_in_files() -> list[Path]:
    return sorted(BUILT_IN_DIR.glob("*.yaml"))


def parse_instrument(text: str) -> InstrumentSpec:
    import yaml  # on first use: loading it costs every command's start-up

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InstrumentError(f"This is not valid YAML: {error}") from error
    except RecursionError:
        raise InstrumentError("This YAML nests lists or mappings too deep.") from None
    if not isinstance(data, dict):
        raise InstrumentError("An instrument file must be a mapping with slug, name, scale and dimensions.")
    slug = _key(data.get("slug"), "slug")
    name = _text(data.get("name"), "name", 200)
    description = str(data.get("description") or "").strip()
    scale = data.get("scale")
    if not isinstance(scale, dict):
        raise InstrumentError("Give a scale with minimum, maximum and labels.")
    scale_min, scale_max = scale.get("minimum"), scale.get("maximum")
    if not (isinstance(scale_min, int) and isinstance(scale_max, int)) or not 0 <= scale_min < scale_max <= 10:
        raise InstrumentError("The scale's minimum and maximum must be whole numbers with 0 ≤ minimum < maximum ≤ 10.")
    labels = scale.get("labels") or []
    if not isinstance(labels, list) or len(labels) != scale_max - scale_min + 1:
        raise InstrumentError(f"Give one label per answer: {scale_max - scale_min + 1} labels.")
    labels = [_text(label, "a scale label", 60) for label in labels]
    entries = _list(data.get("dimensions"), "dimensions")
    dimensions = [_dimension(entry, position) for position, entry in enumerate(entries)]
    if not dimensions:
        raise InstrumentError("An instrument needs at least one dimension.")
    outcome = _single(data.get("outcome"), "outcome")
    comment = _single(data.get("comment"), "comment")
    advice = [_item(entry, "advice") for entry in _list(data.get("advice") or [], "advice")]
    if len(advice) > MAX_ADVICE_ITEMS:
        raise InstrumentError(f"An instrument can have at most {MAX_ADVICE_ITEMS} advice questions.")
    keys = [item.key for dimension in dimensions for item in dimension.items]
    keys += [extra.key for extra in (outcome, comment, *advice) if extra]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise InstrumentError(f"Item keys must be unique; repeated: {', '.join(duplicated)}.")
    dimension_keys = [dimension.key for dimension in dimensions]
    if len(set(dimension_keys)) != len(dimension_keys):
        raise InstrumentError("Dimension keys must be unique.")
    if len(keys) > MAX_ITEMS:
        raise InstrumentError(f"An instrument can have at most {MAX_ITEMS} items.")
    return InstrumentSpec(slug, name, description, scale_min, scale_max, labels, dimensions, outcome, comment, text,
                          advice)


def _dimension(entry, position: int) -> DimensionSpec:
    if not isinstance(entry, dict):
        raise InstrumentError(f"Dimension {position + 1} must be a mapping with key, name and items.")
    key = _key(entry.get("key"), f"dimension {position + 1}'s key")
    barrier = str(entry.get("barrier") or "")
    if barrier and barrier not in Barrier.values:
        raise InstrumentError(f"Dimension {key}: barrier must be one of {', '.join(Barrier.values)}.")
    items = [_item(item, f"dimension {key}") for item in _list(entry.get("items"), f"dimension {key}'s items")]
    if not items:
        raise InstrumentError(f"Dimension {key} needs at least one item.")
    return DimensionSpec(key, _text(entry.get("name"), f"dimension {key}'s name", 200), barrier, items)


def _item(entry, where: str) -> ItemSpec:
    if not isinstance(entry, dict):
        raise InstrumentError(f"Each item of {where} must be a mapping with key and text.")
    key = _key(entry.get("key"), f"an item key in {where}")
    reverse = entry.get("reverse", False)
    if not isinstance(reverse, bool):
        raise InstrumentError(f"Item {key}: reverse must be true or false.")
    return ItemSpec(key, _text(entry.get("text"), f"item {key}'s text", 400), reverse)


def _single(entry, name: str) -> ItemSpec | None:
    if entry is None:
        return None
    return _item(entry, name)


def _list(value, name: str) -> list:
    if not isinstance(value, list):
        raise InstrumentError(f"{name[0].upper()}{name[1:]} must be a list.")
    return value


def _key(value, name: str) -> str:
    if not isinstance(value, str) or not KEY.match(value):
        raise InstrumentError(f"Give {name} as lowercase letters, digits, - or _ (got {value!r}).")
    return value


def _text(value, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InstrumentError(f"Give {name}.")
    if len(value.strip()) > limit:
        raise InstrumentError(f"{name[0].upper()}{name[1:]} is longer than {limit} characters.")
    return value.strip()
