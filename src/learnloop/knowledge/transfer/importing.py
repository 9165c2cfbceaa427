"""Import: every file checked, then all applied in one transaction, or nothing."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from learnloop.activity.batch import writing_in_batch
from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.knowledge import services
from learnloop.knowledge.models import (
    DecisionStatus,
    Entry,
    EntryKind,
    Provenance,
    Skill,
    Tag,
    Visibility,
)
from learnloop.knowledge.selectors import visible_entries
from learnloop.knowledge.transfer.files import (
    FILE_KEYS,
    MAX_FILE_BYTES,
    FileError,
    FilePlan,
    FileProblem,
    ImportReport,
    ParsedFile,
    parse_file,
)
from learnloop.org.models import Person, Team

# --- Importing -------------------------------------------------------------------------------------


class _Rollback(Exception):
    """Undo the whole import: a dry run, or a file the services refused."""


def _service_problem(error: Exception) -> list[tuple[str, str]]:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return [
            (FILE_KEYS.get(key, key), message)
            for key, problems in error.error_dict.items()
            for problem in problems
            for message in problem.messages
        ]
    if isinstance(error, ValidationError):
        return [("", message) for message in error.messages]
    return [("", str(error) or "You are not allowed to do that.")]


@dataclass
class _Links:
    """An entry's tag and skill names and team ids, as a file's front matter states them."""

    tags: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    team_ids: set[int] = field(default_factory=set)


def _links_of(entry_ids: list[int]) -> dict[int, _Links]:
    """The links of a chunk's matched entries in a few queries. Ids first, then names: a join
    of the links with the names (one query per entry before) let SQLite scan every link per
    entry, which made re-importing 10,000 unchanged files three times slower per file than
    2,000."""
    links = {entry_id: _Links() for entry_id in entry_ids}
    if not entry_ids:
        return links
    for model, attribute, column in ((Tag, "tags", "tag_id"), (Skill, "skills", "skill_id")):
        through = getattr(Entry, attribute).through
        pairs = list(through.objects.filter(entry_id__in=entry_ids).values_list("entry_id", column))
        names = dict(model.objects.filter(pk__in={pk for _, pk in pairs}).values_list("pk", "name"))
        for entry_id, pk in pairs:
            getattr(links[entry_id], attribute).append(names[pk])
    team_links = Entry.teams.through.objects.filter(entry_id__in=entry_ids)
    for entry_id, team_id in team_links.values_list("entry_id", "team_id"):
        links[entry_id].team_ids.add(team_id)
    return links


def _names_differ(wanted: list[str], current: list[str]) -> bool:
    return sorted({" ".join(name.split()).lower() for name in wanted}) != sorted(current)


def _content_changes(entry: Entry, parsed: ParsedFile, links: _Links) -> dict:
    wanted = {"title": parsed.title, "body": parsed.body, **parsed.sections}
    changes = {key: value for key, value in wanted.items() if value != (getattr(entry, key) or "").strip()}
    if parsed.tags is not None and _names_differ(parsed.tags, links.tags):
        changes["tags"] = parsed.tags
    if parsed.skills is not None and _names_differ(parsed.skills, links.skills):
        changes["skills"] = parsed.skills
    return changes


def _structure_changes(entry: Entry, parsed: ParsedFile, links: _Links) -> dict:
    changes = {}
    if isinstance(parsed.owner, Person) and entry.owner_person_id != parsed.owner.pk:
        changes["owner_person"] = parsed.owner
    if isinstance(parsed.owner, Team) and entry.owner_team_id != parsed.owner.pk:
        changes["owner_team"] = parsed.owner
    if parsed.teams is not None and {team.pk for team in parsed.teams} != links.team_ids:
        changes["teams"] = parsed.teams
    if parsed.visibility is not None and parsed.visibility != entry.visibility:
        changes["visibility"] = parsed.visibility
    if parsed.review_interval_days is not None and parsed.review_interval_days != entry.review_interval_days:
        changes["review_interval_days"] = parsed.review_interval_days
    return changes


def _status_path(current: str, wanted: str) -> list[str] | None:
    """The moves that take a decision from `current` to `wanted`, or None if none do."""
    paths, seen = [(current, [])], {current}
    while paths:
        status, path = paths.pop(0)
        if status == wanted:
            return path
        for move in sorted(services.DECISION_MOVES.get(status, ())):
            if move not in seen:
                seen.add(move)
                paths.append((move, [*path, move]))
    return None


def _matches(parsed_files: list[ParsedFile], visible) -> dict[str, tuple[Entry | None, str]]:
    """The entry each file updates: the one its `id` names, else the one an earlier import of the
    same path created (its provenance), else none (a new entry). Never by title: two entries may
    share a title, and a file must not overwrite another document that happens to share it.
    Read in a few queries per chunk of files, not one per file."""
    ids = {parsed.id for parsed in parsed_files if parsed.id is not None}
    by_id = {entry.pk: entry for entry in visible.filter(pk__in=ids)} if ids else {}
    sources = {_provenance(parsed.name)[1] for parsed in parsed_files if parsed.id not in by_id}
    linked = []
    if sources:
        # By source first, then which of those entries the importer may see: with the visibility
        # as a subquery SQLite probed the provenance of every entry for every source (half a
        # second per chunk of 500 files at 10,000 entries).
        linked = list(
            Provenance.objects.filter(source_type="import", source_id__in=sources)
            .order_by("entry_id")
            .values_list("source_id", "entry_id")
        )
    linked_ids = {entry_id for _, entry_id in linked}
    by_path = {entry.pk: entry for entry in visible.filter(pk__in=linked_ids)} if linked_ids else {}
    by_source: dict[str, int] = {}
    for source_id, entry_id in linked:
        if entry_id in by_path:
            by_source.setdefault(source_id, entry_id)
    found: dict[str, tuple[Entry | None, str]] = {}
    for parsed in parsed_files:
        entry = by_id.get(parsed.id)
        if entry is not None:
            found[parsed.name] = (entry, "id")
            continue
        entry = by_path.get(by_source.get(_provenance(parsed.name)[1]))
        found[parsed.name] = (entry, "path") if entry is not None else (None, "")
    return found


def _check_kind(parsed: ParsedFile, entry: Entry) -> None:
    if entry.kind != parsed.kind:
        raise FileProblem(
            "type", f"Entry {entry.pk} is a {entry.get_kind_display().lower()}, but this file says {parsed.kind}."
        )


# Files read, parsed and written per step: a folder of any size is imported holding one chunk's
# texts at a time (the report keeps a line per file, the texts are dropped once written).
IMPORT_CHUNK = 500


def import_markdown(
    *,
    by,
    files: Iterable[tuple[str, bytes | str | Path]],
    dry_run: bool,
    ip_address: str | None = None,
    via: str = "web",
    read_errors=(),
    operator: bool = False,
) -> ImportReport:
    """Check every file and import them all in one transaction, or nothing.

    `files` are (name, content) pairs; a content that is a Path is read when its chunk comes
    (read_folder), so a folder import streams. Files are matched to the entries `by` may see;
    for the operator (the command line, which reads the database anyway) to every entry, so
    re-importing a full export never duplicates a team-only entry the importing person can't
    see (changing one is refused as usual).
    """
    report = ImportReport(dry_run=dry_run, errors=list(read_errors))
    if not (by and by.is_active):
        report.errors.append(FileError("", "", "Entries are imported by an active person, who becomes their author."))
        return report
    files = sorted(files, key=lambda pair: pair[0])
    if not files and not report.errors:
        report.errors.append(FileError("", "", "There are no Markdown (.md) files to import."))
    visible = Entry.objects.all() if operator else visible_entries(viewer=by)

    # Even when some files have problems the others are written, then rolled back, so that the
    # report names every problem the services would find too, not only the first kind.
    try:
        with transaction.atomic(), writing_in_batch():
            _Import(by=by, visible=visible, report=report).run(files)
            if report.errors or dry_run:
                raise _Rollback
            record_audit_event(
                kind=AuditKind.IMPORT,
                actor=by,
                ip_address=ip_address,
                target="knowledge entries",
                detail={
                    "created": report.count("create"),
                    "updated": report.count("update"),
                    "files": len(report.files),
                    "via": via,
                },
            )
    except _Rollback:
        if report.errors:
            report.files = []
        else:
            # The ids of entries that were only created for the dry run mean nothing.
            report.files = [
                plan if plan.action != "create" else FilePlan(plan.file, plan.action, plan.kind, plan.title, None)
                for plan in report.files
            ]
        return report
    report.imported = True
    return report


def _content(content: bytes | str | Path) -> bytes | str:
    if not isinstance(content, Path):
        return content
    try:
        data = content.read_bytes()
    except OSError as error:
        raise FileProblem("", f"The file could not be read ({error.strerror or error}).") from error
    if len(data) > MAX_FILE_BYTES:  # it grew since the folder was listed
        raise FileProblem("", f"The file is larger than {MAX_FILE_BYTES // 1024} KB.")
    return data


class _Import:
    """One import, chunk by chunk: read, parse, match and write each chunk through the services;
    then, once every entry exists, move decision statuses (a successor may come later in the
    folder) and write the report. What is kept per file between chunks is small: its front
    matter (without body and sections), its entry's id and title, and what changed."""

    def __init__(self, *, by, visible, report: ImportReport):
        self.by, self.visible, self.report = by, visible, report
        self.plans: list[tuple[ParsedFile, int | None]] = []  # file without its texts, matched entry id
        self.results: dict[str, tuple[int, str]] = {}  # file name -> its entry's (id, title)
        self.changed: dict[str, list[str]] = {}  # file name -> what changed in its entry
        self.by_id: dict[int, str] = {}  # an id named in front matter -> the file naming it
        self.by_entry: dict[int, str] = {}  # a matched entry's id -> the file updating it
        self.service_errors: list[FileError] = []
        self.created: set[int] = set()  # entries this import made: never matched by a later chunk
        self.names: set[str] = set()

    def run(self, files: list[tuple[str, bytes | str | Path]]) -> None:
        for start in range(0, len(files), IMPORT_CHUNK):
            self._chunk(files[start:start + IMPORT_CHUNK])
        if not self.service_errors:
            self._move_statuses()
        self.report.errors.extend(self.service_errors)
        if not self.service_errors:
            self._finish()

    def _attempt(self, parsed: ParsedFile, step) -> None:
        """Run one file's step; a refusal becomes that file's error and the import goes on (to
        report every problem), its writes undone."""
        try:
            with transaction.atomic():
                step()
        except (ValidationError, PermissionDenied) as error:
            self.service_errors.extend(
                FileError(parsed.name, key, message) for key, message in _service_problem(error)
            )
        except FileProblem as problem:
            self.service_errors.append(FileError(parsed.name, problem.key, problem.message))

    def _chunk(self, files) -> None:
        errors = self.report.errors
        parsed_files = []
        for name, content in files:
            if name in self.names:  # two uploaded archives may hold the same path
                errors.append(FileError(name, "", "Another file has the same name."))
                continue
            self.names.add(name)
            try:
                parsed_files.append(parse_file(name, _content(content)))
            except FileProblem as problem:
                errors.append(FileError(name, problem.key, problem.message))
        matches = _matches(parsed_files, self.visible)
        links = _links_of([entry.pk for entry, _ in matches.values() if entry is not None])
        new_files: list[ParsedFile] = []
        updates: list[tuple[ParsedFile, Entry, dict]] = []
        for parsed in parsed_files:
            if parsed.id is not None and parsed.id in self.by_id:
                errors.append(FileError(parsed.name, "id", f"{self.by_id[parsed.id]} has the same id."))
                continue
            entry, _ = matches[parsed.name]
            if entry is not None and entry.pk in self.created:
                entry = None  # matching sees the knowledge base as it was before the import
            if entry is not None:
                try:
                    _check_kind(parsed, entry)
                except FileProblem as problem:
                    errors.append(FileError(parsed.name, problem.key, problem.message))
                    continue
            if entry is not None and entry.pk in self.by_entry:
                errors.append(FileError(parsed.name, "", f"{self.by_entry[entry.pk]} updates the same entry."))
                continue
            if parsed.id is not None:
                self.by_id[parsed.id] = parsed.name
            if entry is None:
                new_files.append(parsed)
            else:
                self.by_entry[entry.pk] = parsed.name
                changes = {**_content_changes(entry, parsed, links[entry.pk]),
                           **_structure_changes(entry, parsed, links[entry.pk])}
                updates.append((parsed, entry, changes))
                self.results[parsed.name] = (entry.pk, entry.title)
            self.plans.append((replace(parsed, body="", sections={}), entry.pk if entry is not None else None))
        self._update([(parsed, entry, changes) for parsed, entry, changes in updates if changes])
        self._create(new_files)

    def _update(self, updates: list[tuple[ParsedFile, Entry, dict]]) -> None:
        """The chunk's changed entries in one batch of writes (an edit diffs and versions what
        changed), with what the edits read of each entry read for all of them first (on
        PostgreSQL an entry at a time cost eleven round trips); a refused file is that file's
        error, the others are written."""
        services.prefetch_for_update([entry for _, entry, _ in updates])
        written = services.update_entries(by=self.by, edits=[
            dict(entry=entry, change_note=f"Imported from {parsed.name}"[:300], body_optional=True, **changes)
            for parsed, entry, changes in updates
        ])
        for (parsed, entry, changes), edited in zip(updates, written, strict=True):
            if isinstance(edited, Exception):
                self.service_errors.extend(
                    FileError(parsed.name, key, message) for key, message in _service_problem(edited)
                )
                continue
            self.changed.setdefault(parsed.name, []).extend(changes)
            self.results[parsed.name] = (entry.pk, entry.title)

    def _create(self, new_files: list[ParsedFile]) -> None:
        """A chunk's new entries in one batch of writes (on PostgreSQL an entry at a time cost
        seven round trips); a refused file is that file's error, the others are written."""
        written = services.create_entries(by=self.by, drafts=[_draft(parsed) for parsed in new_files])
        for parsed, created in zip(new_files, written, strict=True):
            if isinstance(created, ValidationError):
                self.service_errors.extend(
                    FileError(parsed.name, key, message) for key, message in _service_problem(created)
                )
                continue
            self.results[parsed.name] = (created.pk, created.title)
            self.created.add(created.pk)
            self.changed[parsed.name] = []

    def _move_statuses(self) -> None:
        """Statuses move once every entry exists. A successor must be accepted before the records
        it supersedes can name it, so every record first goes as far as accepted, and only then
        are records superseded."""
        moving = [parsed for parsed, _ in self.plans if parsed.status is not None or parsed.obsolete_reason]
        if not moving:
            return
        loaded = Entry.objects.in_bulk([self.results[parsed.name][0] for parsed in moving])

        def entry_of(name: str) -> Entry:
            pk = self.results[name][0]
            if pk not in loaded:
                loaded[pk] = Entry.objects.get(pk=pk)
            return loaded[pk]

        for final_step in (False, True):
            for parsed in moving:

                def move(parsed=parsed, final_step=final_step):
                    entry = entry_of(parsed.name)
                    if _move_status(entry, parsed, by=self.by, entry_of=entry_of, plans=self.plans,
                                    final_step=final_step):
                        self.changed.setdefault(parsed.name, []).append("status")
                    if final_step and parsed.obsolete_reason and entry.obsolete_at is None:
                        services.mark_obsolete(by=self.by, entry=entry, reason=parsed.obsolete_reason)
                        self.changed.setdefault(parsed.name, []).append("obsolete_reason")

                self._attempt(parsed, move)
            if self.service_errors:
                return

    def _finish(self) -> None:
        """Sources for the updated entries, and the report's line per file."""
        services.add_provenances([
            (matched, *_provenance(parsed.name))
            for parsed, matched in self.plans if matched is not None and parsed.name in self.changed
        ])
        for parsed, matched in self.plans:
            entry_id, title = self.results[parsed.name]
            action = "create" if matched is None else ("update" if parsed.name in self.changed else "unchanged")
            fields = tuple(dict.fromkeys(FILE_KEYS.get(key, key) for key in self.changed.get(parsed.name, ())))
            self.report.files.append(FilePlan(parsed.name, action, parsed.kind, title, entry_id,
                                              changed=fields if matched is not None else ()))


