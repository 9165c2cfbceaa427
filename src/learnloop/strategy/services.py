"""Every write to goals and the roadmap: objectives, key results and their dated values,
initiatives with their dependencies, spend and links. Keyword-only arguments, `by=` the actor,
permission checks, one transaction, an activity event. The vision is in vision.py, champions in
champions.py."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.activity.services import record_activity
from learnloop.analytics import learning_metrics as catalogue
from learnloop.links import registry
from learnloop.strategy import measure
from learnloop.strategy.models import (
    Initiative,
    InitiativeLink,
    InitiativeStatus,
    KeyResult,
    KeyResultKind,
    KeyResultValue,
    Level,
    Objective,
    Spend,
    SpendKind,
)
from learnloop.strategy.permissions import can_plan, require

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_NOTE = 300


def _text(value, *, field: str, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: "Fill this in."})
    if len(text) > limit:
        raise ValidationError({field: f"At most {limit} characters."})
    return text


def _dates(starts_on: date, ends_on: date) -> None:
    if starts_on is None:
        raise ValidationError({"starts_on": gettext("Give a start date.")})
    if ends_on is None:
        raise ValidationError({"ends_on": gettext("Give an end date.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": gettext("The end comes on or after the start.")})


def level_of(team) -> str:
    if team is None:
        return Level.ORGANIZATION
    return Level.DEPARTMENT if team.kind == "department" else Level.TEAM


def _ancestors(team) -> list[int]:
    """The team and every team above it (ids)."""
    found, current = [], team
    while current is not None:
        found.append(current.pk)
        current = current.parent
    return found


def _check_parent(parent: Objective | None, team, objective: Objective | None = None) -> None:
    if parent is None:
        return
    if parent.team_id is not None and (team is None or parent.team_id not in _ancestors(team)):
        raise ValidationError({"parent_id": "An objective aligns with one of its own scope or of a scope above it "
                                            "(the organization, or its department)."})
    node = parent
    while node is not None and objective is not None:
        if node.pk == objective.pk:
            raise ValidationError({"parent_id": gettext("That would make the objective its own ancestor.")})
        node = node.parent


def _event(verb: str, subject, by, team=None, at=None, data=None) -> None:
    record_activity(verb=verb, subject=subject, actor=by, team=team, data=data, at=at)


# --- objectives ------------------------------------------------------------------------------


def create_objective(*, by, title: str, team=None, parent: Objective | None = None, owner=None,
                     starts_on: date, ends_on: date, description: str = "", at=None) -> Objective:
    require(can_plan(by, team), "You may not set goals here.")
    title = _text(title, field="title", limit=MAX_TITLE)
    description = _text(description, field="description", limit=MAX_TEXT, required=False)
    _dates(starts_on, ends_on)
    if team is not None and team.archived_at is not None:
        raise ValidationError({"team_id": gettext("That team is archived.")})
    _check_parent(parent, team)
    with transaction.atomic():
        objective = Objective.objects.create(
            title=title, description=description, level=level_of(team), team=team, parent=parent,
            owner=owner or by, starts_on=starts_on, ends_on=ends_on, created_at=at or timezone.now())
        _event("objective_created", objective, by, team, at)
    return objective


def update_objective(*, by, objective: Objective, **fields) -> Objective:
    require(can_plan(by, objective.team), "You may not change this objective.")
    if "title" in fields:
        objective.title = _text(fields["title"], field="title", limit=MAX_TITLE)
    if "description" in fields:
        objective.description = _text(fields["description"], field="description", limit=MAX_TEXT, required=False)
    if "parent" in fields:
        _check_parent(fields["parent"], objective.team, objective)
        objective.parent = fields["parent"]
    if "owner" in fields and fields["owner"] is not None:
        objective.owner = fields["owner"]
    objective.starts_on = fields.get("starts_on") or objective.starts_on
    objective.ends_on = fields.get("ends_on") or objective.ends_on
    _dates(objective.starts_on, objective.ends_on)
    with transaction.atomic():
        objective.save()
        _event("objective_updated", objective, by, objective.team)
    return objective


# --- key results -----------------------------------------------------------------------------


def _check_binding(metric_key: str, dimension: str, window_days) -> None:
    if metric_key not in measure.BINDABLE:
        raise ValidationError({"metric_key": f"Unknown metric {metric_key[:60]!r}; one of: "
                                             f"{', '.join(measure.BINDABLE)}."})
    if metric_key == "survey_scale_scores" and not dimension:
        raise ValidationError({"dimension": gettext("Name the survey dimension (its key) the key result follows.")})
    if not (isinstance(window_days, int) and 7 <= window_days <= measure.MAX_WINDOW_DAYS):
        raise ValidationError({"window_days": f"Between 7 and {measure.MAX_WINDOW_DAYS} days."})


def _number(value, field: str, *, required: bool) -> float | None:
    if value is None:
        if required:
            raise ValidationError({field: "Give a number."})
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: "Give a number."}) from None
    if number != number or abs(number) > 1e12:
        raise ValidationError({field: "Give a finite number."})
    return number


def add_key_result(*, by, objective: Objective, title: str, target, baseline=None, unit: str = "",
                   metric_key: str = "", dimension: str = "", scope_team=None, window_days: int = 90,
                   today: date | None = None, at=None, read: bool = True) -> KeyResult:
    """A manual key result, or one bound to a catalogue metric (metric_key given) for scope_team
    (default: the objective's team; None with an organization objective is the organization)."""
    require(can_plan(by, objective.team), "You may not change this objective's key results.")
    title = _text(title, field="title", limit=MAX_TITLE)
    target = _number(target, "target", required=True)
    baseline = _number(baseline, "baseline", required=False)
    unit = _text(unit, field="unit", limit=30, required=False)
    bound = bool(metric_key)
    if bound:
        _check_binding(metric_key, dimension, window_days)
        scope_team = scope_team if scope_team is not None else objective.team
        unit = unit or catalogue.BY_KEY[metric_key].unit
    with transaction.atomic():
        key_result = KeyResult.objects.create(
            objective=objective, title=title, target=target, baseline=baseline, unit=unit,
            kind=KeyResultKind.METRIC if bound else KeyResultKind.MANUAL, metric_key=metric_key if bound else "",
            dimension=dimension if bound else "", scope_team=scope_team if bound else None,
            window_days=window_days, created_at=at or timezone.now())
        _event("key_result_added", key_result, by, objective.team, at)
    if bound and read:  # read=False: the caller reads many at once (refresh_many), as the demo does
        refresh(key_result, today=today)
    return key_result


def bind_key_result(*, by, key_result: KeyResult, metric_key: str, dimension: str = "", scope_team=None,
                    window_days: int = 90, today: date | None = None) -> KeyResult:
    """Bind (or re-bind) a key result to a catalogue metric; its value is read at once."""
    require(can_plan(by, key_result.objective.team), "You may not change this objective's key results.")
    _check_binding(metric_key, dimension, window_days)
    with transaction.atomic():
        key_result.kind = KeyResultKind.METRIC
        key_result.metric_key = metric_key
        key_result.dimension = dimension if metric_key == "survey_scale_scores" else ""
        key_result.scope_team = scope_team if scope_team is not None else key_result.objective.team
        key_result.window_days = window_days
        key_result.unit = key_result.unit or catalogue.BY_KEY[metric_key].unit
        key_result.save()
        _event("key_result_bound", key_result, by, key_result.objective.team, data={"metric": metric_key})
    refresh(key_result, today=today)
    return key_result


def record_value(*, by, key_result: KeyResult, on: date, value, note: str = "") -> KeyResultValue:
    require(can_plan(by, key_result.objective.team), "You may not record values for this key result.")
    if key_result.kind != KeyResultKind.MANUAL:
        raise ValidationError({"value": gettext(
            "This key result is bound to a metric: its values come from the platform.")})
    if on is None:
        raise ValidationError({"on": gettext("Give the date of the value.")})
    if on > timezone.localdate():
        raise ValidationError({"on": gettext("A value is measured, so its date is today or earlier.")})
    number = _number(value, "value", required=True)
    note = _text(note, field="note", limit=MAX_NOTE, required=False)
    with transaction.atomic():
        row, _ = KeyResultValue.objects.update_or_create(
            key_result=key_result, on=on,
            defaults={"value": number, "note": note, "recorded_by": by, "recorded_at": timezone.now(),
                      "numerator": None, "denominator": None, "n": None, "low": None, "high": None})
        _event("key_result_value", key_result, by, key_result.objective.team, data={"on": on.isoformat()})
    return row


def refresh(key_result: KeyResult, *, today: date | None = None) -> KeyResultValue | None:
    return refresh_many([key_result], today=today).get(key_result.pk)


def refresh_many(key_results_list, *, today: date | None = None) -> dict[int, KeyResultValue]:
    """Read each bound key result from the catalogue and keep today's value (one row a day)."""
    today = today or timezone.localdate()
    bound = [item for item in key_results_list if item.kind == KeyResultKind.METRIC]
    if not bound:
        return {}
    readings = measure.read_many(bound, today=today)
    rows = {}
    now = timezone.now()
    with transaction.atomic():
        for key_result in bound:
            reading = readings[key_result.pk]
            rows[key_result.pk], _ = KeyResultValue.objects.update_or_create(
                key_result=key_result, on=today,
                defaults={"value": reading.value, "numerator": reading.numerator, "denominator": reading.denominator,
                          "n": reading.n, "low": reading.low, "high": reading.high, "note": reading.reason[:MAX_NOTE],
                          "recorded_by": None, "recorded_at": now})
        KeyResult.objects.filter(pk__in=[item.pk for item in bound]).update(refreshed_at=now)
    return rows


def refresh_all(*, today: date | None = None) -> int:
    """Every bound key result (the worker's job, and `learnloop strategy refresh`)."""
    bound = list(KeyResult.objects.filter(kind=KeyResultKind.METRIC).select_related("objective__owner"))
    return len(refresh_many(bound, today=today))


# --- initiatives -----------------------------------------------------------------------------


def _decimal(value, field: str, *, places: int, limit: int) -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "Give a number."}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({field: "Give a number of zero or more."})
    if number >= Decimal(10) ** limit:
        raise ValidationError({field: "That is too large."})
    return number.quantize(Decimal(1).scaleb(-places))


