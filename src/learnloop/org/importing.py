"""Bulk import of teams and people from CSV: all rows or none.

Every row is checked first and every problem reported with its row number and column; only a
file without problems is written, in one transaction. Rows for people or teams that already
exist update them, so a corrected export from an HR system can be imported again.
"""

import csv
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from learnloop.analytics.csv_files import csv_reader
from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.input_rules import length_problem, text_limit, text_problem
from learnloop.org.attribute_services import clean_value, write_values
from learnloop.org.models import (
    Membership,
    OrgRole,
    Person,
    PersonAttribute,
    PersonAttributeValue,
    Team,
    TeamKind,
    TeamRole,
    normalize_email,
)
from learnloop.org.permissions import require_admin
from learnloop.org.services import unique_team_slug

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024

TEAM_COLUMNS = {"name": True, "kind": False, "parent": False, "description": False}
PEOPLE_COLUMNS = {
    "email": True,
    "full_name": True,
    "title": False,
    "manager_email": False,
    "teams": False,
    "role": False,
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class RowPlan:
    row: int
    action: str  # "create", "update" or "unchanged"
    label: str


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for plan in self.rows if plan.action == action)

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} problem(s) found; nothing was imported."
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.count('create')} {self.kind} {verb} created, {self.count('update')} updated, "
            f"{self.count('unchanged')} unchanged."
        )

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "summary": self.summary(),
            "created": self.count("create"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
            "rows": [{"row": p.row, "action": p.action, "label": p.label} for p in self.rows],
        }


def _cell_problems(row: dict, line_number: int, model, report: ImportReport) -> bool:
    """Report cells no database could store (NUL, lone surrogates) or longer than their field
    takes, in the dry run as in the real import (which PostgreSQL would otherwise fail)."""
    found = False
    for name, value in row.items():
        try:
            declared = model._meta.get_field(name).max_length
        except FieldDoesNotExist:
            declared = None
        problem = text_problem(value) or length_problem(value, text_limit(name, declared))
        if problem:
            report.errors.append(RowError(line_number, name, f"The text {problem}"))
            found = True
    return found


def _read_rows(data: bytes | str, columns: dict[str, bool], report: ImportReport, model) -> list[dict]:
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            report.errors.append(RowError(0, "", f"The file is larger than {MAX_BYTES // 1024 // 1024} MB."))
            return []
        try:
            text = data.decode("utf-8-sig")  # spreadsheets often add a byte-order mark
        except UnicodeDecodeError:
            report.errors.append(RowError(0, "", "The file is not UTF-8 text; save it as CSV (UTF-8)."))
            return []
    else:
        text = data.lstrip("\ufeff")
    if not text.strip():
        report.errors.append(RowError(0, "", "The file is empty."))
        return []
    reader = csv_reader(text)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        report.errors.append(RowError(1, "", "The file has no header row."))
        return []
    missing = [name for name, required in columns.items() if required and name not in header]
    if missing:
        report.errors.append(
            RowError(1, ", ".join(missing), "Required column missing. Expected columns: " + ", ".join(columns))
        )
        return []
    unknown = [name for name in header if name and name not in columns]
    if unknown:
        report.errors.append(RowError(1, ", ".join(unknown), "Unknown column. Expected columns: " + ", ".join(columns)))
        return []
    rows = []
    try:
        for line_number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(rows) >= MAX_ROWS:
                report.errors.append(RowError(line_number, "", f"More than {MAX_ROWS} rows; split the file."))
                return []
            if len(values) > len(header):
                report.errors.append(RowError(line_number, "", f"{len(values)} values but only {len(header)} columns."))
                continue
            row = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
            if _cell_problems(row, line_number, model, report):
                continue
            row["_row"] = line_number
            rows.append(row)
    except csv.Error as error:
        report.errors.append(RowError(reader.line_num, "", f"The CSV could not be read: {error}"))
    return rows


# --- Teams -------------------------------------------------------------------------------------


