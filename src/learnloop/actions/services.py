"""Every change to an action. Each checks permissions, runs in one transaction and records an
activity event.

Backfilling history (the demo, imports): every function takes `at=`, the moment the change
happened; created_at, started_at, closed_at, checked_at, the comment's time and the activity
event all use it, and "a future date" for a scheduled check is judged against it.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.actions import permissions
from learnloop.actions.models import (
    ACTIVE_STATUSES,
    Action,
    ActionComment,
    Effect,
    EvidenceProposal,
    Priority,
    Status,
    TeamActionPolicy,
)
from learnloop.actions.references import outcome_of
from learnloop.actions.repeats import check_repeat_of
from learnloop.activity.services import record_activity
from learnloop.links.registry import clean_reference
from learnloop.links.signals import outcome_recorded

EDITABLE_FIELDS = ("title", "description", "owner", "team", "due_on", "priority")
MAX_TITLE = 300
MAX_TEXT = 20_000


# --- helpers ------------------------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _require_actor(by) -> None:
    if not (by and by.is_authenticated and by.is_active):
        raise ValidationError(gettext("Actions are changed by an active, signed-in person."))


def _clean_title(title) -> str:
    title = " ".join(str(title or "").split())
    if not title:
        raise ValidationError({"title": gettext("An action needs a title: what will be done?")})
    if len(title) > MAX_TITLE:
        raise ValidationError({"title": gettext("Keep the title under %(max)s characters.") % {"max": MAX_TITLE}})
    return title


def _clean_text(value, *, field: str) -> str:
    value = str(value or "").strip()
    if len(value) > MAX_TEXT:
        raise ValidationError({field: gettext("Keep this under %(max)s characters.") % {"max": MAX_TEXT}})
    return value


def _check_owner(owner) -> None:
    if owner is not None and not owner.is_active:
        raise ValidationError(
            {"owner": gettext("%(person)s is deactivated; choose an active owner.") % {"person": owner}}
        )


def _check_team(team) -> None:
    if team is not None and team.is_archived:
        raise ValidationError({"team": gettext("%(team)s is archived; choose an active team.") % {"team": team}})


def _clean_source_url(url) -> str:
    # Shown as a link: only a path inside Learnloop or an http(s) address, never "javascript:".
    url = str(url or "").strip()
    if url and not (url.startswith(("https://", "http://")) or (url.startswith("/") and not url.startswith("//"))):
        raise ValidationError(
            {"source_url": gettext("A source link is a path like /sessions/42/ or an http(s) address.")}
        )
    if len(url) > 500:
        raise ValidationError({"source_url": gettext("Keep the source link under 500 characters.")})
    return url


def _check_priority(priority) -> None:
    if priority not in Priority.values:
        raise ValidationError({"priority": f"Priority must be one of: {', '.join(Priority.values)}."})


def _check_effect(effect) -> None:
    if effect not in Effect.values:
        raise ValidationError({"effect": gettext("Say whether it worked: worked, did_not_work or unknown.")})


def _event(action: Action, *, verb: str, by, at: datetime | None, data: dict | None = None) -> None:
    record_activity(verb=verb, subject=action, actor=by, team=action.team, data=data or {}, at=_now(at))


def _save(action: Action, *, at: datetime | None) -> None:
    action.updated_at = _now(at)
    # Field validation here; the invariants (a declined action has a reason, a closed one a date...)
    # are checked by each service first and enforced again by the database's CHECK constraints, so
    # Django's per-constraint validation queries (ten per save) would only repeat them.
    action.full_clean(
        exclude=["owner", "team", "created_by", "closed_by", "checked_by", "repeat_of"],
        validate_unique=False,
        validate_constraints=False,
    )
    action.save()


def _lock(action: Action) -> Action:
    """Re-read the action inside the transaction, so two clicks on "Done" can't both pass."""
    return Action.objects.select_for_update().get(pk=action.pk)


def _tell_outcome(action: Action, *, by, at: datetime | None) -> None:
    """Hand an answered check to whoever listens (the knowledge base keeps it as a lesson's
    evidence, and flags the lessons a "did not work" contradicts), in this transaction."""
    outcome_recorded.send(sender=Action, outcome=outcome_of(action), by=by, at=_now(at))


def _sync(target: Action, source: Action) -> Action:
    for field in Action._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


# --- creating and editing -----------------------------------------------------------------------