def _people(value) -> int:
    if value in (None, ""):
        return 0
    if not isinstance(value, int) or not 0 <= value <= 10000:
        raise ValidationError({"budget_people": gettext("Between 0 and 10,000 people.")})
    return value


def _check_objectives(by, objectives) -> list[Objective]:
    return list(objectives or ())


INITIATIVE_FIELDS = ("title", "description", "owner", "status", "starts_on", "ends_on", "budget_person_days",
                     "budget_money", "budget_people")


def _clean_initiative(values: dict) -> dict:
    cleaned = {}
    for name, value in values.items():
        if name == "title":
            cleaned[name] = _text(value, field="title", limit=MAX_TITLE)
        elif name == "description":
            cleaned[name] = _text(value, field="description", limit=MAX_TEXT, required=False)
        elif name == "status":
            if value not in InitiativeStatus.values:
                raise ValidationError({"status": f"One of: {', '.join(InitiativeStatus.values)}."})
            cleaned[name] = value
        elif name == "budget_person_days":
            cleaned[name] = _decimal(value, name, places=1, limit=8)
        elif name == "budget_money":
            cleaned[name] = _decimal(value, name, places=2, limit=10)
        elif name == "budget_people":
            cleaned[name] = _people(value)
        else:
            cleaned[name] = value
    return cleaned


