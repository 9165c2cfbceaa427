"""Stock-and-flow models in the link registry (learnloop.links.registry), so an action turned
from a scenario names the model it came from and links back to it."""

from django.urls import reverse
from django.utils.translation import gettext_noop

from learnloop.links.registry import LinkType, Target, int_ids, register
from learnloop.systems.stockflow_models import StockFlowModel
from learnloop.systems.stockflow_permissions import can_view

STOCKFLOW_MODEL = "systems.stockflowmodel"


def resolve_models(viewer, ids: list[str]) -> dict[str, Target]:
    if not can_view(viewer):
        return {}
    return {str(item.pk): Target(STOCKFLOW_MODEL, str(item.pk), f"Stock-and-flow model: {item.name}",
                                 reverse("systems:stockflow_detail", args=[item.pk]))
            for item in StockFlowModel.objects.filter(pk__in=int_ids(ids)).only("pk", "name")}


def register_types() -> None:
    register(LinkType(STOCKFLOW_MODEL, gettext_noop("stock-and-flow model"), resolve_models))