def create_action(
    *,
    by,
    title,
    owner=None,
    team=None,
    due_on: date | None = None,
    priority: str = Priority.NORMAL,
    description: str = "",
    source_type: str = "",
    source_id="",
    source_label: str = "",
    source_url: str = "",
    repeat_of: Action | None = None,
    at: datetime | None = None,
) -> Action:
    """Record an action. Without an owner and without a team, the creator owns it. `repeat_of`:
    the earlier action this one agrees again ("this is the same as #123", actions/repeats.py)."""
    _require_actor(by)
    if owner is None and team is None:
        owner = by
    permissions.require_create(by, team=team, owner=owner)
    _check_owner(owner)
    _check_team(team)
    _check_priority(priority)
    source_type, source_id = str(source_type or "").strip(), str(source_id or "").strip()
    if bool(source_type) != bool(source_id):
        raise ValidationError({"source_type": gettext("Name a source with both its type and its id, or neither.")})
    if source_type:
        # A typed reference to something the creator may see (learnloop.links); its title and
        # page fill in the label and link when none are given.
        target = clean_reference(
            by, type_key=source_type, object_id=source_id, type_field="source_type", id_field="source_id"
        )
        source_label = source_label or target.title
        source_url = source_url or target.url
    check_repeat_of(by, repeat_of)
    now = _now(at)
    if repeat_of is not None and repeat_of.created_at > now:
        raise ValidationError({"repeat_of": gettext("Link to an earlier action: that one was agreed after this one.")})
    action = Action(
        title=_clean_title(title),
        description=_clean_text(description, field="description"),
        owner=owner,
        team=team,
        due_on=due_on,
        priority=priority,
        created_by=by,
        created_at=now,
        source_type=source_type,
        source_id=source_id,
        source_label=str(source_label or "").strip()[:300],
        source_url=_clean_source_url(source_url),
        repeat_of=repeat_of,
    )
    data = {"source_type": source_type} if source_type else {}
    if repeat_of is not None:
        data["repeat_of"] = repeat_of.pk
    with transaction.atomic():
        _save(action, at=now)
        _event(action, verb="created", by=by, at=now, data=data or None)
    return action


def update_action(*, by, action: Action, at: datetime | None = None, **fields) -> Action:
    """Change any of title, description, owner, team, due_on, priority."""
    _require_actor(by)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields can't be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        current = _lock(action)
        permissions.require_change(by, current)
        if "team" in fields and fields["team"] != current.team:
            _check_team(fields["team"])
            # Moving an action to another team is deciding for that team: only its leads may.
            if fields["team"] is not None and not permissions.can_manage_team_actions(by, fields["team"]):
                raise ValidationError(
                    {
                        "team": gettext("Only facilitators of %(team)s can move actions to it.")
                        % {"team": fields["team"]}
                    }
                )
        if "owner" in fields and fields["owner"] != current.owner:
            _check_owner(fields["owner"])
            target_team = fields.get("team", current.team)
            if (
                fields["owner"] is not None
                and fields["owner"].pk != by.pk
                and not (permissions.can_manage_team_actions(by, target_team) or by.pk == current.owner_id)
            ):
                raise ValidationError(
                    {"owner": gettext("Only the owner or the team's facilitators can hand an action on.")}
                )
        if "title" in fields:
            fields["title"] = _clean_title(fields["title"])
        if "description" in fields:
            fields["description"] = _clean_text(fields["description"], field="description")
        if "priority" in fields:
            _check_priority(fields["priority"])
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if not changed:
            return _sync(action, current)
        for name, value in fields.items():
            setattr(current, name, value)
        _save(current, at=at)
        _event(current, verb="updated", by=by, at=at, data={"fields": changed})
    return _sync(action, current)


# --- status changes -----------------------------------------------------------------------------


def start_action(*, by, action: Action, at: datetime | None = None) -> Action:
    """Open → in progress."""
    _require_actor(by)
    with transaction.atomic():
        current = _lock(action)
        permissions.require_change(by, current)
        if current.status != Status.OPEN:
            state = current.get_status_display().lower()
            raise ValidationError(
                {"status": gettext("Only an open action can be started; this one is %(state)s.") % {"state": state}}
            )
        current.status = Status.IN_PROGRESS
        current.started_at = _now(at)
        _save(current, at=at)
        _event(current, verb="started", by=by, at=at)
    return _sync(action, current)