def create_initiative(*, by, title: str, team=None, owner=None, starts_on: date, ends_on: date,
                      status: str = InitiativeStatus.PLANNED, description: str = "", budget_person_days=0,
                      budget_money=0, budget_people=0, objectives=(), depends_on=(), at=None) -> Initiative:
    require(can_plan(by, team), "You may not plan initiatives here.")
    cleaned = _clean_initiative({"title": title, "description": description, "status": status,
                                 "budget_person_days": budget_person_days, "budget_money": budget_money,
                                 "budget_people": budget_people})
    _dates(starts_on, ends_on)
    with transaction.atomic():
        initiative = Initiative.objects.create(team=team, owner=owner or by, starts_on=starts_on, ends_on=ends_on,
                                               created_at=at or timezone.now(), **cleaned)
        initiative.objectives.set(_check_objectives(by, objectives))
        if depends_on:
            _set_dependencies(initiative, list(depends_on))
        _event("initiative_planned", initiative, by, team, at)
    return initiative


def update_initiative(*, by, initiative: Initiative, **fields) -> Initiative:
    require(can_plan(by, initiative.team), "You may not change this initiative.")
    unknown = set(fields) - {*INITIATIVE_FIELDS, "objectives", "depends_on"}
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    objectives = fields.pop("objectives", None)
    depends_on = fields.pop("depends_on", None)
    cleaned = _clean_initiative({name: value for name, value in fields.items() if value is not None})
    for name, value in cleaned.items():
        setattr(initiative, name, value)
    _dates(initiative.starts_on, initiative.ends_on)
    with transaction.atomic():
        initiative.save()
        if objectives is not None:
            initiative.objectives.set(_check_objectives(by, objectives))
        if depends_on is not None:
            _set_dependencies(initiative, list(depends_on))
        _event("initiative_updated", initiative, by, initiative.team, data={"fields": sorted(cleaned)})
    return initiative


