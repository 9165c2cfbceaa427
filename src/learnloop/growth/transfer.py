"""The skills framework as data: export to CSV or JSON, import from either (all rows or none,
with every row's problems listed), and the starter framework shipped in framework/starter.yaml.

A row is one skill: category, name, description, aliases, team (a team's slug; blank for
org-wide) and its level descriptors (CSV: columns level_1 … level_10, trailing blanks dropped;
JSON: a list "levels"). Importing matches skills by name (case-insensitive): an existing skill
is updated, a new one created; categories are created as needed. Nothing is deleted: retire or
merge skills on the framework page.
"""

import csv
import io
import json
from dataclasses import dataclass
from importlib import resources

from django.core.exceptions import ValidationError
from django.db import transaction

from learnloop.growth import permissions, services
from learnloop.growth.models import DEFAULT_LEVEL_DESCRIPTORS, Skill, SkillCategory, SkillEvent, SkillStatus
from learnloop.org.models import Team

CSV_COLUMNS = ["category", "name", "description", "aliases", "team", "status"] + [f"level_{i}" for i in range(1, 11)]
MAX_ROWS = 2000


class ImportRejected(ValidationError):
    """The file was refused as a whole; `row_errors` lists (row number, message)."""

    def __init__(self, row_errors: list[tuple[int, str]]):
        self.row_errors = row_errors
        super().__init__([f"Row {n}: {message}" if n else message for n, message in row_errors])


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


def export_rows() -> list[dict]:
    skills = Skill.objects.select_related("category", "team").order_by("category__position", "category__name",
                                                                     "name", "id")
    return [{"category": s.category.name, "name": s.name, "description": s.description,
             "aliases": [a for a in s.aliases.split(",") if a], "team": s.team.slug if s.team else "",
             "status": s.status, "levels": list(s.level_descriptors)} for s in skills]


def export_json() -> str:
    return json.dumps({"skills": export_rows()}, ensure_ascii=False, indent=2)


def export_csv() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in export_rows():
        levels = row.pop("levels")
        row["aliases"] = ",".join(row["aliases"])
        row.update({f"level_{i + 1}": text for i, text in enumerate(levels)})
        writer.writerow(row)
    return out.getvalue()


def parse_csv(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"category", "name"} <= {f.strip() for f in reader.fieldnames}:
        raise ImportRejected([(0, "The CSV needs a header row with at least the columns category and name.")])
    unknown = [f for f in reader.fieldnames if f.strip() not in CSV_COLUMNS]
    if unknown:
        raise ImportRejected([(0, f"Unknown columns: {', '.join(unknown)}. Known: {', '.join(CSV_COLUMNS)}.")])
    rows = []
    for raw in reader:
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        levels = [row.pop(f"level_{i}", "") for i in range(1, 11)]
        while levels and not levels[-1]:
            levels.pop()
        row["levels"] = levels
        row["aliases"] = row.get("aliases", "")
        rows.append(row)
    return rows


def parse_json(text: str) -> list[dict]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ImportRejected([(0, f"This is not valid JSON: {error}.")]) from None
    skills = document.get("skills") if isinstance(document, dict) else document
    if not isinstance(skills, list):
        raise ImportRejected([(0, 'Give a JSON object {"skills": [...]} or a list of skills.')])
    return skills


