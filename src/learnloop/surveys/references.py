"""The focus-area type of the link registry (learnloop.links.registry).

A focus area is seen by its team's members and leads, and by learning leads and admins (as the
team's released results are); it links to its campaign's report."""

from django.urls import reverse

from learnloop.links.registry import LinkType, Target, int_ids, register
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
                          reverse("surveys:report", args=[f.campaign_id]) + f"#focus-{f.pk}")
        for f in areas
    }


def register_types() -> None:
    register(LinkType(FOCUS_AREA, "focus area", resolve_focus_areas))