def complete_action(
    *,
    by,
    action: Action,
    effect: str | None = None,
    evidence: str = "",
    check_on: date | None = None,
    at: datetime | None = None,
) -> Action:
    """Mark done, answering "did it work?" now (effect + evidence) or on a future check date."""
    _require_actor(by)
    now = _now(at)
    evidence = _clean_text(evidence, field="evidence")
    if effect and check_on:
        raise ValidationError(
            {"check_on": gettext("Answer whether it worked now, or pick a date to check — not both.")}
        )
    if not effect and not check_on:
        raise ValidationError({"effect": gettext("Did it work? Answer now, or pick a date to check.")})
    if effect:
        _check_effect(effect)
    elif check_on <= timezone.localdate(now):
        raise ValidationError({"check_on": gettext("Pick a check date after today.")})
    elif evidence:
        raise ValidationError({"evidence": gettext("Evidence comes with the answer; add it when the check is done.")})
    with transaction.atomic():
        current = _lock(action)
        permissions.require_change(by, current)
        if current.status not in ACTIVE_STATUSES:
            raise ValidationError(
                {
                    "status": gettext("This action is already %(status)s.")
                    % {"status": str(current.get_status_display()).lower()}
                }
            )
        current.status = Status.DONE
        current.closed_at = now
        current.closed_by = by
        if effect:
            current.effect, current.evidence, current.checked_at, current.checked_by = effect, evidence, now, by
        else:
            current.check_on = check_on
        _save(current, at=now)
        _event(
            current,
            verb="closed",
            by=by,
            at=now,
            data={"effect": effect} if effect else {"check_on": check_on.isoformat()},
        )
        if effect:
            _event(current, verb="checked", by=by, at=now, data={"effect": effect})
            _tell_outcome(current, by=by, at=now)
    return _sync(action, current)


def record_effectiveness(*, by, action: Action, effect: str, evidence: str = "", at: datetime | None = None) -> Action:
    """Answer "did it work?" for a done action (a scheduled check, or a correction of an earlier answer)."""
    _require_actor(by)
    _check_effect(effect)
    evidence = _clean_text(evidence, field="evidence")
    now = _now(at)
    with transaction.atomic():
        current = _lock(action)
        permissions.require_change(by, current)
        if current.status != Status.DONE:
            raise ValidationError({"status": gettext("Only a done action can be checked for effect.")})
        current.effect, current.evidence, current.checked_at, current.checked_by = effect, evidence, now, by
        _save(current, at=now)
        _event(current, verb="checked", by=by, at=now, data={"effect": effect})
        _tell_outcome(current, by=by, at=now)
    return _sync(action, current)


def decline_action(*, by, action: Action, reason: str, at: datetime | None = None) -> Action:
    """Decide not to do it, and say why."""
    _require_actor(by)
    reason = _clean_text(reason, field="reason")
    if not reason:
        raise ValidationError({"reason": gettext("Say why this action won't be done.")})
    now = _now(at)
    with transaction.atomic():
        current = _lock(action)
        permissions.require_change(by, current)
        if current.status not in ACTIVE_STATUSES:
            raise ValidationError(
                {
                    "status": gettext("This action is already %(status)s.")
                    % {"status": str(current.get_status_display()).lower()}
                }
            )
        current.status = Status.NOT_DOING
        current.not_doing_reason = reason
        current.closed_at = now
        current.closed_by = by
        _save(current, at=now)
        _event(current, verb="declined", by=by, at=now)
    return _sync(action, current)


def reopen_action(*, by, action: Action, at: datetime | None = None) -> Action:
    """Back to open. Its earlier answer or scheduled check goes: it will be asked again when done."""
    _require_actor(by)
    with transaction.atomic():
        current = _lock(action)
        permissions.require_change(by, current)
        if current.status in ACTIVE_STATUSES:
            raise ValidationError({"status": gettext("This action is still open.")})
        previous = current.status
        current.status = Status.OPEN
        current.started_at = None
        current.closed_at = current.closed_by = None
        current.not_doing_reason = ""
        current.effect, current.evidence, current.check_on = "", "", None
        current.checked_at = current.checked_by = None
        _save(current, at=at)
        _event(current, verb="reopened", by=by, at=at, data={"was": previous})
    return _sync(action, current)


