"""Every read the strategy pages, the API and the seven steps need, with related rows loaded up
front (a fixed number of queries whatever the number of objectives, key results or initiatives)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from learnloop.analytics import key_results as kr_math
from learnloop.analytics import learning_metrics as catalogue
from learnloop.insights import metric_texts
from learnloop.links import registry
from learnloop.org.models import Team
from learnloop.strategy.models import (
    Initiative,
    InitiativeLink,
    KeyResult,
    KeyResultValue,
    Objective,
    Spend,
    SpendKind,
)
from learnloop.strategy.permissions import can_view, require

HISTORY_POINTS = 12


@dataclass
class KeyResultView:
    key_result: KeyResult
    history: list  # KeyResultValue, oldest first
    latest: KeyResultValue | None
    outlook: kr_math.Outlook

    @property
    def metric(self):
        """The bound metric's definition, in the reader's language."""
        metric = catalogue.BY_KEY.get(self.key_result.metric_key)
        if metric is None:
            return None
        return metric_texts.metric_in_words({"key": metric.key, "name": metric.name, "unit": metric.unit,
                                             "formula": metric.formula, "source": metric.source,
                                             "caveats": metric.caveats})

    @property
    def confidence_label(self) -> str:
        return str(CONFIDENCE_LABELS.get(self.outlook.confidence, self.outlook.confidence))

    @property
    def direction_label(self) -> str:
        return str(DIRECTION_LABELS.get(self.outlook.direction, self.outlook.direction))


CONFIDENCE_LABELS = {"on track": gettext_lazy("on track"), "at risk": gettext_lazy("at risk"),
                     "off track": gettext_lazy("off track"), "no data": gettext_lazy("no data")}
DIRECTION_LABELS = {"up": gettext_lazy("up"), "down": gettext_lazy("down"), "flat": gettext_lazy("flat")}


def key_result_view(key_result: KeyResult, values: list, *, today: date) -> KeyResultView:
    values = sorted(values, key=lambda row: row.on)
    latest = next((row for row in reversed(values) if row.value is not None), values[-1] if values else None)
    objective = key_result.objective
    interval = (latest.low, latest.high) if latest is not None and latest.low is not None else None
    outlook = kr_math.outlook(latest.value if latest else None, baseline=key_result.baseline, target=key_result.target,
                              points=[(row.on, row.value) for row in values[-HISTORY_POINTS:]],
                              starts_on=objective.starts_on, ends_on=objective.ends_on, today=today,
                              interval=interval)
    return KeyResultView(key_result, values, latest, outlook)


@dataclass
class ObjectiveNode:
    objective: Objective
    key_results: list = field(default_factory=list)  # KeyResultView
    children: list = field(default_factory=list)  # ObjectiveNode
    initiatives: list = field(default_factory=list)

    @property
    def progress(self) -> float | None:
        made = [item.outlook.progress for item in self.key_results if item.outlook.progress is not None]
        return sum(made) / len(made) if made else None


def _objectives():
    return (Objective.objects.select_related("team", "owner", "parent")
            .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.select_related("scope_team")
                                       .prefetch_related("values")),
                              Prefetch("initiatives", queryset=Initiative.objects.only("pk", "title", "status"))))


def _node(objective: Objective, today: date) -> ObjectiveNode:
    return ObjectiveNode(objective, [key_result_view(item, list(item.values.all()), today=today)
                                     for item in objective.key_results.all()],
                         initiatives=list(objective.initiatives.all()))


def goal_tree(viewer, *, team: Team | None = None, today: date | None = None) -> list[ObjectiveNode]:
    """The objectives aligned in a tree (roots first). For a team: its objectives, those of the
    teams below it, and the objectives above them that they align with."""
    require(can_view(viewer), "Sign in to see the strategy.")
    today = today or timezone.localdate()
    objectives = list(_objectives())
    nodes = {objective.pk: _node(objective, today) for objective in objectives}
    if team is not None:
        below = _team_and_below(team)
        keep = set()
        for objective in objectives:
            if objective.team_id in below:
                node = objective
                while node is not None and node.pk not in keep:
                    keep.add(node.pk)
                    node = nodes[node.parent_id].objective if node.parent_id in nodes else None
        nodes = {pk: node for pk, node in nodes.items() if pk in keep}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.objective.parent_id)
        (parent.children if parent is not None else roots).append(node)
    order = {"organization": 0, "department": 1, "team": 2}
    for node in nodes.values():
        node.children.sort(key=lambda item: (order[item.objective.level], item.objective.title, item.objective.pk))
    roots.sort(key=lambda item: (order[item.objective.level], item.objective.title, item.objective.pk))
    return roots


def flatten(roots: list[ObjectiveNode]) -> list[tuple[int, ObjectiveNode]]:
    out = []

    def walk(node, depth):
        out.append((depth, node))
        for child in node.children:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return out


def _team_and_below(team: Team) -> set[int]:
    children = defaultdict(list)
    for pk, parent_id in Team.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found, stack = set(), [team.pk]
    while stack:
        current = stack.pop()
        found.add(current)
        stack.extend(children[current])
    return found


def objectives_list(viewer):
    require(can_view(viewer), "Sign in to see the strategy.")
    return Objective.objects.select_related("team", "owner").order_by("pk")


def objective_for(viewer, objective_id: int) -> Objective:
    require(can_view(viewer), "Sign in to see the strategy.")
    try:
        return _objectives().get(pk=objective_id)
    except Objective.DoesNotExist:
        raise Http404("No such objective.") from None


def key_results_list(viewer):
    require(can_view(viewer), "Sign in to see the strategy.")
    return (KeyResult.objects.select_related("objective", "objective__owner", "scope_team")
            .prefetch_related("values").order_by("pk"))


def key_result_for(viewer, key_result_id: int) -> KeyResult:
    require(can_view(viewer), "Sign in to see the strategy.")
    try:
        return key_results_list(viewer).get(pk=key_result_id)
    except KeyResult.DoesNotExist:
        raise Http404("No such key result.") from None


def key_result_detail(viewer, key_result_id: int, *, today: date | None = None) -> KeyResultView:
    key_result = key_result_for(viewer, key_result_id)
    return key_result_view(key_result, list(key_result.values.all()), today=today or timezone.localdate())


# --- roadmap ---------------------------------------------------------------------------------


@dataclass
class Budget:
    planned_person_days: float = 0.0
    planned_money: float = 0.0
    actual_person_days: float = 0.0
    actual_money: float = 0.0


def budget_of(initiative: Initiative) -> Budget:
    """Planned = the initiative's budget plus planned spend entries; actual = actual spend entries."""
    figures = Budget(float(initiative.budget_person_days), float(initiative.budget_money))
    for spend in initiative.spend.all():
        if spend.kind == SpendKind.ACTUAL:
            figures.actual_person_days += float(spend.person_days)
            figures.actual_money += float(spend.money)
        else:
            figures.planned_person_days += float(spend.person_days)
            figures.planned_money += float(spend.money)
    return figures