def _provenance(name: str) -> tuple[str, str, str]:
    source_id = name if len(name) <= 64 else "…" + name[-63:]
    return ("import", source_id, f"Imported from {name}")


def _draft(parsed: ParsedFile) -> dict:
    """A new file as create_entries' draft."""
    owner = parsed.owner
    return dict(
        kind=parsed.kind,
        title=parsed.title,
        body=parsed.body,
        **parsed.sections,
        owner_person=owner if isinstance(owner, Person) else None,
        owner_team=owner if isinstance(owner, Team) else None,
        teams=parsed.teams or (),
        visibility=parsed.visibility or Visibility.EVERYONE,
        tags=parsed.tags or (),
        skills=parsed.skills or (),
        review_interval_days=parsed.review_interval_days,
        provenance=[_provenance(parsed.name)],
        body_optional=True,  # a file that is only a title is still worth finding
    )


def _successor(parsed: ParsedFile, *, by, entry_of, plans) -> Entry:
    """The record a superseded decision names: a file's id or title in this import, else an entry."""
    wanted = parsed.superseded_by
    for other, _ in plans:
        if other.kind == EntryKind.DECISION and (
            (isinstance(wanted, int) and other.id == wanted)
            or (isinstance(wanted, str) and other.title.lower() == wanted.lower())
        ):
            return entry_of(other.name)
    decisions = visible_entries(viewer=by).filter(kind=EntryKind.DECISION)
    found = decisions.filter(pk=wanted) if isinstance(wanted, int) else decisions.filter(title__iexact=wanted)
    successor = found.first()
    if successor is None:
        raise FileProblem("superseded_by", f"No decision record “{wanted}” in this import or the knowledge base.")
    return successor


def _move_status(entry: Entry, parsed: ParsedFile, *, by, entry_of, plans, final_step: bool) -> bool:
    """Move a decision towards the file's status: all but a final "superseded" step, or only that."""
    if parsed.status is None or parsed.status == entry.status:
        return False
    path = _status_path(entry.status, parsed.status)
    if path is None:
        raise FileProblem("status", f"A {entry.status} decision can't become {parsed.status}.")
    if path[-1] == DecisionStatus.SUPERSEDED:
        path = path[-1:] if final_step else path[:-1]
    elif final_step:
        return False
    for status in path:
        successor = None
        if status == DecisionStatus.SUPERSEDED:
            successor = _successor(parsed, by=by, entry_of=entry_of, plans=plans)
            successor.refresh_from_db(fields=["status"])
        services.set_decision_status(by=by, entry=entry, status=status, superseded_by=successor)
    return bool(path)
