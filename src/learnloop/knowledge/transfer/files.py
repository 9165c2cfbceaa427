"""Reading Markdown files and folders for import: front matter, sections, reports."""

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.db.models import Q

from learnloop.input_rules import length_problem, text_problem
from learnloop.knowledge.models import (
    DecisionStatus,
    Entry,
    EntryKind,
    Visibility,
)
from learnloop.org.models import Person, Team

MAX_FILES = 2_000
MAX_FILE_BYTES = 1024 * 1024
MAX_TOTAL_BYTES = 5 * 1024 * 1024
MARKDOWN_SUFFIXES = (".md", ".markdown")
FORMAT = "learnloop-knowledge"

# Keys import reads, and keys export writes for readers that import ignores.
IMPORT_KEYS = (
    "id",
    "title",
    "type",
    "status",
    "superseded_by",
    "owner",
    "teams",
    "visibility",
    "tags",
    "skills",
    "review_interval_days",
    "obsolete_reason",
)
INFORMATIONAL_KEYS = ("author", "created", "updated", "last_verified", "version")
SECTIONS = ("context", "options", "decision", "consequences")
# ATX headings; a closing run of #s needs a space before it, so "# Learn C#" keeps its "#".
SECTION_HEADING = re.compile(r"^##\s+(context|options|decision|consequences)(?:\s+#+)?\s*$", re.IGNORECASE)
TITLE_HEADING = re.compile(r"^#\s+(.+?)(?:\s+#+)?\s*$")
# The services' field names, as a file calls them.
FILE_KEYS = {
    "kind": "type",
    "reason": "obsolete_reason",
    "decision": "## Decision",
    "context": "## Context",
    "options": "## Options",
    "consequences": "## Consequences",
    "body": "body",
}


# --- Reports -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileError:
    file: str
    key: str
    message: str

    def __str__(self):
        where = self.file or "import"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


@dataclass(frozen=True)
class FilePlan:
    file: str
    action: str  # "create", "update" or "unchanged"
    kind: str
    title: str
    entry_id: int | None = None  # the entry updated (or created, after a real import)
    changed: tuple[str, ...] = ()  # an update's changed fields, as the file names them


@dataclass
class ImportReport:
    dry_run: bool
    errors: list[FileError] = field(default_factory=list)
    files: list[FilePlan] = field(default_factory=list)
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for plan in self.files if plan.action == action)

    def summary(self) -> str:
        if self.errors:
            files = len({error.file for error in self.errors})
            return f"{len(self.errors)} problem(s) in {files} file(s); nothing was imported."
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.count('create')} entries {verb} created, {self.count('update')} updated, "
            f"{self.count('unchanged')} unchanged."
        )

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "summary": self.summary(),
            "created": self.count("create"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "errors": [{"file": e.file, "key": e.key, "message": e.message} for e in self.errors],
            "files": [
                {"file": p.file, "action": p.action, "type": p.kind, "title": p.title, "entry_id": p.entry_id,
                 "changed": list(p.changed)}
                for p in self.files
            ],
        }


class FileProblem(Exception):
    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key, self.message = key, message


# --- Reading files -------------------------------------------------------------------------------


def read_folder(directory: Path) -> tuple[list[tuple[str, Path]], list[FileError]]:
    """Every Markdown file under `directory` (hidden folders skipped), named by relative path.

    The files are listed, not read: import_markdown reads them a chunk at a time, so a folder
    of any size and number of files imports in bounded memory (each file at most
    MAX_FILE_BYTES)."""
    files, errors = [], []
    paths = sorted(
        path
        for path in Path(directory).rglob("*")
        if path.is_file()
        and path.suffix.lower() in MARKDOWN_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )
    for path in paths:
        name = path.relative_to(directory).as_posix()
        if path.stat().st_size > MAX_FILE_BYTES:
            errors.append(FileError(name, "", f"The file is larger than {MAX_FILE_BYTES // 1024} KB."))
            continue
        files.append((name, path))
    return files, errors


def read_uploads(uploads: list[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], list[FileError]]:
    """Uploaded .md files and .zip archives of them, as (name, content) pairs."""
    files, errors = [], []
    for name, data in uploads:
        lowered = name.lower()
        if lowered.endswith(MARKDOWN_SUFFIXES):
            files.append((PurePosixPath(name).name, data))
        elif lowered.endswith(".zip"):
            files.extend(_read_zip(name, data, errors))
        else:
            errors.append(FileError(name, "", "Upload Markdown files (.md) or a .zip of them."))
    if sum(len(data) for _, data in files) > MAX_TOTAL_BYTES:
        errors.append(FileError("", "", f"The files add up to more than {MAX_TOTAL_BYTES // 1024 // 1024} MB."))
    if len(files) > MAX_FILES:
        errors.append(FileError("", "", f"{len(files)} Markdown files; import at most {MAX_FILES} at a time."))
    return files, errors