def import_teams(*, by, data: bytes | str, dry_run: bool, ip_address: str | None = None) -> ImportReport:
    if by is not None:
        require_admin(by, "import teams")
    report = ImportReport(kind="teams", dry_run=dry_run)
    rows = _read_rows(data, TEAM_COLUMNS, report, Team)
    existing = {team.name.lower(): team for team in Team.objects.all()}
    in_file: dict[str, dict] = {}
    for row in rows:
        number, name = row["_row"], row["name"]
        if not name:
            report.errors.append(RowError(number, "name", "A team needs a name."))
            continue
        if len(name) > 120:
            report.errors.append(RowError(number, "name", "Keep the name under 120 characters."))
        key = name.lower()
        if key in in_file:
            report.errors.append(RowError(number, "name", f"{name} already appears on row {in_file[key]['_row']}."))
            continue
        kind = (row.get("kind") or TeamKind.TEAM).lower()
        if kind not in TeamKind.values:
            report.errors.append(RowError(number, "kind", f"Kind must be department or team, not “{kind}”."))
        row["kind"] = kind
        in_file[key] = row

    def kind_of(name_key: str) -> str | None:
        if name_key in in_file:
            return in_file[name_key]["kind"]
        team = existing.get(name_key)
        return team.kind if team else None

    for key, row in in_file.items():
        parent = (row.get("parent") or "").strip()
        if not parent:
            continue
        parent_kind = kind_of(parent.lower())
        if parent_kind is None:
            report.errors.append(RowError(row["_row"], "parent", f"No department called “{parent}”."))
        elif parent_kind != TeamKind.DEPARTMENT:
            report.errors.append(RowError(row["_row"], "parent", f"“{parent}” is a team, not a department."))
        elif parent.lower() == key:
            report.errors.append(RowError(row["_row"], "parent", "A team can't be its own parent."))

    if report.errors:
        return report
    _check_team_cycles(in_file, existing, report)
    if report.errors:
        return report

    for row in in_file.values():
        team = existing.get(row["name"].lower())
        label = row["name"]
        if team is None:
            report.rows.append(RowPlan(row["_row"], "create", label))
            continue
        wanted_parent = (row.get("parent") or "").lower()
        current_parent = team.parent.name.lower() if team.parent else ""
        changed = (
            team.kind != row["kind"]
            or current_parent != wanted_parent
            or ("description" in row and row["description"] != team.description)
        )
        report.rows.append(RowPlan(row["_row"], "update" if changed else "unchanged", label))
    if dry_run:
        return report

    with transaction.atomic():
        teams_by_name = dict(existing)
        for row in in_file.values():
            key = row["name"].lower()
            team = teams_by_name.get(key)
            if team is None:
                team = Team(name=row["name"], slug=unique_team_slug(row["name"]))
            team.kind = row["kind"]
            if "description" in row:
                team.description = row["description"]
            team.parent = None if team.pk is None else team.parent
            team.save()
            teams_by_name[key] = team
        for row in in_file.values():
            team = teams_by_name[row["name"].lower()]
            parent_name = (row.get("parent") or "").lower()
            team.parent = teams_by_name[parent_name] if parent_name else None
            team.save(update_fields=["parent"])
        record_audit_event(
            kind=AuditKind.IMPORT,
            actor=by,
            actor_label="" if by else "operator",
            ip_address=ip_address,
            target="teams",
            detail={"created": report.count("create"), "updated": report.count("update")},
        )
    report.imported = True
    return report


def _check_team_cycles(in_file, existing, report: ImportReport) -> None:
    parent_of = {key: (team.parent.name.lower() if team.parent else "") for key, team in existing.items()}
    for key, row in in_file.items():
        parent_of[key] = (row.get("parent") or "").lower()
    for key, row in in_file.items():
        seen, current = set(), key
        while current:
            if current in seen:
                report.errors.append(RowError(row["_row"], "parent", "These parents form a loop."))
                break
            seen.add(current)
            current = parent_of.get(current, "")


# --- People ------------------------------------------------------------------------------------


def _parse_team_cell(cell: str) -> list[tuple[str, str]]:
    """ "Payments; Platform:facilitator" -> [("payments", "member"), ("platform", "facilitator")]."""
    entries = []
    for part in cell.split(";"):
        part = part.strip()
        if not part:
            continue
        name, _, role = part.partition(":")
        entries.append((name.strip(), (role.strip().lower() or TeamRole.MEMBER)))
    return entries


