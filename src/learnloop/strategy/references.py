"""The strategy's types in the link registry (learnloop.links.registry): objectives and
initiatives are organization-wide (permissions.can_view), so anyone active may cite them."""

from django.urls import reverse

from learnloop.links.registry import LinkType, Target, int_ids, register
from learnloop.strategy.models import Initiative, Objective
from learnloop.strategy.permissions import can_view

INITIATIVE = "strategy.initiative"
OBJECTIVE = "strategy.objective"


def resolve_initiatives(viewer, ids: list[str]) -> dict[str, Target]:
    if not can_view(viewer):
        return {}
    return {str(item.pk): Target(INITIATIVE, str(item.pk), f"Initiative: {item.title}",
                                 reverse("strategy:initiative", args=[item.pk]))
            for item in Initiative.objects.filter(pk__in=int_ids(ids)).only("pk", "title")}


def resolve_objectives(viewer, ids: list[str]) -> dict[str, Target]:
    if not can_view(viewer):
        return {}
    return {str(item.pk): Target(OBJECTIVE, str(item.pk), f"Objective: {item.title}",
                                 reverse("strategy:objective", args=[item.pk]))
            for item in Objective.objects.filter(pk__in=int_ids(ids)).only("pk", "title")}


def register_types() -> None:
    register(LinkType(INITIATIVE, "initiative", resolve_initiatives))
    register(LinkType(OBJECTIVE, "objective", resolve_objectives))