def _read_zip(name: str, data: bytes, errors: list[FileError]) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        errors.append(FileError(name, "", "This is not a zip archive that can be read."))
        return []
    files, total = [], 0
    with archive:
        for info in archive.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or not path.name.lower().endswith(MARKDOWN_SUFFIXES):
                continue  # entries.json and anything else that isn't an entry
            if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
                continue
            # Sizes are checked before reading, so a zip bomb is refused without inflating it.
            total += info.file_size
            if info.file_size > MAX_FILE_BYTES:
                errors.append(FileError(info.filename, "", f"The file is larger than {MAX_FILE_BYTES // 1024} KB."))
                continue
            if total > MAX_TOTAL_BYTES or len(files) >= MAX_FILES:
                errors.append(
                    FileError(
                        name,
                        "",
                        f"The archive holds more than {MAX_TOTAL_BYTES // 1024 // 1024} MB "
                        f"or {MAX_FILES} files of Markdown.",
                    )
                )
                break
            try:
                files.append((info.filename, archive.read(info)[:MAX_FILE_BYTES]))
            except (zipfile.BadZipFile, RuntimeError, EOFError, ValueError) as error:
                errors.append(FileError(info.filename, "", f"Could not be read from the archive: {error}"))
    return files


# --- Parsing ---------------------------------------------------------------------------------------


@dataclass
class ParsedFile:
    name: str
    kind: str
    title: str
    body: str
    sections: dict[str, str]
    id: int | None = None
    tags: list[str] | None = None
    skills: list[str] | None = None
    owner: Person | Team | None = None
    teams: list[Team] | None = None
    visibility: str | None = None
    review_interval_days: int | None = None
    status: str | None = None
    superseded_by: int | str | None = None
    obsolete_reason: str | None = None


def _split_front_matter(text: str) -> tuple[dict, str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for index in range(1, len(lines)):
        if lines[index].strip() in {"---", "..."}:
            raw, rest = "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
            break
    else:
        raise FileProblem("front matter", "It starts with --- but has no closing --- line.")
    import yaml  # on first use: loading it costs every command's start-up

    try:
        # libyaml's parser where PyYAML was built with it (its wheels are): the pure-Python one
        # took three quarters of the time an unchanged file costs a re-import.
        data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)
    except RecursionError:
        raise FileProblem("front matter", "The front matter nests lists too deep.") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        problem = getattr(error, "problem", None) or getattr(error, "reason", None) or "unreadable"
        raise FileProblem("front matter", f"The front matter is not valid YAML{where}: {problem}.") from error
    if data is None:
        return {}, rest
    if not isinstance(data, dict):
        raise FileProblem("front matter", "The front matter must be `key: value` lines.")
    return {str(key).strip().lower(): value for key, value in data.items()}, rest


def _text(value, key: str) -> str:
    if isinstance(value, bool | list | dict):
        # YAML reads yes/no/on/off as true/false: quoting keeps them text.
        raise FileProblem(key, "Expected text (put it in quotes if it reads like yes, no or a list).")
    return "" if value is None else " ".join(str(value).split())


