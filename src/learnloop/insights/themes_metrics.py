"""Theme figures for the metrics catalogue and dashboards (the catalogue itself lives elsewhere).

`recurrence_rate(scope, period)`: of the themes that came up in the period, the share that had
come up before it. Formula (docs/insights.md, "Theme recurrence rate"):

    active    = themes with at least one item dated in [period start, period end] (within scope)
    recurring = those of `active` with an item (within scope) dated before the period start
    rate      = |recurring| / |active|, or None when nothing came up in the period (missing, not 0)

`scope` is None (the whole organization) or a team: that team's items, and for a department the
items of every team below it too. Items without a team (organization-wide survey comments,
lessons of no team) count only for the organization. The figure counts every item, whoever may
open it: show it only to those who may see the scope's figures. `viewer=` restricts it to the
items a person may see instead, `items_q=` to the items of a filter (e.g.
themes_permissions.everyone_items_q(): what every reader may see).
"""

from dataclasses import dataclass
from datetime import date

from learnloop.insights.themes_models import ThemeItem
from learnloop.insights.themes_permissions import visible_items_q
from learnloop.org.models import Team


@dataclass(frozen=True)
class Recurrence:
    active: int
    recurring: int

    @property
    def rate(self) -> float | None:
        return self.recurring / self.active if self.active else None


def _team_and_below(team) -> set[int]:
    team_id = team if isinstance(team, int) else team.pk
    children: dict[int, list[int]] = {}
    for pk, parent in Team.objects.filter(parent__isnull=False).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, frontier = {team_id}, [team_id]
    while frontier:
        frontier = [child for parent in frontier for child in children.get(parent, ()) if child not in found]
        found.update(frontier)
    return found


def _items(scope, end: date, viewer, items_q=None):
    items = ThemeItem.objects.filter(theme__retired_at__isnull=True, on__lte=end)
    if scope is not None:
        items = items.filter(team_id__in=_team_and_below(scope))
    if viewer is not None:
        items = items.filter(visible_items_q(viewer))
    if items_q is not None:
        items = items.filter(items_q)
    return items.values_list("theme_id", "on")


def recurrence(scope, period: tuple[date, date], *, viewer=None) -> Recurrence:
    start, end = period
    active, earlier = set(), set()
    for theme_id, on in _items(scope, end, viewer):
        (active if on >= start else earlier).add(theme_id)
    return Recurrence(active=len(active), recurring=len(active & earlier))


def recurrence_by_period(scope, periods: list[tuple[date, date]], *, viewer=None,
                         items_q=None) -> list[Recurrence]:
    """`recurrence` for each of `periods` (oldest first, not overlapping, e.g. the dashboards'
    months), from one query: a theme is recurring in a period when its first item (in scope, seen
    by the viewer) is dated before the period's start."""
    if not periods:
        return []
    first_seen: dict[int, date] = {}
    active: list[set[int]] = [set() for _ in periods]
    for theme_id, on in _items(scope, periods[-1][1], viewer, items_q):
        if theme_id not in first_seen or on < first_seen[theme_id]:
            first_seen[theme_id] = on
        for position, (start, end) in enumerate(periods):
            if start <= on <= end:
                active[position].add(theme_id)
                break
    return [Recurrence(active=len(themes), recurring=sum(first_seen[theme] < start for theme in themes))
            for themes, (start, _) in zip(active, periods, strict=True)]


def recurrence_rate(scope, period: tuple[date, date], *, viewer=None) -> float | None:
    """Share of the period's themes that came up before it too; None when none came up."""
    return recurrence(scope, period, viewer=viewer).rate
