"""Diagrams in the link registry (learnloop.links.registry), so an action can name the diagram it
came from; and recurring themes, which a diagram can be attached to, for as long as the insights
app does not register them itself."""

from django.urls import reverse

from learnloop.insights.themes_models import Theme
from learnloop.insights.themes_permissions import visible_items_q
from learnloop.links.registry import LinkType, Target, int_ids, is_known, register
from learnloop.systems.diagram_models import Diagram
from learnloop.systems.diagram_permissions import visible_q

DIAGRAM = "systems.diagram"
THEME = "insights.theme"


def resolve_diagrams(viewer, ids: list[str]) -> dict[str, Target]:
    return {str(item.pk): Target(DIAGRAM, str(item.pk), f"Causal loop diagram: {item.title}",
                                 reverse("systems:diagram", args=[item.pk]))
            for item in Diagram.objects.filter(visible_q(viewer), pk__in=int_ids(ids)).only("pk", "title")}


def resolve_themes(viewer, ids: list[str]) -> dict[str, Target]:
    """A theme the viewer sees at least one item of (as the theme pages decide)."""
    wanted = int_ids(ids)
    seen = set(Theme.objects.filter(pk__in=wanted, retired_at__isnull=True, merged_into__isnull=True,
                                    items__in=_visible_items(viewer)).values_list("pk", flat=True))
    return {str(theme.pk): Target(THEME, str(theme.pk), f"Recurring theme: {theme.title}",
                                  reverse("insights:theme", args=[theme.pk]))
            for theme in Theme.objects.filter(pk__in=seen)}


def _visible_items(viewer):
    from learnloop.insights.themes_models import ThemeItem

    return ThemeItem.objects.filter(visible_items_q(viewer)).values("pk")


def register_types() -> None:
    register(LinkType(DIAGRAM, "causal loop diagram", resolve_diagrams))
    if not is_known(THEME):
        register(LinkType(THEME, "recurring theme", resolve_themes))
