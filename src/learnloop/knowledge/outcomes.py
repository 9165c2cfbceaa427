"""Effect → knowledge: an answered effectiveness check becomes a lesson, or evidence for the
lesson it belongs to, and a "did not work" flags the lessons it contradicts for review.

The check is read through the link registry (learnloop.links), so the knowledge base never
imports the actions app: "actions.check" resolves to the answer, its evidence, the action's team
and where the action came from. An answer kept as evidence stays in step with the check: when the
check is answered again (actions.services.record_effectiveness), the actions app sends
links.signals.outcome_recorded and `outcome_changed` updates every entry that keeps it.

Which lessons an action was "taken on": the lessons its outcome was added to (OutcomeEvidence),
the lessons applied at it (Application with place actions.action:<id>), the lessons that came from
it or from its check (Provenance), and the lesson it was created from (the action's own source
knowledge.entry:<id>). A "did not work" flags those that are lessons or playbooks and not obsolete.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.activity.services import record_activity
from learnloop.knowledge import search
from learnloop.knowledge.models import Application, Entry, EntryKind, OutcomeEvidence, Provenance
from learnloop.knowledge.permissions import require_edit
from learnloop.knowledge.references import ENTRY
from learnloop.knowledge.services import add_provenance, create_entry
from learnloop.links.registry import Outcome, is_known
from learnloop.links.registry import outcome as read_outcome
from learnloop.org.models import Team

CHECK = "actions.check"
ACTION = "actions.action"
FLAGGED_KINDS = (EntryKind.LESSON, EntryKind.PLAYBOOK)
EFFECT_WORDS = {"worked": "it worked", "did_not_work": "it did not work", "unknown": "we can't tell"}


def _now(at):
    return at or timezone.now()


def answered_check(*, viewer, action_id) -> Outcome:
    """The answered check of an action the viewer may see, or a ValidationError on `action`
    (not found, not visible and not answered read the same)."""
    found = read_outcome(viewer, CHECK, str(action_id or "").strip())
    if found is None:
        raise ValidationError(
            {"action": gettext("No answered effectiveness check on an action you can see with this id.")}
        )
    return found


def _refresh_marks(entry: Entry, *, at: datetime | None = None) -> None:
    """Verified by outcome while the most recently answered evidence says it worked."""
    latest = entry.outcomes.order_by("-checked_at", "-updated_at", "-id").first()
    verified = latest is not None and latest.effect == "worked"
    if verified and entry.verified_by_outcome_at is None:
        entry.verified_by_outcome_at = latest.checked_at or _now(at)
    elif not verified:
        entry.verified_by_outcome_at = None
    entry.save(update_fields=["verified_by_outcome_at"])


def _flag(entry: Entry, *, outcome: Outcome, at: datetime | None) -> None:
    if entry.kind not in FLAGGED_KINDS or entry.obsolete_at is not None:
        return
    when = _now(at)
    # No action title in the flag: a reader of the lesson may not see the action (the evidence
    # list shows it, as a link, to those who may).
    entry.review_flag = f"An action taken on it was checked on {when:%d %b %Y}: it did not work."
    entry.review_flagged_at = when
    entry.save(update_fields=["review_flag", "review_flagged_at"])
    record_activity(
        verb="flagged_for_review",
        subject=entry,
        actor=None,
        team=entry.owner_team,
        data={"source_type": outcome.target.type, "source_id": outcome.target.id},
        at=when,
    )


def _keep(entry: Entry, *, outcome: Outcome, by, at: datetime | None) -> OutcomeEvidence:
    now = _now(at)
    evidence, _ = OutcomeEvidence.objects.update_or_create(
        entry=entry,
        source_type=outcome.target.type,
        source_id=outcome.target.id,
        defaults={
            "label": outcome.target.title[:300],
            "effect": outcome.effect,
            "evidence": outcome.evidence,
            "checked_at": outcome.checked_at,
            "updated_at": now,
        },
        create_defaults={
            "label": outcome.target.title[:300],
            "effect": outcome.effect,
            "evidence": outcome.evidence,
            "checked_at": outcome.checked_at,
            "added_by": by,
            "added_at": now,
            "updated_at": now,
        },
    )
    # Evidence is also where the entry came from: the action's page lists it back.
    add_provenance(
        entry=entry, source_type=outcome.target.type, source_id=outcome.target.id, label=outcome.target.title
    )
    _refresh_marks(entry, at=at)
    if outcome.effect == "did_not_work":
        _flag(entry, outcome=outcome, at=at)
    return evidence


def evidence_text(outcome: Outcome) -> str:
    lines = [f"Outcome: {EFFECT_WORDS.get(outcome.effect, outcome.effect)} ({outcome.target.title})."]
    if outcome.evidence:
        lines += ["", outcome.evidence]
    return "\n".join(lines)


def lesson_from_outcome(*, by, action_id, title: str, body: str = "", at: datetime | None = None) -> Entry:
    """A new lesson from an answered check: owned by the action's team (or the person when the
    action has none), with provenance to the check and to where the action came from, and the
    answer kept as its first evidence."""
    outcome = answered_check(viewer=by, action_id=action_id)
    title = " ".join(str(title or "").split())
    if not title:
        raise ValidationError({"title": gettext("Give the lesson a title: what did the team learn?")})
    body = str(body or "").strip() or evidence_text(outcome)
    provenance = [(outcome.target.type, outcome.target.id, outcome.target.title)]
    provenance += [(t, i, f"{t} {i}") for t, i in outcome.sources if is_known(t)]
    team = Team.objects.filter(pk=outcome.team_id).first() if outcome.team_id else None
    with transaction.atomic():
        entry = create_entry(
            by=by,
            kind=EntryKind.LESSON,
            title=title,
            body=body,
            owner_team=team,
            teams=[team] if team else [],
            provenance=provenance,
            at=at,
        )
        _keep(entry, outcome=outcome, by=by, at=at)
        record_activity(
            verb="outcome_added",
            subject=entry,
            actor=by,
            team=entry.owner_team,
            data={"source_type": outcome.target.type, "source_id": outcome.target.id, "effect": outcome.effect},
            at=_now(at),
        )
    return entry


def add_outcome(*, by, entry: Entry, action_id, at: datetime | None = None) -> OutcomeEvidence:
    """Keep an answered check as evidence for an existing entry (those who may edit it)."""
    require_edit(by, entry)
    if entry.obsolete_at is not None:
        raise ValidationError({"entry": gettext("This entry is obsolete; restore it before adding evidence.")})
    outcome = answered_check(viewer=by, action_id=action_id)
    with transaction.atomic():
        evidence = _keep(entry, outcome=outcome, by=by, at=at)
        record_activity(
            verb="outcome_added",
            subject=entry,
            actor=by,
            team=entry.owner_team,
            data={"source_type": outcome.target.type, "source_id": outcome.target.id, "effect": outcome.effect},
            at=_now(at),
        )
        search.entry_changed(entry.pk)
    return evidence


def entries_taken_on(outcome: Outcome) -> list[Entry]:
    """The entries the checked action was taken on (see the module's docstring)."""
    action_id = outcome.target.id
    kept = OutcomeEvidence.objects.filter(source_type=CHECK, source_id=action_id).values("entry_id")
    applied = Application.objects.filter(context_type=ACTION, context_id=action_id).values("entry_id")
    came = Provenance.objects.filter(Q(source_type=ACTION) | Q(source_type=CHECK), source_id=action_id).values(
        "entry_id"
    )
    from_lesson = [int(i) for t, i in outcome.sources if t == ENTRY and i.isdigit()]
    return list(
        Entry.objects.filter(Q(pk__in=kept) | Q(pk__in=applied) | Q(pk__in=came) | Q(pk__in=from_lesson))
        .distinct()
        .order_by("pk")
    )


def outcome_changed(*, outcome: Outcome, by, at: datetime | None = None) -> None:
    """A check was answered (again): entries keeping it follow the new answer; a "did not work"
    flags every lesson the action was taken on for review."""
    for entry in entries_taken_on(outcome):
        if OutcomeEvidence.objects.filter(entry=entry, source_type=CHECK, source_id=outcome.target.id).exists():
            _keep(entry, outcome=outcome, by=by, at=at)
        elif outcome.effect == "did_not_work":
            _flag(entry, outcome=outcome, at=at)
