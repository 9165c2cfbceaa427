"""Import: every file checked, then all applied in one transaction, or nothing."""

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
    Visibility,
)
from learnloop.knowledge.selectors import visible_entries
from learnloop.knowledge.transfer.files import (
    FILE_KEYS,
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


def _content_changes(entry: Entry, parsed: ParsedFile) -> dict:
    wanted = {"title": parsed.title, "body": parsed.body, **parsed.sections}
    changes = {key: value for key, value in wanted.items() if value != (getattr(entry, key) or "").strip()}
    if parsed.tags is not None and sorted({" ".join(t.split()).lower() for t in parsed.tags}) != sorted(
        entry.tags.values_list("name", flat=True)
    ):
        changes["tags"] = parsed.tags
    if parsed.skills is not None and sorted({" ".join(s.split()).lower() for s in parsed.skills}) != sorted(
        entry.skills.values_list("name", flat=True)
    ):
        changes["skills"] = parsed.skills
    return changes


def _structure_changes(entry: Entry, parsed: ParsedFile) -> dict:
    changes = {}
    if isinstance(parsed.owner, Person) and entry.owner_person_id != parsed.owner.pk:
        changes["owner_person"] = parsed.owner
    if isinstance(parsed.owner, Team) and entry.owner_team_id != parsed.owner.pk:
        changes["owner_team"] = parsed.owner
    if parsed.teams is not None and {t.pk for t in parsed.teams} != set(entry.teams.values_list("pk", flat=True)):
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
    Read in a few queries for the whole import, not one per file."""
    ids = {parsed.id for parsed in parsed_files if parsed.id is not None}
    by_id = {entry.pk: entry for entry in visible.filter(pk__in=ids)} if ids else {}
    sources = {_provenance(parsed.name)[1] for parsed in parsed_files if parsed.id not in by_id}
    by_source: dict[str, int] = {}
    if sources:
        linked = (
            Provenance.objects.filter(source_type="import", source_id__in=sources, entry__in=visible)
            .order_by("entry_id")
            .values_list("source_id", "entry_id")
        )
        for source_id, entry_id in linked:
            by_source.setdefault(source_id, entry_id)
    by_path = {entry.pk: entry for entry in Entry.objects.filter(pk__in=set(by_source.values()))}
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


def import_markdown(
    *,
    by,
    files: list[tuple[str, bytes | str]],
    dry_run: bool,
    ip_address: str | None = None,
    via: str = "web",
    read_errors=(),
    operator: bool = False,
) -> ImportReport:
    """Check every file, then import them all in one transaction, or nothing.

    Files are matched to the entries `by` may see; for the operator (the command line, which
    reads the database anyway) to every entry, so re-importing a full export never duplicates
    a team-only entry the importing person can't see (changing one is refused as usual).
    """
    report = ImportReport(dry_run=dry_run, errors=list(read_errors))
    if not (by and by.is_active):
        report.errors.append(FileError("", "", "Entries are imported by an active person, who becomes their author."))
        return report
    if not files and not report.errors:
        report.errors.append(FileError("", "", "There are no Markdown (.md) files to import."))
    parsed_files = []
    for name, data in sorted(files, key=lambda pair: pair[0]):
        try:
            parsed_files.append(parse_file(name, data))
        except FileProblem as problem:
            report.errors.append(FileError(name, problem.key, problem.message))
    visible = Entry.objects.all() if operator else visible_entries(viewer=by)
    plans: list[tuple[ParsedFile, Entry | None]] = []
    by_id, by_entry = {}, {}
    matches = _matches(parsed_files, visible)
    for parsed in parsed_files:
        if parsed.id is not None and parsed.id in by_id:
            report.errors.append(FileError(parsed.name, "id", f"{by_id[parsed.id]} has the same id."))
            continue
        entry, _ = matches[parsed.name]
        if entry is not None:
            try:
                _check_kind(parsed, entry)
            except FileProblem as problem:
                report.errors.append(FileError(parsed.name, problem.key, problem.message))
                continue
        if entry is not None and entry.pk in by_entry:
            report.errors.append(FileError(parsed.name, "", f"{by_entry[entry.pk]} updates the same entry."))
            continue
        if parsed.id is not None:
            by_id[parsed.id] = parsed.name
        if entry is not None:
            by_entry[entry.pk] = parsed.name
        plans.append((parsed, entry))

    # Even when some files have problems the others are written, then rolled back, so that the
    # report names every problem the services would find too, not only the first kind.
    try:
        with writing_in_batch(), transaction.atomic():
            _apply(plans, by=by, report=report)
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


def _apply(plans, *, by, report: ImportReport) -> None:
    """Write every planned file through the services, collecting what they refuse."""
    errors: list[FileError] = []
    results: dict[str, Entry] = {}  # file name -> entry, for status moves naming other files
    changed: dict[str, list[str]] = {}  # file name -> what changed in its entry

    def attempt(parsed: ParsedFile, step) -> None:
        try:
            with transaction.atomic():
                step()
        except (ValidationError, PermissionDenied) as error:
            errors.extend(FileError(parsed.name, key, message) for key, message in _service_problem(error))
        except FileProblem as problem:
            errors.append(FileError(parsed.name, problem.key, problem.message))

    for parsed, entry in plans:

        def write(parsed=parsed, entry=entry):
            if entry is None:
                results[parsed.name] = _create(parsed, by=by)
                changed[parsed.name] = []
            else:
                results[parsed.name] = entry
                if fields := _update(entry, parsed, by=by):
                    changed.setdefault(parsed.name, []).extend(fields)

        attempt(parsed, write)

    # Statuses move once every entry exists, since a successor may come later in the folder. A
    # successor must be accepted before the records it supersedes can name it, so every record
    # first goes as far as accepted, and only then are records superseded.
    if not errors:
        for final_step in (False, True):
            for parsed, _ in plans:

                def move(parsed=parsed, final_step=final_step):
                    entry = results[parsed.name]
                    if _move_status(entry, parsed, by=by, results=results, plans=plans, final_step=final_step):
                        changed.setdefault(parsed.name, []).append("status")
                    if final_step and parsed.obsolete_reason and entry.obsolete_at is None:
                        services.mark_obsolete(by=by, entry=entry, reason=parsed.obsolete_reason)
                        changed.setdefault(parsed.name, []).append("obsolete_reason")

                attempt(parsed, move)
            if errors:
                break
    report.errors.extend(errors)
    if errors:
        return
    for parsed, matched in plans:
        entry = results[parsed.name]
        if matched is not None and parsed.name in changed:
            source_type, source_id, label = _provenance(parsed.name)
            services.add_provenance(entry=entry, source_type=source_type, source_id=source_id, label=label)
        action = "create" if matched is None else ("update" if parsed.name in changed else "unchanged")
        fields = tuple(dict.fromkeys(FILE_KEYS.get(key, key) for key in changed.get(parsed.name, ())))
        report.files.append(FilePlan(parsed.name, action, parsed.kind, entry.title, entry.pk,
                                     changed=fields if matched is not None else ()))


def _provenance(name: str) -> tuple[str, str, str]:
    source_id = name if len(name) <= 64 else "…" + name[-63:]
    return ("import", source_id, f"Imported from {name}")


def _create(parsed: ParsedFile, *, by) -> Entry:
    owner = parsed.owner
    return services.create_entry(
        by=by,
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
    )


def _update(entry: Entry, parsed: ParsedFile, *, by) -> list[str]:
    """Change what the file changes, nothing else; returns the changed fields."""
    changes = {**_content_changes(entry, parsed), **_structure_changes(entry, parsed)}
    if changes:
        services.update_entry(by=by, entry=entry, change_note=f"Imported from {parsed.name}"[:300], **changes)
    return list(changes)


def _successor(parsed: ParsedFile, *, by, results, plans) -> Entry:
    """The record a superseded decision names: a file's id or title in this import, else an entry."""
    wanted = parsed.superseded_by
    for other, _ in plans:
        if other.kind == EntryKind.DECISION and (
            (isinstance(wanted, int) and other.id == wanted)
            or (isinstance(wanted, str) and other.title.lower() == wanted.lower())
        ):
            return results[other.name]
    decisions = visible_entries(viewer=by).filter(kind=EntryKind.DECISION)
    found = decisions.filter(pk=wanted) if isinstance(wanted, int) else decisions.filter(title__iexact=wanted)
    successor = found.first()
    if successor is None:
        raise FileProblem("superseded_by", f"No decision record “{wanted}” in this import or the knowledge base.")
    return successor


def _move_status(entry: Entry, parsed: ParsedFile, *, by, results, plans, final_step: bool) -> bool:
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
            successor = _successor(parsed, by=by, results=results, plans=plans)
            successor.refresh_from_db(fields=["status"])
        services.set_decision_status(by=by, entry=entry, status=status, superseded_by=successor)
    return bool(path)
