"""The action and effectiveness-check types of the link registry (learnloop.links.registry),
and the outcome an answered check hands to other modules (the knowledge base turns it into
evidence for a lesson, through learnloop.links.signals.outcome_recorded).

An effectiveness check is the "did it work?" answer of a done action, so it is named by the
action's id and resolves only once answered."""

from django.urls import reverse

from learnloop.actions.models import Action, Effect
from learnloop.actions.permissions import visible_q
from learnloop.links.registry import LinkType, Outcome, Target, int_ids, register

ACTION = "actions.action"
CHECK = "actions.check"


def _action_target(action: Action) -> Target:
    return Target(ACTION, str(action.pk), f"Action: {action.title}", reverse("actions:detail", args=[action.pk]))


def check_target(action: Action) -> Target:
    label = Effect(action.effect).label if action.effect else "not answered"
    return Target(CHECK, str(action.pk), f"Check of “{action.title}”: {label}",
                  reverse("actions:detail", args=[action.pk]) + "#check")


def resolve_actions(viewer, ids: list[str]) -> dict[str, Target]:
    actions = Action.objects.filter(visible_q(viewer), pk__in=int_ids(ids)).only("pk", "title")
    return {str(a.pk): _action_target(a) for a in actions}


def resolve_checks(viewer, ids: list[str]) -> dict[str, Target]:
    actions = Action.objects.filter(visible_q(viewer), pk__in=int_ids(ids)).exclude(effect="").only(
        "pk", "title", "effect"
    )
    return {str(a.pk): check_target(a) for a in actions}


def outcome_of(action: Action) -> Outcome:
    sources = ((action.source_type, action.source_id),) if action.source_type else ()
    return Outcome(target=check_target(action), effect=action.effect, evidence=action.evidence,
                   checked_at=action.checked_at, sources=sources, team_id=action.team_id)


def read_outcome(viewer, object_id: str) -> Outcome | None:
    ids = int_ids([object_id])
    action = Action.objects.filter(visible_q(viewer), pk__in=ids).exclude(effect="").first() if ids else None
    return outcome_of(action) if action is not None else None


def register_types() -> None:
    register(LinkType(ACTION, "action", resolve_actions))
    register(LinkType(CHECK, "effectiveness check (a done action with its answer)", resolve_checks,
                      outcome=read_outcome))