def add_comment(*, by, action: Action, body: str, at: datetime | None = None) -> ActionComment:
    _require_actor(by)
    permissions.require_view(by, action)
    body = _clean_text(body, field="body")
    if not body:
        raise ValidationError({"body": gettext("Write a comment first.")})
    now = _now(at)
    with transaction.atomic():
        comment = ActionComment.objects.create(action=action, author=by, body=body, created_at=now)
        _event(action, verb="commented", by=by, at=now, data={"comment": comment.pk})
    return comment


# --- evidence offered by other modules -------------------------------------------------------------


def propose_evidence(
    *,
    action: Action,
    source_type: str,
    source_id,
    source_label: str,
    text: str,
    source_url: str = "",
    figures: dict | None = None,
    at: datetime | None = None,
) -> EvidenceProposal:
    """Offer evidence for the action's "did it work?" (a system write: the platform proposes, no
    person acts). Offering the same source again returns the earlier proposal unchanged."""
    source_type, source_id = str(source_type).strip(), str(source_id).strip()
    if not source_type or not source_id:
        raise ValidationError({"source_type": gettext("A proposal names its source's type and id.")})
    text = _clean_text(text, field="text")
    if not text:
        raise ValidationError({"text": gettext("A proposal needs the evidence it offers.")})
    now = _now(at)
    with transaction.atomic():
        proposal, created = EvidenceProposal.objects.get_or_create(
            action=action,
            source_type=source_type,
            source_id=source_id,
            defaults={
                "source_label": str(source_label or "").strip()[:300],
                "text": text,
                "source_url": _clean_source_url(source_url),
                "figures": figures or {},
                "proposed_at": now,
            },
        )
        if created:
            _event(action, verb="evidence_proposed", by=None, at=now, data={"source_type": source_type})
    return proposal


def accept_evidence(*, by, proposal: EvidenceProposal, effect: str, at: datetime | None = None) -> Action:
    """Take a proposal as the evidence of the check, answering "did it work?" with `effect`: an
    open action is marked done with it, a done one has it added to its evidence."""
    _require_actor(by)
    _check_effect(effect)
    now = _now(at)
    with transaction.atomic():
        current = EvidenceProposal.objects.select_for_update().select_related("action").get(pk=proposal.pk)
        action = current.action
        permissions.require_change(by, action)
        if current.accepted_at is not None:
            raise ValidationError({"proposal": gettext("This evidence has already been accepted.")})
        if action.status == Status.NOT_DOING:
            raise ValidationError(
                {"status": gettext("This action is not being done, so there is no check to add it to.")}
            )
        if action.status in ACTIVE_STATUSES:
            action = complete_action(by=by, action=action, effect=effect, evidence=current.text, at=now)
        else:
            evidence = "\n\n".join(part for part in (action.evidence.strip(), current.text) if part)
            action = record_effectiveness(by=by, action=action, effect=effect, evidence=evidence, at=now)
        current.accepted_at, current.accepted_by = now, by
        current.save(update_fields=["accepted_at", "accepted_by"])
        _event(action, verb="evidence_accepted", by=by, at=now, data={"proposal": current.pk})
    proposal.accepted_at, proposal.accepted_by = current.accepted_at, current.accepted_by
    return action


# --- team rules ---------------------------------------------------------------------------------


def policy_for(team) -> TeamActionPolicy:
    """The team's overdue rule; an unsaved one with the defaults when it has none."""
    if team is None:
        return TeamActionPolicy()
    policy = TeamActionPolicy.objects.filter(team=team).first()
    return policy or TeamActionPolicy(team=team)


def set_team_policy(*, by, team, overdue_grace_days: int, remind_days_before: int) -> TeamActionPolicy:
    _require_actor(by)
    permissions.require_manage_team(by, team)
    if not 0 <= overdue_grace_days <= 90:
        raise ValidationError({"overdue_grace_days": gettext("Grace days must be between 0 and 90.")})
    if not 0 <= remind_days_before <= 60:
        raise ValidationError({"remind_days_before": gettext("Remind between 0 and 60 days before the due date.")})
    with transaction.atomic():
        policy, _ = TeamActionPolicy.objects.update_or_create(
            team=team,
            defaults={
                "overdue_grace_days": overdue_grace_days,
                "remind_days_before": remind_days_before,
                "updated_at": timezone.now(),
                "updated_by": by,
            },
        )
        record_activity(
            verb="action_policy_changed",
            subject=team,
            actor=by,
            team=team,
            data={"overdue_grace_days": overdue_grace_days, "remind_days_before": remind_days_before},
        )
    return policy
