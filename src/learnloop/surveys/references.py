"""The focus-area type of the link registry (learnloop.links.registry).

A focus area is seen by its team's members and leads, and by learning leads and admins (as the
team's released results are); it links to the team's trends, where focus areas are shown with
the lessons that came from them and were applied in them."""

from django.urls import reverse

from learnloop.links.registry import LinkType, Target, backlinks, int_ids, register
from learnloop.surveys.models import FocusArea
from learnloop.surveys.permissions import sees_every_team, viewer_team_ids

FOCUS_AREA = "surveys.focus_area"


def resolve_focus_areas(viewer, ids: list[str]) -> dict[str, Target]:
    areas = FocusArea.objects.filter(pk__in=int_ids(ids)).select_related("campaign", "team")
    if not sees_every_team(viewer):
        areas = areas.filter(team_id__in=viewer_team_ids(viewer))
    return {
        str(f.pk): Target(FOCUS_AREA, str(f.pk),
                          f"Focus area: {f.dimension_name} ({f.team.name}, {f.campaign.name})",
                          reverse("surveys:trends") + f"?team={f.team_id}#focus-{f.pk}")
        for f in areas
    }


def focus_lessons(focus_areas, *, viewer) -> list:
    """The focus areas, each with `.lessons_here` (learnloop.links Backlinks): two queries for all."""
    focus_areas = list(focus_areas)
    found = backlinks(viewer, [(FOCUS_AREA, str(f.pk)) for f in focus_areas])
    for focus in focus_areas:
        focus.lessons_here = found[(FOCUS_AREA, str(focus.pk))]
    return focus_areas


def register_types() -> None:
    register(LinkType(FOCUS_AREA, "focus area", resolve_focus_areas))