def _names(value, key: str) -> list[str]:
    """A YAML list, or text separated by commas."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        names = []
        for item in value:
            if isinstance(item, dict | list) or item is None:
                raise FileProblem(key, "Expected a list of names, or names separated by commas.")
            names.append(str(item).strip())
        return [name for name in names if name]
    raise FileProblem(key, "Expected a list of names, or names separated by commas.")


def _team_named(name: str, key: str) -> Team:
    team = Team.objects.filter(Q(name__iexact=name) | Q(slug=name.lower())).first()
    if team is None:
        raise FileProblem(key, f"No team called “{name}”.")
    return team


def _owner(value) -> Person | Team:
    name = _text(value, "owner")
    if not name:
        raise FileProblem("owner", "Name a person's email or a team.")
    if "@" in name:
        person = Person.objects.filter(email__iexact=name).first()
        if person is None:
            raise FileProblem("owner", f"No person with the address {name}.")
        return person
    return _team_named(name, "owner")


def _title_from_name(name: str) -> str:
    stem = PurePosixPath(name).stem
    stem = re.sub(r"^\d+[-_ ]+", "", stem)  # "12-roll-back" -> "roll-back"
    words = " ".join(re.split(r"[-_\s]+", stem)).strip()
    return words[:1].upper() + words[1:]


def parse_file(name: str, data: bytes | str) -> ParsedFile:
    """One Markdown file as an entry's fields; FileProblem names the first problem's key."""
    # The path is the entry's source and what a re-import matches by: it reaches the database.
    if problem := text_problem(name):
        raise FileProblem("", f"The file name {problem}")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FileProblem("", "The file is not UTF-8 text.") from error
    text = data.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if problem := text_problem(text):
        raise FileProblem("", f"The file {problem}")
    meta, rest = _split_front_matter(text)
    unknown = [key for key in meta if key not in IMPORT_KEYS and key not in INFORMATIONAL_KEYS]
    if unknown:
        raise FileProblem(unknown[0], f"Unknown key. Known keys: {', '.join(IMPORT_KEYS)}.")

    kind = _text(meta.get("type"), "type").lower() or EntryKind.LESSON
    if kind not in EntryKind.values:
        raise FileProblem("type", f"Type must be one of {', '.join(EntryKind.values)}, not “{kind}”.")

    # The title: front matter, else the first "# heading", else the file's name. A heading that
    # repeats the title (as the export writes it) is not part of the body.
    title = _text(meta.get("title"), "title")
    lines = rest.split("\n")
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    heading = TITLE_HEADING.match(lines[first].strip()) if first is not None else None
    if heading and (not title or " ".join(heading.group(1).split()) == title):
        title = title or " ".join(heading.group(1).split())
        lines = lines[first + 1 :]
    title = title or _title_from_name(name)
    if problem := length_problem(title, Entry._meta.get_field("title").max_length):
        raise FileProblem("title", f"The title {problem}")

    body_lines, sections, current = [], {}, None
    for line in lines:
        match = SECTION_HEADING.match(line.strip()) if kind == EntryKind.DECISION else None
        if match:
            current = match.group(1).lower()
            if current in sections:
                raise FileProblem(f"## {current.title()}", "This section appears twice.")
            sections[current] = []
        elif current:
            sections[current].append(line)
        else:
            body_lines.append(line)
    parsed = ParsedFile(
        name=name,
        kind=kind,
        title=title,
        body="\n".join(body_lines).strip(),
        sections={section: "\n".join(sections.get(section, [])).strip() for section in SECTIONS},
    )
    if kind == EntryKind.DECISION and not parsed.sections["decision"]:
        raise FileProblem("## Decision", "A decision record needs a “## Decision” section saying what was decided.")

    if "id" in meta and meta["id"] is not None:
        if isinstance(meta["id"], bool) or not isinstance(meta["id"], int) or meta["id"] < 1:
            raise FileProblem("id", "The id is a positive whole number (the export writes it).")
        parsed.id = meta["id"]
    if "tags" in meta:
        parsed.tags = _names(meta["tags"], "tags")
    if "skills" in meta:
        parsed.skills = _names(meta["skills"], "skills")
    if "teams" in meta:
        parsed.teams = [_team_named(team, "teams") for team in dict.fromkeys(_names(meta["teams"], "teams"))]
    if meta.get("owner") is not None:
        parsed.owner = _owner(meta["owner"])
    if "visibility" in meta:
        parsed.visibility = _text(meta["visibility"], "visibility").lower()
        if parsed.visibility not in Visibility.values:
            raise FileProblem("visibility", "Visibility must be everyone or team.")
    if meta.get("review_interval_days") is not None:
        days = meta["review_interval_days"]
        if isinstance(days, str) and days.strip().isdigit():
            days = int(days)
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
            raise FileProblem("review_interval_days", "Review every 1 to 3650 days (a whole number).")
        parsed.review_interval_days = days
    if meta.get("status") is not None:
        if kind != EntryKind.DECISION:
            raise FileProblem("status", "Only decision records have a status.")
        parsed.status = _text(meta["status"], "status").lower()
        if parsed.status not in DecisionStatus.values:
            raise FileProblem("status", f"Status must be one of {', '.join(DecisionStatus.values)}.")
    if meta.get("superseded_by") is not None:
        value = meta["superseded_by"]
        is_id = isinstance(value, int) and not isinstance(value, bool)
        parsed.superseded_by = value if is_id else _text(value, "superseded_by")
        if parsed.status != DecisionStatus.SUPERSEDED:
            raise FileProblem("superseded_by", "Only a record with status superseded names its successor.")
    elif parsed.status == DecisionStatus.SUPERSEDED:
        raise FileProblem("superseded_by", "Name the record that supersedes this one (its id or title).")
    if meta.get("obsolete_reason") is not None:
        parsed.obsolete_reason = str(meta["obsolete_reason"]).strip() or None
    return parsed
