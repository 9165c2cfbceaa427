"""Live numbers of the platform a model's constants can be bound to: the run starts from today's
value instead of the number typed into the model file. The knowledge figures use the dashboard's
definitions (learning_metrics.stale_knowledge_share: past the review date by the stale margin,
obsolete entries left out)."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from learnloop.analytics import learning_metrics
from learnloop.insights.metrics import scope_for
from learnloop.knowledge.models import Entry

MONTHS = 12


@dataclass(frozen=True)
class LiveNumber:
    key: str
    label: str
    definition: str


LIVE_NUMBERS = {number.key: number for number in (
    LiveNumber("knowledge.lessons_written_per_month", _("Lessons written per month"),
               format_lazy(_("lessons created in the last {months} months / {months}"), months=MONTHS)),
    LiveNumber("knowledge.fresh_lessons", _("Fresh lessons"),
               _("lessons not obsolete and not stale today")),
    LiveNumber("knowledge.stale_lessons", _("Stale lessons"),
               format_lazy(_("lessons past their review date by {days} days or more today"),
                           days=learning_metrics.STALE_AFTER_DAYS)),
    LiveNumber("knowledge.stale_share", _("Stale share of the knowledge base"),
               _("stale entries / entries not obsolete, today (the dashboard's stale-knowledge share)")),
)}


def _lessons(team):
    entries = Entry.objects.all()
    if team is not None:
        entries = entries.filter(owner_team_id__in=scope_for(team).team_ids)
    return entries


def live_values(team, keys) -> dict[str, float | None]:
    """{key: value} for the organization (team None) or a team with the teams below it; None
    where there is nothing to count (no entries)."""
    keys = [key for key in keys if key in LIVE_NUMBERS]
    if not keys:
        return {}
    now = timezone.now()
    zone = timezone.get_current_timezone()
    entries = _lessons(team)
    rows = list(entries.values_list("kind", "created_at", "review_due_at", "obsolete_at"))
    facts = [learning_metrics.EntryFacts(review_due_on=timezone.localtime(due, zone).date(),
                                         obsolete=obsolete is not None) for _kind, _created, due, obsolete in rows]
    today = timezone.localdate(now)
    lessons = [fact for fact, row in zip(facts, rows, strict=True) if row[0] == "lesson"]
    stale_lessons = sum(1 for fact in lessons if not fact.obsolete and _stale(fact, today))
    current_lessons = sum(1 for fact in lessons if not fact.obsolete)
    written = sum(1 for kind, created, _due, _obsolete in rows
                  if kind == "lesson" and created >= now - timedelta(days=365))
    share = learning_metrics.stale_knowledge_share(facts, until=today)
    values = {
        "knowledge.lessons_written_per_month": round(written / MONTHS, 2),
        "knowledge.fresh_lessons": float(current_lessons - stale_lessons),
        "knowledge.stale_lessons": float(stale_lessons),
        "knowledge.stale_share": None if share.value is None else round(share.value, 4),
    }
    return {key: values[key] for key in keys}


def _stale(fact, today) -> bool:
    return today >= fact.review_due_on + timedelta(days=learning_metrics.STALE_AFTER_DAYS)


def clean_bindings(model, bindings: dict, field: str = "bindings") -> dict:
    """{constant: live number key} for constants the model has; a ValidationError otherwise. An
    empty key unbinds the constant (its value is the model's again)."""
    if not isinstance(bindings, dict):
        raise ValidationError({field: gettext("Bindings are {constant name: live number key}.")})
    constants = {constant["name"] for constant in model.outline.get("constants", [])}
    cleaned = {}
    for constant, key in bindings.items():
        if constant not in constants:
            raise ValidationError({field: gettext("%(constant)s: the model has no constant of that name.")
                                         % {"constant": str(constant)[:120]}})
        if key in (None, ""):
            continue
        if key not in LIVE_NUMBERS:
            raise ValidationError({field: gettext("%(key)s: not a live number (%(known)s).")
                                         % {"key": str(key)[:120], "known": ", ".join(LIVE_NUMBERS)}})
        cleaned[constant] = key
    return cleaned
