"""Export: one Markdown file per entry with front matter import reads back, plus JSON."""

import io
import json
import zipfile
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.text import slugify

from learnloop import __version__
from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.knowledge.models import (
    Answer,
    Application,
    Entry,
    EntryKind,
    EntryLink,
    EntryVersion,
)
from learnloop.knowledge.selectors import visible_entries
from learnloop.knowledge.transfer.files import (
    FORMAT,
    SECTIONS,
)

# --- Exporting -------------------------------------------------------------------------------------


def entries_to_export(*, viewer=None):
    """What an export holds: what the viewer may see, or for the operator (None) everything."""
    entries = Entry.objects.all() if viewer is None else visible_entries(viewer=viewer)
    return (
        entries.select_related("author", "owner_person", "owner_team", "last_verified_by", "superseded_by")
        .prefetch_related(
            "tags",
            "skills",
            "teams",
            "provenance",
            Prefetch("answers", queryset=Answer.objects.select_related("author", "hidden_by")),
            Prefetch(
                "applications", queryset=Application.objects.select_related("person").order_by("applied_on", "id")
            ),
            Prefetch("versions", queryset=EntryVersion.objects.select_related("changed_by").order_by("number")),
        )
        .annotate(
            helpful_yes=Count("feedback", filter=Q(feedback__helpful=True)),
            helpful_no=Count("feedback", filter=Q(feedback__helpful=False)),
        )
        .order_by("id")
    )


def file_name(entry: Entry) -> str:
    return f"{entry.kind}s/{entry.pk}-{slugify(entry.title)[:60].strip('-') or 'entry'}.md"


def _owner_name(entry: Entry) -> str:
    return entry.owner_person.email if entry.owner_person_id else entry.owner_team.name


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def entry_markdown(entry: Entry, *, exported_ids: set[int]) -> str:
    meta = {"id": entry.pk, "title": entry.title, "type": entry.kind}
    if entry.kind == EntryKind.DECISION:
        meta["status"] = entry.status
        if entry.superseded_by_id and entry.superseded_by_id in exported_ids:
            meta["superseded_by"] = entry.superseded_by_id
    meta["owner"] = _owner_name(entry)
    teams = sorted(team.name for team in entry.teams.all())
    if teams:
        meta["teams"] = teams
    meta["visibility"] = entry.visibility
    meta["tags"] = sorted(tag.name for tag in entry.tags.all())
    meta["skills"] = sorted(skill.name for skill in entry.skills.all())
    meta["review_interval_days"] = entry.review_interval_days
    if entry.obsolete_at:
        meta["obsolete_reason"] = entry.obsolete_reason or "Marked obsolete."
    meta.update(
        {
            "author": entry.author.email,
            "created": _iso(entry.created_at),
            "updated": _iso(entry.updated_at),
            "last_verified": _iso(entry.last_verified_at),
            "version": entry.version,
        }
    )
    import yaml  # on first use: loading it costs every command's start-up

    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=None, width=10_000)
    parts = [f"---\n{front}---\n", f"# {entry.title}\n"]
    if entry.body.strip():
        parts.append(entry.body.strip() + "\n")
    if entry.kind == EntryKind.DECISION:
        for section in SECTIONS:
            text = getattr(entry, section).strip()
            if text:
                parts.append(f"## {section.title()}\n\n{text}\n")
    return "\n".join(parts)