def _initiatives():
    return (Initiative.objects.select_related("team", "owner")
            .prefetch_related("objectives", "depends_on", "spend",
                              Prefetch("links", queryset=InitiativeLink.objects.order_by("pk"))))


def initiatives_list(viewer, *, team: Team | None = None, status: str = ""):
    """Initiatives by start date; for a team, its own and those of the teams below it."""
    require(can_view(viewer), "Sign in to see the strategy.")
    found = _initiatives()
    if team is not None:
        found = found.filter(team_id__in=_team_and_below(team))
    if status:
        found = found.filter(status=status)
    return found.order_by("starts_on", "title", "pk")


def initiative_for(viewer, initiative_id: int) -> Initiative:
    require(can_view(viewer), "Sign in to see the strategy.")
    try:
        return _initiatives().get(pk=initiative_id)
    except Initiative.DoesNotExist:
        raise Http404("No such initiative.") from None


def links_of(viewer, initiatives) -> dict[int, list]:
    """{initiative id: [Target]} the viewer may follow (one resolver call per link type)."""
    rows = [(initiative.pk, link) for initiative in initiatives for link in initiative.links.all()]
    targets = registry.resolve(viewer, [(link.target_type, link.target_id) for _, link in rows])
    found = defaultdict(list)
    for initiative_id, link in rows:
        target = targets.get((link.target_type, link.target_id))
        if target is not None:
            found[initiative_id].append((link, target))
    return found


def timeline(initiatives) -> dict:
    """The roadmap chart's rows (also its data table): one bar per initiative from start to end."""
    rows = []
    for initiative in initiatives:
        figures = budget_of(initiative)
        rows.append({"id": initiative.pk, "title": initiative.title, "team": initiative.team.name
                     if initiative.team else "Organization", "status": initiative.status,
                     "start": initiative.starts_on.isoformat(), "end": initiative.ends_on.isoformat(),
                     "depends_on": [item.pk for item in initiative.depends_on.all()],
                     "planned_person_days": figures.planned_person_days,
                     "actual_person_days": figures.actual_person_days})
    return {"rows": rows}


def spend_list(viewer, initiative: Initiative):
    return Spend.objects.filter(initiative=initiative).select_related("recorded_by").order_by("on", "pk")


def values_list(viewer, key_result: KeyResult):
    return KeyResultValue.objects.filter(key_result=key_result).order_by("on", "pk")
