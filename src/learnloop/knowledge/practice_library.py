"""The learning-practice library shipped with Learnloop, and importing it into the knowledge base.

The library is a folder of playbooks (`knowledge/practices/*.md`) in the knowledge import
format. Their tags say what each one is for, so suggestions can find them by tag:

    practice                     every library playbook
    practice:<slug>              which library playbook it is (the file's name): the identity
                                 that makes importing idempotent, kept when the title is edited
    barrier:<barrier>            a survey barrier it helps with (surveys.models.Barrier values)
    dimension:<dimension key>    a survey dimension it strengthens (the instruments' keys)

Nothing is imported unless someone asks (an admin, the command line or the demo). Importing
creates the playbooks the knowledge base does not have yet and never touches the ones it has:
an organization's edits to an imported playbook are its own, and an entry marked obsolete stays
obsolete rather than coming back.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.knowledge import search, services
from learnloop.knowledge.models import Entry, EntryKind
from learnloop.knowledge.selectors import visible_entries
from learnloop.knowledge.transfer.files import parse_file

LIBRARY_DIR = Path(__file__).parent / "practices"
PRACTICE_TAG = "practice"
SLUG_PREFIX = "practice:"
BARRIER_PREFIX = "barrier:"
DIMENSION_PREFIX = "dimension:"
PROVENANCE_TYPE = "practice-library"


@dataclass(frozen=True)
class Practice:
    slug: str
    title: str
    body: str
    tags: tuple[str, ...]
    review_interval_days: int | None

    @property
    def barriers(self) -> list[str]:
        return [tag.removeprefix(BARRIER_PREFIX) for tag in self.tags if tag.startswith(BARRIER_PREFIX)]

    @property
    def dimensions(self) -> list[str]:
        return [tag.removeprefix(DIMENSION_PREFIX) for tag in self.tags if tag.startswith(DIMENSION_PREFIX)]


@cache
def library() -> tuple[Practice, ...]:
    """Every playbook of the library, in file-name order; a malformed file is a packaging bug."""
    practices = []
    for path in sorted(LIBRARY_DIR.glob("*.md")):
        parsed = parse_file(path.name, path.read_text(encoding="utf-8"))
        slug = path.stem
        tags = tuple(parsed.tags or ())
        if parsed.kind != EntryKind.PLAYBOOK or f"{SLUG_PREFIX}{slug}" not in tags or PRACTICE_TAG not in tags:
            raise ValueError(
                f"{path.name}: a library file is a playbook tagged “{PRACTICE_TAG}” and “{SLUG_PREFIX}{slug}”."
            )
        practices.append(Practice(slug, parsed.title, parsed.body, tags, parsed.review_interval_days))
    return tuple(practices)


@dataclass(frozen=True)
class Outcome:
    slug: str
    title: str
    entry_id: int | None  # the entry created, or the one that already holds this practice


@dataclass
class LibraryImport:
    dry_run: bool
    created: list[Outcome] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{len(self.created)} practice playbooks {verb} imported; "
            f"{len(self.skipped)} already in the knowledge base."
        )

    def as_dict(self) -> dict:
        def rows(outcomes):
            return [{"slug": o.slug, "title": o.title, "entry_id": o.entry_id} for o in outcomes]

        return {"dry_run": self.dry_run, "summary": self.summary(),
                "created": rows(self.created), "skipped": rows(self.skipped)}


def can_import(person) -> bool:
    return bool(person and person.is_authenticated and person.is_admin)


def imported_entry_ids() -> dict[str, int]:
    """slug -> the entry holding that library practice, over the whole knowledge base.

    The whole base, not what the importer sees: a practice someone made team-only is still there.
    """
    rows = Entry.tags.through.objects.filter(tag__name__startswith=SLUG_PREFIX).order_by("entry_id")
    found: dict[str, int] = {}
    for name, entry_id in rows.values_list("tag__name", "entry_id"):
        found.setdefault(name.removeprefix(SLUG_PREFIX), entry_id)
    return found


def import_library(
    *, by, dry_run: bool = False, ip_address: str | None = None, via: str = "web", at=None,
) -> LibraryImport:
    """Create the library playbooks the knowledge base lacks, owned by `by` (an admin); `at`
    backdates the import (the demo's history), as the knowledge services' `at=` does."""
    if not can_import(by):
        raise PermissionDenied(gettext("Only admins import the learning-practice library."))
    report = LibraryImport(dry_run=dry_run)
    with transaction.atomic():
        existing = imported_entry_ids()
        for practice in library():
            if practice.slug in existing:
                report.skipped.append(Outcome(practice.slug, practice.title, existing[practice.slug]))
                continue
            entry_id = None
            if not dry_run:
                entry_id = services.create_entry(
                    by=by, kind=EntryKind.PLAYBOOK, title=practice.title, body=practice.body,
                    tags=practice.tags, review_interval_days=practice.review_interval_days,
                    provenance=[(PROVENANCE_TYPE, practice.slug, "Learnloop's learning-practice library")], at=at,
                ).pk
            report.created.append(Outcome(practice.slug, practice.title, entry_id))
        if report.created and not dry_run:
            record_audit_event(
                kind=AuditKind.IMPORT, actor=by, ip_address=ip_address, target="learning-practice library",
                detail={"created": len(report.created), "skipped": len(report.skipped), "via": via}, at=at,
            )
    return report


# --- suggestions -------------------------------------------------------------------------------


def practices_for(
    *, viewer, barrier: str = "", dimensions=(), limit: int = 3, fallback_query: str = ""
) -> list[Entry]:
    """Playbooks that help with a survey barrier or weak dimensions, best first, only ones the viewer sees.

    Playbooks are chosen by their tags (`barrier:<barrier>`, `dimension:<key>`): the
    organization's own playbooks first, then the learning-practice library's (tagged
    `practice:<slug>`), each ordered by how many of the wanted tags they carry, then by how
    often they were applied. Only when no visible live playbook carries any of the tags is
    `fallback_query` searched for, so an organization that has not imported the library still
    gets something.
    """
    return practices_for_each(viewer=viewer, wanted=[(barrier, dimensions, fallback_query)], limit=limit)[0]


def _wanted_tags(barrier: str, dimensions) -> list[str]:
    tags = [f"{BARRIER_PREFIX}{barrier}"] if barrier else []
    return tags + [f"{DIMENSION_PREFIX}{key}" for key in dimensions if key]


def practices_for_each(*, viewer, wanted, limit: int = 3) -> list[list[Entry]]:
    """practices_for for several (barrier, dimensions, fallback_query) at once, as a report's
    barriers need them: two queries for all the tagged cases together (the candidate playbooks,
    then their tags), whatever their number and the size of the knowledge base."""
    asked = [_wanted_tags(barrier, dimensions) for barrier, dimensions, _query in wanted]
    every_tag = sorted({tag for tags in asked for tag in tags})
    candidates, tags_of = [], {}
    if every_tag and limit >= 1:
        tagged = Entry.tags.through.objects
        # The database orders ties as practices_for always did (application count, then title, id).
        candidates = list(
            visible_entries(viewer=viewer)
            .filter(kind=EntryKind.PLAYBOOK, obsolete_at__isnull=True,
                    pk__in=tagged.filter(tag__name__in=every_tag).values("entry_id"))
            .order_by("-application_count", "title", "id")
        )
        for entry_id, name in (
            tagged.filter(entry_id__in=[entry.pk for entry in candidates])
            .filter(Q(tag__name__in=every_tag) | Q(tag__name__startswith=SLUG_PREFIX))
            .values_list("entry_id", "tag__name")
        ):
            tags_of.setdefault(entry_id, set()).add(name)
    for entry in candidates:
        slugs = sorted(name for name in tags_of.get(entry.pk, ()) if name.startswith(SLUG_PREFIX))
        entry.library_slug = slugs[0] if slugs else None
    result = []
    for tags, (_barrier, _dimensions, fallback_query) in zip(asked, wanted, strict=True):
        result.append(_best_of(candidates, tags_of, set(tags), limit=limit, viewer=viewer,
                               fallback_query=fallback_query))
    return result


def _best_of(candidates, tags_of, tags: set[str], *, limit: int, viewer, fallback_query: str) -> list[Entry]:
    if not tags or limit < 1:
        return []
    # The organization's own playbooks first, then by how many wanted tags they carry (a stable
    # sort keeps the database's order for ties). A scaled demo (or an organization that imported
    # twice by hand) can hold one practice in several entries: the first of each is enough.
    matching = [(entry, len(tags & tags_of.get(entry.pk, set()))) for entry in candidates]
    ranked = sorted(((entry, count) for entry, count in matching if count),
                    key=lambda pair: (pair[0].library_slug is not None, -pair[1]))
    chosen, seen = [], set()
    for entry, _count in ranked:
        if entry.library_slug in seen:
            continue
        if entry.library_slug:
            seen.add(entry.library_slug)
        chosen.append(entry)
        if len(chosen) == limit:
            break
    if chosen or not fallback_query:
        return chosen
    # Ids first, then only the rows shown: no loading, highlighting and counting of whole hits.
    ids = search.best_entry_ids(
        viewer=viewer, query=fallback_query, filters=search.SearchFilters(kinds=(EntryKind.PLAYBOOK,)), limit=limit,
    )
    found = Entry.objects.in_bulk(ids)
    return [found[entry_id] for entry_id in ids if entry_id in found]