def _set_dependencies(initiative: Initiative, depends_on: list[Initiative]) -> None:
    """Refuse a dependency on itself or one that closes a cycle (A needs B needs … needs A)."""
    wanted = {item.pk for item in depends_on}
    if initiative.pk in wanted:
        raise ValidationError({"depends_on": gettext("An initiative cannot depend on itself.")})
    edges: dict[int, set[int]] = {}
    for source, target in Initiative.depends_on.through.objects.values_list("from_initiative_id",
                                                                            "to_initiative_id"):
        edges.setdefault(source, set()).add(target)
    edges[initiative.pk] = wanted
    stack, seen = list(wanted), set()
    while stack:
        node = stack.pop()
        if node == initiative.pk:
            raise ValidationError({"depends_on": "That dependency would make a cycle: the initiative would "
                                                 "wait for itself."})
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    initiative.depends_on.set(depends_on)


def add_spend(*, by, initiative: Initiative, kind: str, on: date, person_days=0, money=0,
              note: str = "", at=None) -> Spend:
    require(can_plan(by, initiative.team), "You may not record spend on this initiative.")
    if kind not in SpendKind.values:
        raise ValidationError({"kind": gettext("Planned or actual.")})
    if on is None:
        raise ValidationError({"on": gettext("Give a date.")})
    person_days = _decimal(person_days, "person_days", places=1, limit=8)
    money = _decimal(money, "money", places=2, limit=10)
    if not person_days and not money:
        raise ValidationError({"person_days": gettext("Give person-days, money or both.")})
    with transaction.atomic():
        spend = Spend.objects.create(initiative=initiative, kind=kind, on=on, person_days=person_days, money=money,
                                     note=_text(note, field="note", limit=MAX_NOTE, required=False),
                                     recorded_by=by, recorded_at=at or timezone.now())
        _event("initiative_spend", initiative, by, initiative.team, at, data={"kind": kind})
    return spend


def add_link(*, by, initiative: Initiative, target_type: str, target_id) -> InitiativeLink:
    """Link what carries the initiative out (an experiment, session, action, learning path…)."""
    require(can_plan(by, initiative.team), "You may not change this initiative.")
    target = registry.clean_reference(by, type_key=target_type, object_id=target_id, type_field="target_type",
                                      id_field="target_id")
    with transaction.atomic():
        link, _ = InitiativeLink.objects.get_or_create(initiative=initiative, target_type=target.type,
                                                       target_id=target.id, defaults={"added_by": by})
        _event("initiative_linked", initiative, by, initiative.team, data={"type": target.type, "id": target.id})
    return link


def remove_link(*, by, link: InitiativeLink) -> None:
    require(can_plan(by, link.initiative.team), "You may not change this initiative.")
    with transaction.atomic():
        link.delete()
