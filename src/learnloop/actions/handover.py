"""What people own in the action engine, registered with org.ownership (see actions/apps.py):
open actions and scheduled effectiveness checks. Handing over is one UPDATE per kind plus one
activity event per action, so each action's history says who took it over."""

from django.db.models import Count

from learnloop.actions.models import ACTIVE_STATUSES, Action, Status
from learnloop.activity.services import record_activity
from learnloop.org.ownership import OwnedKind, register


def _open_actions():
    return Action.objects.filter(status__in=ACTIVE_STATUSES)


def _pending_checks():
    return Action.objects.filter(status=Status.DONE, effect="", check_on__isnull=False)


def _counts(queryset, person_ids) -> dict[int, int]:
    rows = queryset.filter(owner_id__in=list(person_ids)).values("owner_id").annotate(n=Count("id"))
    return {row["owner_id"]: row["n"] for row in rows.order_by()}


def _hand_over(queryset, *, from_person, to_person, at) -> int:
    actions = list(queryset.filter(owner=from_person).select_related("team"))
    if not actions:
        return 0
    Action.objects.filter(pk__in=[action.pk for action in actions]).update(owner=to_person, updated_at=at)
    for action in actions:
        record_activity(verb="handed_over", subject=action, actor=None, team=action.team, at=at,
                        data={"from": from_person.pk, "to": to_person.pk})
    return len(actions)


def register_kinds() -> None:
    register(OwnedKind(
        key="actions.open", label="Open actions", order=20,
        count_by_owner=lambda ids: _counts(_open_actions(), ids),
        hand_over=lambda **kw: _hand_over(_open_actions(), **kw),
    ))
    register(OwnedKind(
        key="actions.checks", label="Effectiveness checks to answer", order=21,
        count_by_owner=lambda ids: _counts(_pending_checks(), ids),
        hand_over=lambda **kw: _hand_over(_pending_checks(), **kw),
    ))
