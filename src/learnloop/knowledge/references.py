"""The knowledge base in the link registry (learnloop.links.registry): entries as a linkable
type, the lessons listed back on any object ("came from here", "applied here"), and how a
stored reference reads to one viewer.

How a stored reference reads:
- its type is registered and the viewer may see the object: a link (title and URL, as of now);
- its type is registered but the object is gone or hidden from the viewer: "a <type> you cannot
  see" (the stored label is not shown: it could name what the viewer may not see);
- its type is not registered (a Markdown import, the practice library, the demo's older history):
  plain text, its stored label.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from learnloop.knowledge.models import Application, Entry, EntryKind, Provenance
from learnloop.knowledge.permissions import visible_q
from learnloop.links.registry import (
    Backlinks,
    LessonLink,
    LinkType,
    Target,
    int_ids,
    link_type,
    register,
    register_backlinks,
)
from learnloop.links.registry import resolve as resolve_refs

ENTRY = "knowledge.entry"
# Where a lesson can be said to have been applied: places, not the checks or cards inside them.
NOT_A_PLACE = {"reflection.card", "actions.check"}


@dataclass(frozen=True)
class Shown:
    """A stored reference as one viewer reads it."""

    type: str
    id: str
    title: str
    url: str | None  # None: plain text, nothing to follow

    @property
    def linked(self) -> bool:
        return self.url is not None


def resolve_entries(viewer, ids: list[str]) -> dict[str, Target]:
    if not (viewer and viewer.is_authenticated and viewer.is_active):
        return {}
    entries = Entry.objects.filter(visible_q(viewer), pk__in=int_ids(ids)).only("pk", "title", "kind")
    return {
        str(e.pk): Target(ENTRY, str(e.pk), f"{EntryKind(e.kind).label}: {e.title}",
                          reverse("knowledge:entry", args=[e.pk]))
        for e in entries
    }


def shown(viewer, refs) -> dict[tuple[str, str], Shown]:
    """refs: (type, id, stored label) triples -> how each reads to the viewer (one query per type)."""
    refs = [(t, str(i), label) for t, i, label in refs]
    targets = resolve_refs(viewer, [(t, i) for t, i, _ in refs if t])
    out = {}
    for type_key, object_id, label in refs:
        target = targets.get((type_key, object_id))
        if target is not None:
            out[(type_key, object_id)] = Shown(type_key, object_id, target.title, target.url)
        elif link_type(type_key) is not None:
            out[(type_key, object_id)] = Shown(type_key, object_id, f"A {link_type(type_key).label} you cannot see",
                                               None)
        else:
            out[(type_key, object_id)] = Shown(type_key, object_id, label or f"{type_key} {object_id}".strip(), None)
    return out


def annotate_entry(viewer, entry: Entry) -> Entry:
    """Set `.shown` on the entry's (prefetched) provenance, applications and outcomes."""
    provenance = list(entry.provenance.all())
    applications = list(entry.applications.all())
    outcomes = list(entry.outcomes.all())
    refs = [(p.source_type, p.source_id, p.label) for p in provenance]
    refs += [(a.context_type, a.context_id, "") for a in applications if a.context_type]
    refs += [(o.source_type, o.source_id, o.label) for o in outcomes]
    table = shown(viewer, refs)
    for row in provenance:
        row.shown = table[(row.source_type, row.source_id)]
    for row in applications:
        row.shown = table.get((row.context_type, row.context_id)) if row.context_type else None
    for row in outcomes:
        row.shown = table[(row.source_type, row.source_id)]
    return entry


def annotate_applications(viewer, applications) -> list[Application]:
    applications = list(applications)
    table = shown(viewer, [(a.context_type, a.context_id, "") for a in applications if a.context_type])
    for row in applications:
        row.shown = table.get((row.context_type, row.context_id)) if row.context_type else None
    return applications


def _lesson_link(entry: Entry, **applied) -> LessonLink:
    return LessonLink(id=entry.pk, kind=entry.kind, title=entry.title, url=reverse("knowledge:entry", args=[entry.pk]),
                      verified_by_outcome=entry.verified_by_outcome_at is not None, **applied)


def lessons_pointing_at(viewer, refs: list[tuple[str, str]]) -> dict[tuple[str, str], Backlinks]:
    """The entries the viewer may see that came from, or were applied at, each referenced object.
    Two queries whatever the number of refs (provenance rows, application rows), entries joined."""
    refs = [(t, str(i)) for t, i in refs if t and i]
    found: dict[tuple[str, str], Backlinks] = {}
    if not refs or not (viewer and viewer.is_authenticated and viewer.is_active):
        return found
    visible = visible_q(viewer)
    visible_entry_ids = Entry.objects.filter(visible).values("pk")
    by_ref = Q()
    for type_key, object_id in refs:
        by_ref |= Q(source_type=type_key, source_id=object_id)
    rows = (Provenance.objects.filter(by_ref, entry_id__in=visible_entry_ids)
            .select_related("entry").order_by("-entry__updated_at", "entry_id"))
    seen = set()
    for row in rows:
        key = (row.source_type, row.source_id)
        if (key, row.entry_id) in seen:
            continue
        seen.add((key, row.entry_id))
        found.setdefault(key, Backlinks()).came_from.append(_lesson_link(row.entry))
    by_place = Q()
    for type_key, object_id in refs:
        by_place |= Q(context_type=type_key, context_id=object_id)
    applied = (Application.objects.filter(by_place, entry_id__in=visible_entry_ids)
               .select_related("entry", "person").order_by("-applied_on", "-id"))
    for row in applied:
        key = (row.context_type, row.context_id)
        found.setdefault(key, Backlinks()).applied_here.append(_lesson_link(
            row.entry, applied_by=row.person.full_name, applied_on=row.applied_on, outcome=row.outcome,
            outcome_label=str(row.get_outcome_display()),
        ))
    return found


def register_types() -> None:
    register(LinkType(ENTRY, "knowledge entry", resolve_entries))
    register_backlinks(lessons_pointing_at)
