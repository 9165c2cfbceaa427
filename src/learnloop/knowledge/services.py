"""Every change to the knowledge base. Each keeps a version, emits an activity event and tells
the search index, in the same transaction as the change itself."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import F, Sum, prefetch_related_objects
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.activity.batch import batch_memo
from learnloop.activity.services import new_activity_event, record_activities, record_activity
from learnloop.knowledge import notifying, search
from learnloop.knowledge.models import (
    DEFAULT_REVIEW_DAYS,
    Answer,
    AnswerVote,
    Application,
    ApplicationOutcome,
    DecisionStatus,
    Entry,
    EntryKind,
    EntryLink,
    EntryVersion,
    Feedback,
    Follow,
    LinkKind,
    Notification,
    Provenance,
    Skill,
    Tag,
    Visibility,
)
from learnloop.knowledge.permissions import (
    require_accept_answer,
    require_curate,
    require_edit,
    require_edit_answer,
    require_hide_answer,
    require_view,
)
from learnloop.knowledge.references import NOT_A_PLACE
from learnloop.links.registry import clean_reference

CONTENT_FIELDS = ("title", "body", "context", "options", "decision", "consequences")
DECISION_FIELDS = ("context", "options", "decision", "consequences")
MAX_TAGS = 20
# Which status moves a decision record may make. Accepted records never go back to proposed:
# their content is frozen, and a new record supersedes them instead.
DECISION_MOVES = {
    DecisionStatus.PROPOSED: {DecisionStatus.ACCEPTED, DecisionStatus.DEPRECATED},
    DecisionStatus.ACCEPTED: {DecisionStatus.DEPRECATED, DecisionStatus.SUPERSEDED},
    DecisionStatus.DEPRECATED: set(),
    DecisionStatus.SUPERSEDED: set(),
}


class _Unset:
    def __repr__(self):
        return "UNSET"


UNSET = _Unset()


# --- helpers ------------------------------------------------------------------------------------


def _clean_names(names, *, field: str, max_length: int) -> list[str]:
    cleaned: dict[str, None] = {}
    for name in names or ():
        name = " ".join(str(name).split()).lower()
        if not name:
            continue
        if len(name) > max_length:
            raise ValidationError(
                {
                    field: gettext("“%(name)s…” is longer than %(max)s characters.")
                    % {"name": name[:30], "max": max_length}
                }
            )
        cleaned[name] = None
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({field: f"At most {MAX_TAGS} {field}."})
    return list(cleaned)


def _named(model, names: list[str]) -> list:
    """The rows of these names, made when missing, in the names' order: two or three queries
    whatever the count (a get_or_create each cost a query and a savepoint per name, the bulk of
    an import's time). Within a batch of writes (an import, activity.batch) a name is looked up
    once: thousands of entries share a few dozen tags. A row made by a step that is then rolled
    back to its savepoint stays in the memo, but a refused step fails the whole import, which is
    rolled back (foreign keys are checked at commit on both databases)."""
    if not names:
        return []
    memo = batch_memo()
    found = memo.setdefault(f"named:{model._meta.label}", {}) if memo is not None else {}
    wanted = [name for name in names if name not in found]
    if wanted:
        found.update((row.name, row) for row in model.objects.filter(name__in=wanted))
        missing = [name for name in wanted if name not in found]
        if missing:
            # ignore_conflicts: a concurrent writer may create the same name meanwhile.
            model.objects.bulk_create([model(name=name) for name in missing], ignore_conflicts=True)
            found.update((row.name, row) for row in model.objects.filter(name__in=missing))
    return [found[name] for name in names]


def _snapshot(entry: Entry, *, tags: list[str], skills: list[str]) -> dict:
    """The entry's content as a version keeps it, with its tag and skill names."""
    return {
        **{field: getattr(entry, field) for field in CONTENT_FIELDS},
        "tags": sorted(tags),
        "skills": sorted(skills),
    }


def _names(related) -> list[str]:
    return [row.name for row in related.all()]


def _validate_content(entry: Entry, *, body_required: bool = True) -> None:
    entry.title = " ".join((entry.title or "").split())
    if not entry.title:
        raise ValidationError({"title": gettext("An entry needs a title.")})
    if len(entry.title) > 300:
        raise ValidationError({"title": gettext("Keep the title under 300 characters.")})
    if entry.kind not in EntryKind.values:
        raise ValidationError({"kind": f"Kind must be one of: {', '.join(EntryKind.values)}."})
    if entry.kind == EntryKind.DECISION:
        if not entry.decision.strip():
            raise ValidationError({"decision": gettext("A decision record states the decision.")})
    else:
        for field in DECISION_FIELDS:
            if getattr(entry, field).strip():
                raise ValidationError({field: gettext("Only decision records have this field.")})
    if body_required and entry.kind in {EntryKind.LESSON, EntryKind.PLAYBOOK} and not entry.body.strip():
        raise ValidationError({"body": gettext("Write the lesson or playbook itself.")})


def _validate_ownership(entry: Entry, teams) -> None:
    if (entry.owner_person is None) == (entry.owner_team is None):
        raise ValidationError({"owner": gettext("An entry is owned by exactly one person or one team.")})
    if entry.owner_person is not None and not entry.owner_person.is_active:
        raise ValidationError({"owner": f"{entry.owner_person} is deactivated; choose an active owner."})
    if entry.owner_team is not None and entry.owner_team.is_archived:
        raise ValidationError({"owner": f"{entry.owner_team} is archived; choose an active team."})
    if entry.visibility not in Visibility.values:
        raise ValidationError({"visibility": gettext("Visibility must be everyone or team.")})
    if entry.visibility == Visibility.TEAM and not teams and entry.owner_team is None:
        raise ValidationError(
            {"visibility": gettext("A team-only entry needs at least one team (or a team as owner).")}
        )
    if not 1 <= entry.review_interval_days <= 3650:
        raise ValidationError({"review_interval_days": gettext("Review every 1 to 3650 days.")})


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _changed(entry: Entry, *, verb: str, by, data: dict | None = None, at: datetime | None = None) -> None:
    record_activity(verb=verb, subject=entry, actor=by, team=entry.owner_team, data=data or {}, at=at)
    search.entry_changed(entry.pk)


# --- entries ------------------------------------------------------------------------------------


def create_entry(
    *,
    by,
    kind: str,
    title: str,
    body: str = "",
    context: str = "",
    options: str = "",
    decision: str = "",
    consequences: str = "",
    owner_person=None,
    owner_team=None,
    teams=(),
    visibility: str = Visibility.EVERYONE,
    tags=(),
    skills=(),
    review_interval_days: int | None = None,
    provenance=(),
    created_at=None,
    at: datetime | None = None,
    body_optional: bool = False,
) -> Entry:
    """Write a new entry. Without an owner, the author owns it.

    A lesson or playbook written here needs its text; `body_optional` lets an import bring in
    a file that is only a title (a note whose heading says it all, a catalogue record), which
    would otherwise refuse the whole folder.

    `provenance` is a list of (source_type, source_id, label) tuples. `at` is when the write
    happens (now unless a history is being replayed); `created_at`, when the entry was first
    written, defaults to it (an import keeps the original's date).
    """
    draft = dict(kind=kind, title=title, body=body, context=context, options=options, decision=decision,
                 consequences=consequences, owner_person=owner_person, owner_team=owner_team, teams=teams,
                 visibility=visibility, tags=tags, skills=skills, review_interval_days=review_interval_days,
                 provenance=provenance, created_at=created_at, at=at, body_optional=body_optional)
    [written] = create_entries(by=by, drafts=[draft])
    if isinstance(written, ValidationError):
        raise written
    return written


@dataclass
class _NewEntry:
    """A checked draft of create_entries, waiting for the batch's writes."""

    entry: Entry
    teams: list
    tag_names: list[str]
    skill_names: list[str]
    provenance: list[Provenance]
    at: datetime | None


def create_entries(*, by, drafts: list[dict]) -> list[Entry | ValidationError]:
    """Write many new entries at once: each draft holds create_entry's arguments (without `by`).

    Returns, in the drafts' order, each written entry or the ValidationError that refused its
    draft; the others are written all the same. The result is what create_entry would give for
    each, but in a few statements per batch instead of seven per entry (an import of thousands
    of files on PostgreSQL spent most of its time in round trips). Listeners hear each entry
    and event as if saved alone (post_save)."""
    if not (by and by.is_authenticated and by.is_active):
        raise ValidationError({"author": gettext("Entries are written by an active person.")})
    return _in_one_batch(by, drafts, check=_checked_draft, write=_write_new_entries)


def _in_one_batch(by, items: list[dict], *, check, write) -> list:
    """Each item checked on its own (`check(by, **item)`: nothing written yet), then every
    accepted one written together in one transaction (`write(by, checked)`). Returns, in the
    items' order, each written entry or the error that refused its item."""
    results, checked = [], []
    for item in items:
        try:
            checked.append(check(by, **item))
            results.append(checked[-1].entry)
        except (ValidationError, PermissionDenied) as error:
            results.append(error)
    if checked:
        with transaction.atomic():
            write(by, checked)
    return results


def _checked_draft(by, *, kind, title, body="", context="", options="", decision="", consequences="",
                   owner_person=None, owner_team=None, teams=(), visibility=Visibility.EVERYONE, tags=(), skills=(),
                   review_interval_days=None, provenance=(), created_at=None, at=None,
                   body_optional=False) -> _NewEntry:
    """A draft as an unsaved entry with its links, every rule checked: nothing is written yet."""
    now = created_at or _now(at)
    if owner_person is None and owner_team is None:
        owner_person = by
    entry = Entry(
        kind=kind,
        title=title,
        body=body or "",
        context=context or "",
        options=options or "",
        decision=decision or "",
        consequences=consequences or "",
        status=DecisionStatus.PROPOSED if kind == EntryKind.DECISION else "",
        author=by,
        owner_person=owner_person,
        owner_team=owner_team,
        visibility=visibility,
        review_interval_days=review_interval_days or DEFAULT_REVIEW_DAYS.get(kind, 180),
        last_verified_at=now,
        last_verified_by=by,
        created_at=now,
        updated_at=now,
    )
    teams = list(teams or ())
    _validate_content(entry, body_required=not body_optional)
    _validate_ownership(entry, teams)
    entry.schedule_review()
    sources = _first_provenance(entry, provenance)
    # The checks a save would make (stored-value rules), now, so that a refused value is this
    # draft's error and not the whole batch's.
    for row in (entry, *sources):
        pre_save.send(sender=type(row), instance=row, raw=False, using=router.db_for_write(type(row)),
                      update_fields=None)
    return _NewEntry(entry=entry, teams=teams, tag_names=_clean_names(tags, field="tags", max_length=60),
                     skill_names=_clean_names(skills, field="skills", max_length=80), provenance=sources, at=at)


def _links_by_entry(changes: list[tuple[Entry, list | None, list[str] | None, list[str] | None]]):
    """(field, {entry id: linked ids}) for teams, tags and skills, from each entry's teams and
    tag and skill names (None: that link unchanged); names made into rows once for the batch."""
    tag_names = sorted({name for _, _, tags, _ in changes for name in tags or ()})
    skill_names = sorted({name for _, _, _, skills in changes for name in skills or ()})
    tag_ids = {name: row.pk for name, row in zip(tag_names, _named(Tag, tag_names), strict=True)}
    skill_ids = {name: row.pk for name, row in zip(skill_names, _named(Skill, skill_names), strict=True)}
    return (
        ("teams", {entry.pk: [getattr(team, "pk", team) for team in teams]
                   for entry, teams, _, _ in changes if teams is not None}),
        ("tags", {entry.pk: [tag_ids[name] for name in tags] for entry, _, tags, _ in changes if tags is not None}),
        ("skills", {entry.pk: [skill_ids[name] for name in skills]
                    for entry, _, _, skills in changes if skills is not None}),
    )


def _add_links(field: str, links: dict[int, list[int]]) -> None:
    """Link each entry to these ids (teams, tags or skills), one insert for the batch."""
    through = getattr(Entry, field).through
    column = Entry._meta.get_field(field).m2m_reverse_name()
    rows = [through(entry_id=entry_id, **{column: pk}) for entry_id, pks in links.items() for pk in dict.fromkeys(pks)]
    if rows:
        through.objects.bulk_create(rows)


def _replace_links(field: str, links: dict[int, list[int]], entries: list[Entry]) -> None:
    """Each entry in `links` is linked to exactly these ids afterwards: its old links deleted,
    these inserted, a statement each for the batch (a set() per entry cost three). Nothing
    listens for m2m_changed. What was prefetched of these links is dropped, as set() drops it."""
    if not links:
        return
    getattr(Entry, field).through.objects.filter(entry_id__in=list(links)).delete()
    _add_links(field, links)
    for entry in entries:
        if entry.pk in links:
            getattr(entry, "_prefetched_objects_cache", {}).pop(field, None)


def _write_new_entries(by, batch: list[_NewEntry]) -> None:
    entries = Entry.objects.bulk_create([new.entry for new in batch])
    if any(entry.pk is None for entry in entries):
        raise RuntimeError("This database does not return the ids of inserted rows (SQLite 3.35 or newer does).")
    # New entries have no links to diff against: add only.
    for field, links in _links_by_entry([(new.entry, new.teams, new.tag_names, new.skill_names) for new in batch]):
        _add_links(field, links)
    for new in batch:
        for row in new.provenance:
            row.entry = new.entry
    Provenance.objects.bulk_create([row for new in batch for row in new.provenance])
    versions = [
        EntryVersion(entry=new.entry, number=new.entry.version, changed_by=by, change_note="Created",
                     content=_snapshot(new.entry, tags=new.tag_names, skills=new.skill_names))
        for new in batch
    ]
    EntryVersion.objects.bulk_create(versions)
    using = router.db_for_write(Entry)
    for model, rows in ((Entry, entries), (Provenance, [r for new in batch for r in new.provenance]),
                        (EntryVersion, versions)):
        for row in rows:
            post_save.send(sender=model, instance=row, created=True, update_fields=None, raw=False, using=using)
    record_activities([
        new_activity_event(verb="created", subject=new.entry, actor=by, team=new.entry.owner_team,
                           data={"kind": new.entry.kind}, at=new.at)
        for new in batch
    ])
    for new in batch:
        search.entry_changed(new.entry.pk)


def prefetch_for_update(entries: list[Entry]) -> None:
    """Read for all these entries at once what update_entry reads of each (its owner for the
    ownership check, its teams, tags and skills for the checks and the version, its followers
    to notify): an import updating thousands made five round trips per entry for these."""
    prefetch_related_objects(entries, "owner_person", "teams", "tags", "skills", notifying.follows_with_people())


def update_entry(
    *,
    by,
    entry: Entry,
    change_note: str = "",
    title=UNSET,
    body=UNSET,
    context=UNSET,
    options=UNSET,
    decision=UNSET,
    consequences=UNSET,
    tags=UNSET,
    skills=UNSET,
    teams=UNSET,
    visibility=UNSET,
    owner_person=UNSET,
    owner_team=UNSET,
    review_interval_days=UNSET,
    at: datetime | None = None,
    body_optional: bool = False,
) -> Entry:
    """Edit an entry. Content edits make a new version; accepted decisions refuse them.

    An edit can't take a lesson's or playbook's text away, but an entry imported as a title
    alone (create_entry's `body_optional`) can be edited before anyone writes its text."""
    edit = dict(entry=entry, change_note=change_note, title=title, body=body, context=context, options=options,
                decision=decision, consequences=consequences, tags=tags, skills=skills, teams=teams,
                visibility=visibility, owner_person=owner_person, owner_team=owner_team,
                review_interval_days=review_interval_days, at=at, body_optional=body_optional)
    [written] = update_entries(by=by, edits=[edit])
    if isinstance(written, Exception):
        raise written
    return written


@dataclass
class _Edit:
    """A checked edit of update_entries: the entry holds its new values, nothing is written yet."""

    entry: Entry
    fields: set[str]  # the entry's columns this edit writes
    content_changed: bool
    teams: list | None  # None: unchanged
    tag_names: list[str] | None
    skill_names: list[str] | None
    change_note: str
    at: datetime | None


def update_entries(*, by, edits: list[dict]) -> list[Entry | ValidationError | PermissionDenied]:
    """Edit many entries at once: each edit holds update_entry's arguments (without `by`).

    Returns, in the edits' order, each edited entry or the error that refused its edit (nothing
    of a refused edit is written; the others are). The result is what update_entry would give
    for each, in a few statements per batch instead of five per entry (an import re-reading a
    folder where every file changed spent most of its time in round trips). Listeners hear each
    entry, version and event as if saved alone (post_save)."""
    return _in_one_batch(by, edits, check=_checked_edit, write=_write_edits)


def _checked_edit(by, *, entry: Entry, change_note="", title=UNSET, body=UNSET, context=UNSET, options=UNSET,
                  decision=UNSET, consequences=UNSET, tags=UNSET, skills=UNSET, teams=UNSET, visibility=UNSET,
                  owner_person=UNSET, owner_team=UNSET, review_interval_days=UNSET, at=None,
                  body_optional=False) -> _Edit:
    """An edit applied to the entry in memory, every rule checked: nothing is written yet."""
    require_edit(by, entry)
    had_body = bool(entry.body.strip())
    content = {
        "title": title,
        "body": body,
        "context": context,
        "options": options,
        "decision": decision,
        "consequences": consequences,
    }
    content = {field: value or "" for field, value in content.items() if value is not UNSET}
    content = {field: value for field, value in content.items() if value != getattr(entry, field)}
    new_tags = None if tags is UNSET else sorted(_clean_names(tags, field="tags", max_length=60))
    new_skills = None if skills is UNSET else sorted(_clean_names(skills, field="skills", max_length=80))
    if new_tags is not None and new_tags == sorted(_names(entry.tags)):
        new_tags = None
    if new_skills is not None and new_skills == sorted(_names(entry.skills)):
        new_skills = None
    content_changed = bool(content) or new_tags is not None or new_skills is not None
    if content_changed and entry.is_locked:
        raise ValidationError(
            {
                "status": gettext(
                    "This decision record is %(status)s: its content can't change. "
                    "Write a new record that supersedes it."
                )
                % {"status": str(entry.get_status_display()).lower()}
            }
        )
    structure = {
        "visibility": visibility,
        "owner_person": owner_person,
        "owner_team": owner_team,
        "review_interval_days": review_interval_days,
    }
    structure = {field: value for field, value in structure.items() if value is not UNSET}
    if structure or teams is not UNSET:
        require_curate(by, entry)
    for field, value in {**content, **structure}.items():
        setattr(entry, field, value)
    if "owner_person" in structure and structure["owner_person"] is not None and "owner_team" not in structure:
        entry.owner_team = None
    if "owner_team" in structure and structure["owner_team"] is not None and "owner_person" not in structure:
        entry.owner_person = None
    new_teams = list(teams) if teams is not UNSET else list(entry.teams.all())
    _validate_content(entry, body_required=had_body and not body_optional)
    _validate_ownership(entry, new_teams)
    due = entry.review_due_at
    entry.schedule_review()
    if content_changed:
        entry.version += 1
    entry.updated_at = _now(at)
    # Each column is a CASE over the batch in the bulk update: only those that change.
    fields = {*content, *structure, "updated_at"}
    if content_changed:
        fields.add("version")
    if entry.review_due_at != due:
        fields.add("review_due_at")
    if {"owner_person", "owner_team"} & fields:
        fields |= {"owner_person", "owner_team"}
    # The checks a save would make (stored-value rules), now, so that a refused value is this
    # edit's error and not the whole batch's.
    pre_save.send(sender=Entry, instance=entry, raw=False, using=router.db_for_write(Entry), update_fields=None)
    return _Edit(entry=entry, fields=fields, content_changed=content_changed,
                 teams=new_teams if teams is not UNSET else None, tag_names=new_tags, skill_names=new_skills,
                 change_note=change_note, at=at)


def _write_edits(by, batch: list[_Edit]) -> None:
    entries = [edit.entry for edit in batch]
    # Only the columns some edit changes (a save would write every column, over a concurrent
    # change to another field, such as a status move).
    Entry.objects.bulk_update(entries, sorted({field for edit in batch for field in edit.fields}))
    using = router.db_for_write(Entry)
    for entry in entries:
        post_save.send(sender=Entry, instance=entry, created=False, update_fields=None, raw=False, using=using)
    for field, links in _links_by_entry([(edit.entry, edit.teams, edit.tag_names, edit.skill_names)
                                         for edit in batch]):
        _replace_links(field, links, entries)
    edited = [edit for edit in batch if edit.content_changed]
    versions = EntryVersion.objects.bulk_create([
        EntryVersion(entry=edit.entry, number=edit.entry.version, changed_by=by, change_note=edit.change_note[:300],
                     # Unchanged links through .all(): an import prefetched them.
                     content=_snapshot(
                         edit.entry,
                         tags=_names(edit.entry.tags) if edit.tag_names is None else edit.tag_names,
                         skills=_names(edit.entry.skills) if edit.skill_names is None else edit.skill_names,
                     ))
        for edit in edited
    ])
    for version in versions:
        post_save.send(sender=EntryVersion, instance=version, created=True, update_fields=None, raw=False,
                       using=using)
    for edit in edited:
        notifying.entry_changed(
            entry=edit.entry,
            by=by,
            what=lambda entry=edit.entry: gettext("edited it (version %(version)s)") % {"version": entry.version},
            event=f"v{edit.entry.version}",
            at=edit.at,
        )
    record_activities([
        new_activity_event(verb="edited", subject=edit.entry, actor=by, team=edit.entry.owner_team,
                           data={"version": edit.entry.version, "content": edit.content_changed}, at=edit.at)
        for edit in batch
    ])
    for edit in batch:
        search.entry_changed(edit.entry.pk)


def restore_version(*, by, entry: Entry, number: int) -> Entry:
    """Bring back an earlier version's content as a new version (history is never rewritten)."""
    version = entry.versions.filter(number=number).first()
    if version is None:
        raise ValidationError({"version": gettext("This entry has no version %(number)s.") % {"number": number}})
    content = version.content
    return update_entry(
        by=by,
        entry=entry,
        change_note=f"Restored version {number}",
        **{field: content.get(field, "") for field in CONTENT_FIELDS},
        tags=content.get("tags", []),
        skills=content.get("skills", []),
    )


def verify_entry(*, by, entry: Entry, note: str = "", at: datetime | None = None) -> Entry:
    """The owner confirms the entry is still right: its review clock starts again."""
    require_curate(by, entry)
    if entry.obsolete_at is not None:
        raise ValidationError({"entry": gettext("This entry is obsolete; restore it before verifying it.")})
    with transaction.atomic():
        entry.last_verified_at = _now(at)
        entry.last_verified_by = by
        entry.schedule_review()
        # Verifying answers a review flag too: someone who answers for the entry has looked again.
        entry.review_flag, entry.review_flagged_at = "", None
        entry.save(
            update_fields=["last_verified_at", "last_verified_by", "review_due_at", "review_flag", "review_flagged_at"]
        )
        _changed(entry, verb="verified", by=by, data={"note": note[:300]} if note else {}, at=at)
    return entry


def mark_obsolete(*, by, entry: Entry, reason: str, at: datetime | None = None) -> Entry:
    require_curate(by, entry)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the entry is obsolete, so readers know what to do instead.")})
    with transaction.atomic():
        entry.obsolete_at = _now(at)
        entry.obsolete_reason = reason
        entry.save(update_fields=["obsolete_at", "obsolete_reason"])
        _changed(entry, verb="obsoleted", by=by, at=at)
        notifying.entry_changed(
            entry=entry,
            by=by,
            what=lambda: gettext("marked it obsolete (%(reason)s)") % {"reason": reason[:120]},
            event=f"obsolete:{entry.obsolete_at.isoformat()}",
            at=at,
        )
    return entry


def restore_from_obsolete(*, by, entry: Entry) -> Entry:
    require_curate(by, entry)
    with transaction.atomic():
        entry.obsolete_at = None
        entry.obsolete_reason = ""
        entry.last_verified_at = timezone.now()
        entry.last_verified_by = by
        entry.schedule_review()
        entry.save(
            update_fields=["obsolete_at", "obsolete_reason", "last_verified_at", "last_verified_by", "review_due_at"]
        )
        _changed(entry, verb="restored", by=by)
    return entry


def set_decision_status(
    *, by, entry: Entry, status: str, superseded_by: Entry | None = None, at: datetime | None = None
) -> Entry:
    require_curate(by, entry)
    if entry.kind != EntryKind.DECISION:
        raise ValidationError({"status": gettext("Only decision records have a status.")})
    if status not in DECISION_MOVES.get(entry.status, set()):
        raise ValidationError(
            {
                "status": gettext("A %(current)s decision can't become %(status)s.")
                % {"current": str(entry.get_status_display()).lower(), "status": status}
            }
        )
    if status == DecisionStatus.SUPERSEDED:
        if superseded_by is None:
            raise ValidationError({"superseded_by": gettext("Name the decision record that supersedes this one.")})
        if superseded_by.pk == entry.pk or superseded_by.kind != EntryKind.DECISION:
            raise ValidationError({"superseded_by": gettext("A decision is superseded by another decision record.")})
        if superseded_by.status != DecisionStatus.ACCEPTED:
            raise ValidationError({"superseded_by": gettext("The superseding record must be accepted first.")})
        require_view(by, superseded_by)
    elif superseded_by is not None:
        raise ValidationError({"superseded_by": gettext("Only a superseded record names its successor.")})
    with transaction.atomic():
        previous = entry.status
        entry.status = status
        entry.superseded_by = superseded_by
        entry.updated_at = _now(at)
        entry.save(update_fields=["status", "superseded_by", "updated_at"])
        if superseded_by is not None:
            EntryLink.objects.get_or_create(
                source=superseded_by, target=entry, kind=LinkKind.SUPERSEDES, defaults={"created_by": by}
            )
        _changed(entry, verb="status_changed", by=by, data={"from": previous, "to": status}, at=at)
        notifying.entry_changed(
            entry=entry,
            by=by,
            what=lambda: gettext("moved it to %(status)s") % {"status": str(entry.get_status_display()).lower()},
            event=f"status:{status}",
            at=at,
        )
    return entry


# --- links and provenance --------------------------------------------------------------------------


def add_link(*, by, source: Entry, target: Entry, kind: str, at: datetime | None = None) -> EntryLink:
    require_view(by, source)
    require_view(by, target)
    if kind not in LinkKind.values:
        raise ValidationError({"kind": f"Link kind must be one of: {', '.join(LinkKind.values)}."})
    if source.pk == target.pk:
        raise ValidationError({"target": gettext("An entry can't link to itself.")})
    if EntryLink.objects.filter(source=source, target=target, kind=kind).exists():
        raise ValidationError({"target": gettext("These entries are already linked that way.")})
    with transaction.atomic():
        link = EntryLink.objects.create(source=source, target=target, kind=kind, created_by=by)
        record_activity(verb="linked", subject=source, actor=by, data={"target": target.pk, "kind": kind}, at=at)
    return link


def remove_link(*, by, link: EntryLink) -> None:
    if by.pk != link.created_by_id:
        require_edit(by, link.source)
    link.delete()


def _check_source(source_type, source_id) -> None:
    # SQLite would store longer values silently while PostgreSQL refuses them: refuse on both.
    if len(str(source_type)) > 60 or len(str(source_id)) > 64:
        raise ValidationError(
            {"provenance": "A source is named by a type of at most 60 characters and an id of at most 64."}
        )


def _source_label(source_type, source_id, label) -> str:
    return (label or f"{source_type} {source_id}")[:300]


def _first_provenance(entry: Entry, provenance) -> list[Provenance]:
    """A new entry's sources, unsaved, the first of each kept (as add_provenance would): an
    entry just written has none to look up, so they are inserted at once."""
    rows = {}
    for source_type, source_id, label in provenance:
        _check_source(source_type, source_id)
        rows.setdefault((source_type, str(source_id)), Provenance(
            entry=entry, source_type=source_type, source_id=str(source_id),
            label=_source_label(source_type, source_id, label),
        ))
    return list(rows.values())


def add_provenances(sources: list[tuple[int, str, str, str]]) -> None:
    """add_provenance for many (entry id, source_type, source_id, label) at once: the sources an
    entry has already are kept, the others inserted, in two statements per 500 sources."""
    for _entry_id, source_type, source_id, _label in sources:
        _check_source(source_type, source_id)
    wanted = list({(entry_id, source_type, str(source_id)): label
                   for entry_id, source_type, source_id, label in sources}.items())
    for start in range(0, len(wanted), 500):  # a re-import may update more than SQLite takes parameters
        chunk = wanted[start:start + 500]
        known = set(Provenance.objects.filter(entry_id__in={key[0] for key, _ in chunk},
                                              source_id__in={key[2] for key, _ in chunk})
                    .values_list("entry_id", "source_type", "source_id"))
        Provenance.objects.bulk_create(
            [Provenance(entry_id=entry_id, source_type=source_type, source_id=source_id,
                        label=_source_label(source_type, source_id, label))
             for (entry_id, source_type, source_id), label in chunk
             if (entry_id, source_type, source_id) not in known],
            ignore_conflicts=True,  # a concurrent writer may add the same source meanwhile
        )


def add_provenance(*, entry: Entry, source_type: str, source_id, label: str) -> Provenance:
    """Record where an entry came from. Called by the modules that create entries from their
    objects (sessions, findings, experiments); they check their own permissions."""
    _check_source(source_type, source_id)
    provenance, _ = Provenance.objects.get_or_create(
        entry=entry,
        source_type=source_type,
        source_id=str(source_id),
        defaults={"label": _source_label(source_type, source_id, label)},
    )
    return provenance


# --- reuse ---------------------------------------------------------------------------------------


def record_application(
    *,
    by,
    entry: Entry,
    context: str = "",
    context_type: str = "",
    context_id: str = "",
    applied_on: date | None = None,
    outcome: str = ApplicationOutcome.TOO_EARLY,
    note: str = "",
    at: datetime | None = None,
) -> Application:
    """“I applied this here.” Where is free text, or a typed reference to an object the person may
    see (learnloop.links): an unknown type, a missing id or an object they may not see is refused
    on the field it concerns, the last two with one message (no existence oracle)."""
    require_view(by, entry)
    context = " ".join((context or "").split())
    context_type, context_id = str(context_type or "").strip(), str(context_id or "").strip()
    if context_id and not context_type:
        raise ValidationError({"context_type": gettext("Say what kind of object the id names (context_type).")})
    if context_type:
        if context_type in NOT_A_PLACE:
            raise ValidationError(
                {"context_type": "A card or a check is not a place to apply a lesson; name its session or action."}
            )
        # The title is not copied into `context`: it is read from the object each time it is shown,
        # so a reader who may not see the object never reads its name.
        clean_reference(
            by, type_key=context_type, object_id=context_id, type_field="context_type", id_field="context_id"
        )
    elif not context:
        raise ValidationError({"context": gettext("Say where you applied it (a project, a team, a session…).")})
    if outcome not in ApplicationOutcome.values:
        raise ValidationError({"outcome": f"Outcome must be one of: {', '.join(ApplicationOutcome.values)}."})
    today = timezone.localdate(_now(at))
    applied_on = applied_on or today
    if applied_on > today:
        raise ValidationError({"applied_on": gettext("That date is in the future.")})
    with transaction.atomic():
        application = Application.objects.create(
            entry=entry,
            person=by,
            context=context[:300],
            context_type=context_type,
            context_id=str(context_id or ""),
            applied_on=applied_on,
            outcome=outcome,
            note=(note or "").strip(),
        )
        Entry.objects.filter(pk=entry.pk).update(application_count=F("application_count") + 1)
        entry.refresh_from_db(fields=["application_count"])
        _changed(entry, verb="applied", by=by, data={"application": application.pk, "outcome": outcome}, at=at)
    return application


def give_feedback(*, by, entry: Entry, helpful: bool, comment: str = "", at: datetime | None = None) -> Feedback:
    """“Was this helpful?”, with an optional comment: a comment is what the owner hears about."""
    require_view(by, entry)
    with transaction.atomic():
        feedback, _ = Feedback.objects.update_or_create(
            entry=entry, person=by, defaults={"helpful": bool(helpful), "comment": (comment or "").strip()[:500]}
        )
        record_activity(verb="feedback", subject=entry, actor=by, data={"helpful": bool(helpful)}, at=at)
        if feedback.comment:
            notifying.comment_given(feedback=feedback, at=at)
    return feedback


# --- questions and answers ---------------------------------------------------------------------------


def add_answer(*, by, question: Entry, body: str, at: datetime | None = None) -> Answer:
    require_view(by, question)
    if question.kind != EntryKind.QUESTION:
        raise ValidationError({"question": gettext("Only questions take answers.")})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": gettext("Write an answer.")})
    with transaction.atomic():
        answer = Answer.objects.create(question=question, body=body, author=by)
        _changed(question, verb="answered", by=by, data={"answer": answer.pk}, at=at)
        notifying.answer_posted(answer=answer, at=at)
    return answer


def edit_answer(*, by, answer: Answer, body: str) -> Answer:
    """Only the author rewrites their answer (it shows under their name); it then shows "edited"."""
    require_view(by, answer.question)
    require_edit_answer(by, answer)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": gettext("An answer can't be empty.")})
    if body == answer.body:
        return answer
    with transaction.atomic():
        answer.body = body
        answer.updated_at = answer.edited_at = timezone.now()
        answer.save(update_fields=["body", "updated_at", "edited_at"])
        _changed(answer.question, verb="edited_answer", by=by, data={"answer": answer.pk})
    return answer


MAX_HIDE_REASON = 300


def hide_answer(*, by, answer: Answer, reason: str) -> Answer:
    """A curator hides an answer without touching its text; readers see who hid it and why."""
    require_hide_answer(by, answer.question)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the answer is hidden; readers see the reason.")})
    if len(reason) > MAX_HIDE_REASON:
        raise ValidationError(
            {"reason": gettext("Keep the reason under %(max)s characters.") % {"max": MAX_HIDE_REASON}}
        )
    with transaction.atomic():
        answer.hidden_at, answer.hidden_by, answer.hidden_reason = timezone.now(), by, reason
        answer.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        _changed(answer.question, verb="hid_answer", by=by, data={"answer": answer.pk, "reason": reason})
    return answer


def restore_answer(*, by, answer: Answer) -> Answer:
    """Show a hidden answer again."""
    require_hide_answer(by, answer.question)
    if answer.hidden_at is None:
        return answer
    with transaction.atomic():
        answer.hidden_at, answer.hidden_by, answer.hidden_reason = None, None, ""
        answer.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        _changed(answer.question, verb="restored_answer", by=by, data={"answer": answer.pk})
    return answer


def accept_answer(*, by, question: Entry, answer: Answer | None, at: datetime | None = None) -> Entry:
    """The asker (or the owner side) marks the answer that solved it; None clears it."""
    require_accept_answer(by, question)
    if answer is not None and answer.question_id != question.pk:
        raise ValidationError({"answer": gettext("That answer belongs to another question.")})
    with transaction.atomic():
        question.accepted_answer = answer
        question.save(update_fields=["accepted_answer"])
        _changed(question, verb="accepted_answer", by=by, data={"answer": answer.pk if answer else None}, at=at)
    return question


# --- answer votes ------------------------------------------------------------------------------------


def vote_on_answer(*, by, answer: Answer, value: int) -> int:
    """+1 (useful) or -1 (wrong or misleading); 0 withdraws the vote. One per person per answer,
    never on one's own answer. Returns the answer's score."""
    require_view(by, answer.question)
    if value not in (1, -1, 0):
        raise ValidationError({"value": gettext("Vote 1 (up), -1 (down) or 0 (withdraw your vote).")})
    if by.pk == answer.author_id:
        raise ValidationError({"value": gettext("You can't vote on your own answer.")})
    if answer.is_hidden and value:
        raise ValidationError({"value": gettext("This answer is hidden; it takes no votes.")})
    with transaction.atomic():
        if value:
            AnswerVote.objects.update_or_create(answer=answer, person=by, defaults={"value": value})
        else:
            AnswerVote.objects.filter(answer=answer, person=by).delete()
    return answer.votes.aggregate(score=Sum("value"))["score"] or 0


# --- following and notifications --------------------------------------------------------------------


def follow_entry(*, by, entry: Entry, at: datetime | None = None) -> Follow:
    """Hear about changes to the entry (edits, status, obsolete). Following twice is following."""
    require_view(by, entry)
    follow, _ = Follow.objects.get_or_create(entry=entry, person=by, defaults={"created_at": _now(at)})
    return follow


def unfollow_entry(*, by, entry: Entry) -> None:
    Follow.objects.filter(entry=entry, person=by).delete()


def mark_notifications_read(*, by, ids=None, at: datetime | None = None) -> int:
    """Mark the person's own notifications read: those named, or all. Others' ids change nothing."""
    unread = Notification.objects.filter(recipient=by, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=_now(at))