def entry_record(entry: Entry, *, exported_ids: set[int], links: list[EntryLink]) -> dict:
    return {
        "id": entry.pk,
        "file": file_name(entry),
        "type": entry.kind,
        "title": entry.title,
        "body": entry.body,
        **{section: getattr(entry, section) for section in SECTIONS},
        "status": entry.status,
        "superseded_by": entry.superseded_by_id if entry.superseded_by_id in exported_ids else None,
        "owner": (
            {"type": "person", "email": entry.owner_person.email, "name": entry.owner_person.full_name}
            if entry.owner_person_id
            else {"type": "team", "name": entry.owner_team.name}
        ),
        "author": {"email": entry.author.email, "name": entry.author.full_name},
        "teams": sorted(team.name for team in entry.teams.all()),
        "visibility": entry.visibility,
        "tags": sorted(tag.name for tag in entry.tags.all()),
        "skills": sorted(skill.name for skill in entry.skills.all()),
        "review_interval_days": entry.review_interval_days,
        "freshness": entry.freshness(),
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "last_verified_at": entry.last_verified_at,
        "last_verified_by": entry.last_verified_by.email if entry.last_verified_by else None,
        "review_due_at": entry.review_due_at,
        "obsolete_at": entry.obsolete_at,
        "obsolete_reason": entry.obsolete_reason,
        "version": entry.version,
        "application_count": entry.application_count,
        "helpful": {"yes": entry.helpful_yes, "no": entry.helpful_no},
        "provenance": [
            {"source_type": p.source_type, "source_id": p.source_id, "label": p.label} for p in entry.provenance.all()
        ],
        "links": [{"kind": link.kind, "target": link.target_id} for link in links],
        "answers": [
            {
                "id": a.pk,
                "author": a.author.email,
                "body": a.body,
                "created_at": a.created_at,
                "updated_at": a.updated_at,
                "edited_at": a.edited_at,
                "accepted": a.pk == entry.accepted_answer_id,
                # Hidden answers keep their text; who hid them and why travel with it.
                "hidden_at": a.hidden_at,
                "hidden_by": a.hidden_by.email if a.hidden_by else None,
                "hidden_reason": a.hidden_reason,
            }
            for a in entry.answers.all()
        ],
        "applications": [
            {
                "person": a.person.email,
                "context": a.context,
                "context_type": a.context_type,
                "context_id": a.context_id,
                "applied_on": a.applied_on,
                "outcome": a.outcome,
                "note": a.note,
            }
            for a in entry.applications.all()
        ],
        "versions": [
            {
                "number": v.number,
                "changed_by": v.changed_by.email,
                "change_note": v.change_note,
                "created_at": v.created_at,
                "content": v.content,
            }
            for v in entry.versions.all()
        ],
    }


def export_files(entries) -> dict[str, bytes]:
    """The export as {path: content}: one Markdown file per entry and entries.json."""
    entries = list(entries)
    ids = {entry.pk for entry in entries}
    links: dict[int, list[EntryLink]] = {}
    for link in EntryLink.objects.filter(source__in=ids, target__in=ids).order_by("id"):
        links.setdefault(link.source_id, []).append(link)
    files = {file_name(entry): entry_markdown(entry, exported_ids=ids).encode() for entry in entries}
    document = {
        "format": FORMAT,
        "version": 1,
        "learnloop": __version__,
        "exported_at": timezone.now(),
        "count": len(entries),
        "entries": [entry_record(entry, exported_ids=ids, links=links.get(entry.pk, [])) for entry in entries],
    }
    files["entries.json"] = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
    return files


def _audit_export(*, by, count: int, target: str, via: str, ip_address: str | None) -> None:
    record_audit_event(
        kind=AuditKind.EXPORT,
        actor=by,
        actor_label="" if by else "operator",
        ip_address=ip_address,
        target=target,
        detail={"entries": count, "via": via},
    )


def export_zip(*, by, ip_address: str | None = None) -> tuple[bytes, int]:
    """What `by` may see, as a zip archive; the export is written to the audit log."""
    files = export_files(entries_to_export(viewer=by))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            archive.writestr(name, content)
    count = len(files) - 1
    _audit_export(by=by, count=count, target="knowledge entries (zip)", via="web", ip_address=ip_address)
    return buffer.getvalue(), count


def export_to_directory(directory: Path) -> int:
    """Everything, for the operator, into an empty (or new) directory."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ValueError(f"{directory} is not an empty directory; export into a new or empty one.")
    files = export_files(entries_to_export(viewer=None))
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    count = len(files) - 1
    _audit_export(by=None, count=count, target=str(directory), via="cli", ip_address=None)
    return count
