"""One way to name a Learnloop object from anywhere: a type key and an id.

Knowledge provenance ("came from"), applications ("applied here") and an effectiveness answer
that becomes evidence for a lesson all point at objects of other modules. This module sits below
every domain app, so none of them imports another to follow a reference: each app registers its
linkable types in its AppConfig.ready() with a resolver that answers, for a viewer and a batch of
ids, the objects that viewer may see (title and URL). A reference the viewer may not see resolves
exactly like one that does not exist, so a reference is never an existence oracle.

Later modules register their types the same way; nothing here changes.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

MAX_TYPE = 60
MAX_ID = 64


@dataclass(frozen=True)
class Target:
    """What a reader sees of a referenced object: never more than its page would show them."""

    type: str
    id: str
    title: str
    url: str


@dataclass(frozen=True)
class Outcome:
    """An answered "did it work?" (an action's effectiveness check, and later others)."""

    target: Target
    effect: str  # worked | did_not_work | unknown
    evidence: str
    checked_at: object  # datetime
    # References the checked object itself came from ("reflection.session", "42"), so the
    # knowledge base can find lessons of the same origin.
    sources: tuple[tuple[str, str], ...] = ()
    team_id: int | None = None


# resolver(viewer, ids) -> {id: Target} for the ids that exist and the viewer may see.
Resolver = Callable[[object, list[str]], dict[str, Target]]
# outcome(viewer, id) -> Outcome | None, for types that carry an answered check.
OutcomeReader = Callable[[object, str], "Outcome | None"]


@dataclass(frozen=True)
class LinkType:
    key: str
    label: str  # "retro or review session", read in messages: "No <label> with this id that you can see."
    resolve: Resolver
    outcome: OutcomeReader | None = None


@dataclass(frozen=True)
class LessonLink:
    """A knowledge entry as listed back on an object, in words every module can show."""

    id: int
    kind: str
    title: str
    url: str
    verified_by_outcome: bool = False
    # For "applied here": who applied it, when, and how it went.
    applied_by: str = ""
    applied_on: object = None  # date
    outcome: str = ""
    outcome_label: str = ""


@dataclass
class Backlinks:
    """Lessons that point at one object: where they came from, and where they were applied
    (lists of LessonLink, most recent first)."""

    came_from: list = field(default_factory=list)
    applied_here: list = field(default_factory=list)


_TYPES: dict[str, LinkType] = {}
# provider(viewer, refs: list[(type, id)]) -> {(type, id): Backlinks}; the knowledge app is one.
_BACKLINK_PROVIDERS: list[Callable] = []


def register(link_type: LinkType) -> None:
    if len(link_type.key) > MAX_TYPE:
        raise ValueError(f"A link type key is at most {MAX_TYPE} characters: {link_type.key!r}")
    _TYPES[link_type.key] = link_type


def register_backlinks(provider: Callable) -> None:
    if provider not in _BACKLINK_PROVIDERS:
        _BACKLINK_PROVIDERS.append(provider)


def link_type(key: str) -> LinkType | None:
    return _TYPES.get(key)


def known_types() -> list[str]:
    return sorted(_TYPES)


def is_known(key: str) -> bool:
    return key in _TYPES


def clean_reference(viewer, *, type_key, object_id, type_field: str, id_field: str) -> Target:
    """The object a (type, id) pair names, or a ValidationError naming the field that is wrong.

    Unknown type -> the type field. Missing, malformed, or not visible to the viewer -> the id
    field, with one message for all three (no existence oracle)."""
    type_key = str(type_key or "").strip()
    object_id = str(object_id or "").strip()
    link = _TYPES.get(type_key)
    if link is None:
        raise ValidationError({type_field: f"Unknown type {type_key[:MAX_TYPE]!r}; "
                                           f"one of: {', '.join(known_types())}."})
    if not object_id:
        raise ValidationError({id_field: f"Name the {link.label} by its id."})
    target = resolve(viewer, [(type_key, object_id)]).get((type_key, object_id))
    if target is None:
        raise ValidationError({id_field: f"No {link.label} with id {object_id[:MAX_ID]!r} that you can see."})
    return target


def resolve(viewer, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Target]:
    """Every reference the viewer may follow, one resolver call per type (no query per row).
    Unknown types and invisible or missing objects are left out."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for type_key, object_id in refs:
        object_id = str(object_id)
        if type_key in _TYPES and object_id and len(object_id) <= MAX_ID:
            by_type[type_key].add(object_id)
    found: dict[tuple[str, str], Target] = {}
    for type_key, ids in by_type.items():
        for object_id, target in _TYPES[type_key].resolve(viewer, sorted(ids)).items():
            found[(type_key, object_id)] = target
    return found


def outcome(viewer, type_key: str, object_id) -> Outcome | None:
    link = _TYPES.get(type_key)
    if link is None or link.outcome is None:
        return None
    return link.outcome(viewer, str(object_id))


def backlinks(viewer, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Backlinks]:
    """For each referenced object, the lessons the viewer may see that came from it or were
    applied at it. One query per provider whatever the number of refs."""
    refs = [(t, str(i)) for t, i in refs]
    merged = {ref: Backlinks() for ref in refs}
    for provider in _BACKLINK_PROVIDERS:
        for ref, found in provider(viewer, refs).items():
            merged.setdefault(ref, Backlinks())
            merged[ref].came_from.extend(found.came_from)
            merged[ref].applied_here.extend(found.applied_here)
    return merged


def backlinks_of(viewer, type_key: str, object_id) -> Backlinks:
    return backlinks(viewer, [(type_key, str(object_id))])[(type_key, str(object_id))]


def int_ids(ids: Iterable[str]) -> list[int]:
    """The ids that are plain positive integers (the primary keys resolvers look up)."""
    out = []
    for value in ids:
        if value.isascii() and value.isdigit() and len(value) < 19:
            out.append(int(value))
    return out