def import_rows(*, by, rows: list, at=None) -> ImportResult:
    """Check every row first; write all of them in one transaction, or none."""
    permissions.require(permissions.can_manage_framework(by), "Only learning leads and admins import the framework.")
    if not rows:
        raise ImportRejected([(0, "The file has no skills.")])
    if len(rows) > MAX_ROWS:
        raise ImportRejected([(0, f"Import at most {MAX_ROWS} skills at a time.")])
    errors: list[tuple[int, str]] = []
    teams = {t.slug: t for t in Team.objects.all()}
    existing = {s.name.lower(): s for s in Skill.objects.all()}
    seen: set[str] = set()
    cleaned = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors.append((number, "each skill is an object with category and name."))
            continue
        problems = []
        name = str(row.get("name") or "").strip()
        category = str(row.get("category") or "").strip()
        if not name:
            problems.append("name is missing")
        elif len(name) > services.NAME_MAX:
            problems.append(f"name is longer than {services.NAME_MAX} characters")
        elif name.lower() in seen:
            problems.append(f"{name} appears twice in the file")
        if not category:
            problems.append("category is missing")
        elif len(category) > services.NAME_MAX:
            problems.append(f"category is longer than {services.NAME_MAX} characters")
        team_slug = str(row.get("team") or "").strip()
        if team_slug and team_slug not in teams:
            problems.append(f"no team with the slug {team_slug}")
        status = str(row.get("status") or "").strip()
        if status and status not in SkillStatus.values:
            problems.append("status is active, retired or merged")
        fields = {}
        for key, clean in (("levels", services.clean_levels), ("aliases", services.clean_aliases)):
            try:
                fields[key] = clean(row.get(key) or ([] if key == "levels" else ""))
            except ValidationError as error:
                problems.extend(m for ms in error.message_dict.values() for m in ms)
        description = str(row.get("description") or "")
        if len(description) > services.TEXT_MAX:
            problems.append(f"description is longer than {services.TEXT_MAX} characters")
        if problems:
            errors.append((number, "; ".join(problems) + "."))
            continue
        seen.add(name.lower())
        cleaned.append({"name": name, "category": category, "description": description.strip(),
                        "team": teams.get(team_slug), **fields})
    if errors:
        raise ImportRejected(errors)
    created = updated = unchanged = 0
    with transaction.atomic():
        categories = {c.name.lower(): c for c in SkillCategory.objects.all()}
        for row in cleaned:
            category = categories.get(row["category"].lower())
            if category is None:
                category = SkillCategory.objects.create(name=row["category"], position=len(categories))
                categories[row["category"].lower()] = category
            skill = existing.get(row["name"].lower())
            if skill is None:
                services.create_skill(by=by, name=row["name"], category=category, description=row["description"],
                                      aliases=row["aliases"], level_descriptors=row["levels"], team=row["team"], at=at)
                created += 1
                continue
            changes = {k: v for k, v in {"category": category, "description": row["description"],
                                         "aliases": row["aliases"], "level_descriptors": row["levels"],
                                         "name": row["name"]}.items() if getattr(skill, k) != v}
            team_changed = row["team"] != skill.team
            if changes:
                services.update_skill(by=by, skill=skill, at=at, **changes)
            if team_changed:
                skill.team = row["team"]
                skill.save(update_fields=["team"])
                SkillEvent.objects.create(skill=skill, verb="changed", detail="team", by=by,
                                          **({"at": at} if at else {}))
            if changes or team_changed:
                updated += 1
            else:
                unchanged += 1
    return ImportResult(created, updated, unchanged)


def starter_rows() -> list[dict]:
    import yaml

    text = resources.files("learnloop.growth").joinpath("framework/starter.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    return [{"category": category["name"], "name": skill["name"], "description": skill.get("description", ""),
             "aliases": skill.get("aliases", []), "levels": skill.get("levels") or list(DEFAULT_LEVEL_DESCRIPTORS)}
            for category in document["categories"] for skill in category["skills"]]


def starter_category_descriptions() -> dict[str, str]:
    import yaml

    text = resources.files("learnloop.growth").joinpath("framework/starter.yaml").read_text(encoding="utf-8")
    return {c["name"]: c.get("description", "") for c in yaml.safe_load(text)["categories"]}


def load_starter(*, by, at=None) -> ImportResult:
    """Import the shipped starter framework (skills already present by name are updated)."""
    result = import_rows(by=by, rows=starter_rows(), at=at)
    for position, (name, description) in enumerate(starter_category_descriptions().items()):
        SkillCategory.objects.filter(name=name, description="").update(description=description, position=position)
    return result