def import_people(*, by, data: bytes | str, dry_run: bool, ip_address: str | None = None) -> ImportReport:
    if by is not None:
        require_admin(by, "import people")
    report = ImportReport(kind="people", dry_run=dry_run)
    # Besides the fixed columns, one optional column per person attribute, named by its key.
    attributes = {attribute.key: attribute for attribute in PersonAttribute.objects.all()}
    rows = _read_rows(data, {**PEOPLE_COLUMNS, **dict.fromkeys(attributes, False)}, report, Person)
    current_values: dict[str, dict[str, str]] = {}
    for email, key, value in PersonAttributeValue.objects.values_list("person__email", "attribute__key", "value"):
        current_values.setdefault(email.lower(), {})[key] = value
    existing = {person.email.lower(): person for person in Person.objects.select_related("manager")}
    teams = {team.name.lower(): team for team in Team.objects.all()}
    in_file: dict[str, dict] = {}
    for row in rows:
        number = row["_row"]
        email = normalize_email(row["email"])
        row["email"] = email
        if not email:
            report.errors.append(RowError(number, "email", "An email address is required."))
            continue
        try:
            validate_email(email)
        except ValidationError:
            report.errors.append(RowError(number, "email", f"“{email}” is not a valid email address."))
            continue
        if email in in_file:
            report.errors.append(RowError(number, "email", f"{email} already appears on row {in_file[email]['_row']}."))
            continue
        if not row["full_name"]:
            report.errors.append(RowError(number, "full_name", "A name is required."))
        role = (row.get("role") or "").lower()
        if role and role not in OrgRole.values:
            report.errors.append(
                RowError(number, "role", f"Role must be one of {', '.join(OrgRole.values)}, not “{role}”.")
            )
        row["role"] = role
        parsed_teams = []
        for name, team_role in _parse_team_cell(row.get("teams", "")):
            if name.lower() not in teams:
                report.errors.append(RowError(number, "teams", f"No team called “{name}”; import teams first."))
            elif teams[name.lower()].is_archived:
                report.errors.append(RowError(number, "teams", f"{name} is archived."))
            if team_role not in TeamRole.values:
                report.errors.append(
                    RowError(number, "teams", f"Team role must be member or facilitator, not “{team_role}”.")
                )
            parsed_teams.append((name.lower(), team_role))
        row["_teams"] = parsed_teams
        row["_attributes"] = {}
        for key, attribute in attributes.items():
            if key in row:
                try:
                    row["_attributes"][key] = clean_value(attribute, row[key])
                except ValidationError as error:
                    report.errors.append(RowError(number, key, error.messages[0]))
        in_file[email] = row

    manager_of = {email: (p.manager.email.lower() if p.manager else "") for email, p in existing.items()}
    for email, row in in_file.items():
        manager_email = normalize_email(row.get("manager_email", ""))
        if "manager_email" in row:
            if manager_email and manager_email not in in_file and manager_email not in existing:
                report.errors.append(
                    RowError(row["_row"], "manager_email", f"No person with the address {manager_email}.")
                )
            elif manager_email == email:
                report.errors.append(RowError(row["_row"], "manager_email", "Nobody is their own manager."))
            manager_of[email] = manager_email
    if not report.errors:
        for email, row in in_file.items():
            seen, current = set(), email
            while current:
                if current in seen:
                    report.errors.append(RowError(row["_row"], "manager_email", "These managers form a loop."))
                    break
                seen.add(current)
                current = manager_of.get(current, "")
    if report.errors:
        return report

    for email, row in in_file.items():
        person = existing.get(email)
        if person is None:
            report.rows.append(RowPlan(row["_row"], "create", email))
        else:
            changed = _person_changes(person, row, teams) or any(
                current_values.get(email, {}).get(key) != value for key, value in row["_attributes"].items())
            report.rows.append(RowPlan(row["_row"], "update" if changed else "unchanged", email))
    if dry_run:
        return report

    with transaction.atomic():
        people_by_email = dict(existing)
        for email, row in in_file.items():
            person = people_by_email.get(email)
            if person is None:
                person = Person(email=email, role=row["role"] or OrgRole.MEMBER)
                person.set_unusable_password()
            elif row["role"] and row["role"] != person.role:
                record_audit_event(
                    kind=AuditKind.ROLE_CHANGED,
                    actor=by,
                    actor_label="" if by else "operator",
                    ip_address=ip_address,
                    target=email,
                    detail={"scope": "organization", "from": person.role, "to": row["role"], "via": "import"},
                )
                person.role = row["role"]
            person.full_name = row["full_name"]
            if "title" in row:
                person.title = row["title"]
            person.save()
            people_by_email[email] = person
        for email, row in in_file.items():
            person = people_by_email[email]
            if "manager_email" in row:
                manager_email = normalize_email(row["manager_email"])
                person.manager = people_by_email[manager_email] if manager_email else None
                person.save(update_fields=["manager"])
            for team_key, team_role in row["_teams"]:
                Membership.objects.update_or_create(person=person, team=teams[team_key], defaults={"role": team_role})
            if row["_attributes"]:
                write_values(person, {attributes[key]: value for key, value in row["_attributes"].items()})
        record_audit_event(
            kind=AuditKind.IMPORT,
            actor=by,
            actor_label="" if by else "operator",
            ip_address=ip_address,
            target="people",
            detail={"created": report.count("create"), "updated": report.count("update")},
        )
    report.imported = True
    return report


def _person_changes(person: Person, row: dict, teams: dict[str, Team]) -> bool:
    if person.full_name != row["full_name"]:
        return True
    if "title" in row and person.title != row["title"]:
        return True
    if row["role"] and row["role"] != person.role:
        return True
    if "manager_email" in row:
        current = person.manager.email.lower() if person.manager else ""
        if current != normalize_email(row["manager_email"]):
            return True
    current_teams = dict(person.memberships.values_list("team_id", "role"))
    return any(current_teams.get(teams[key].id) != role for key, role in row["_teams"])
