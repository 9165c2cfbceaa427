"""The only way survey results reach a viewer: which groups may be shown, decided once per campaign.

Groups come from a fixed set of cuts taken at launch: every node of the team hierarchy (the
whole organization, departments, teams), alone or crossed with one or two of the attributes the
campaign records (tenure band and role by default; any the organization defines, chosen at
launch). `compute_release` asks the disclosure engine
(`learnloop.analytics.disclosure`, see docs/anonymity.md) which of them may be shown so that no
combination of shown groups singles out fewer than k respondents; the decision is made when
the campaign closes, over every group any viewer could ask for, so all viewers (admins
included) get subsets of one safe release, and asking again or in another order changes nothing.
"""

import random
from dataclasses import dataclass
from itertools import combinations

from learnloop.analytics import disclosure as engine
from learnloop.surveys.models import Campaign, Comment, Response

ORGANIZATION = "org"
# What campaigns launched before attributes could be chosen record; see `recorded(campaign)`.
ATTRIBUTES = (("tenure", "Tenure"), ("role", "Role"))


@dataclass(frozen=True)
class GroupKey:
    """A group as a URL-safe string: "org" or a team id, then ";name=value" conditions such as ";tenure=…"."""

    node: str
    conditions: tuple[tuple[str, str], ...] = ()

    def __str__(self):
        return self.node + "".join(f";{name}={value}" for name, value in self.conditions)

    @classmethod
    def parse(cls, text: str) -> "GroupKey":
        node, *rest = str(text or ORGANIZATION).split(";")
        conditions = tuple(tuple(part.split("=", 1)) for part in rest if "=" in part)
        return cls(node, tuple(sorted(conditions)))


def _attribute_values(campaign: Campaign):
    """The attribute values stored with this campaign's responses (generalized at launch)."""
    from learnloop.surveys.attributes import attribute_values

    return attribute_values(campaign.generalization)


def recorded(campaign: Campaign) -> list[tuple[str, str]]:
    """[(key, label)] of the attributes the campaign records, in its order."""
    from learnloop.surveys.attributes import recorded_attributes

    return recorded_attributes(campaign.generalization)


def _paths(campaign: Campaign) -> dict[str, tuple[str, ...]]:
    return {team_id: tuple(path) for team_id, path in (campaign.hierarchy or {}).items()}


def respondent_cells(campaign: Campaign) -> list[tuple]:
    """One cell per response: (team path at launch, (value of each recorded attribute))."""
    from learnloop.surveys.attributes import response_record

    paths = _paths(campaign)
    generalization = campaign.generalization
    rows = Response.objects.filter(campaign=campaign).values_list("team_key", "tenure", "role", "attributes")
    cells = []
    for team_key, tenure, role, extra in rows:
        _, *values = response_record(generalization, team_key, tenure, role, extra)
        cells.append((paths.get(team_key, ()), tuple(values)))
    return cells


def compute_release(campaign: Campaign) -> dict:
    """{group key: {"label", "released", "size" (only when released), "reason"}} for every cut."""
    k = campaign.threshold
    cells = respondent_cells(campaign)
    paths = _paths(campaign)
    node_ids = {path: team_id for team_id, path in paths.items()}
    node_ids[()] = ORGANIZATION
    values = _attribute_values(campaign)
    chosen = recorded(campaign)
    attributes = [engine.Attribute(label, values.get(name, ())) for name, label in chosen]
    counts = engine.cell_counts(cells)
    nodes = sorted({()} | {path[:depth] for path in paths.values() for depth in range(1, len(path) + 1)},
                   key=lambda node: (len(node), node))
    # When every cell holds k or more (the generalization at close sees to it), every non-empty
    # group is large enough and released, so the released sizes already tell which groups are
    # empty: leaving the empty attribute cuts out reveals nothing, and they are ~99 % of the cuts
    # with five attributes (860,000 at 50,000 people). Every team and department stays listed
    # (withheld with its reason when empty). Otherwise an empty group must look like a small one
    # (withheld, "fewer than k"), so all stay.
    every_cell_large = min(counts.values(), default=0) >= k
    listed_nodes = [node for node in nodes if node in node_ids]
    groups = engine.breakdowns(counts.keys(), attributes, max_conditions=2, nodes=listed_nodes,
                               empty=not every_cell_large)
    if every_cell_large:
        groups += engine.breakdowns(counts.keys(), attributes, max_conditions=0, nodes=listed_nodes)
    audit = engine.decide(counts, groups, k=k)
    release = {}
    for decision in audit.decisions:
        node, conditions = decision.group.key
        named = tuple(sorted((chosen[position][0], value) for position, value in conditions))
        key = GroupKey(node_ids[node], named)
        release[str(key)] = {
            "label": decision.group.label,
            "released": decision.released,
            "size": decision.size if decision.released else None,
            "reason": "" if decision.released else decision.reason,
        }
    return release


# --- what one viewer may see -----------------------------------------------------------------------


def visible_nodes(campaign: Campaign, *, viewer, team_ids=None) -> set[str]:
    """Hierarchy nodes whose released groups the viewer may see: all for learning leads and admins;
    otherwise the organization, and their teams with the departments above them. `team_ids`:
    the viewer's teams (permissions.viewer_team_ids) when the caller has read them already."""
    from learnloop.surveys.permissions import sees_every_team, viewer_team_ids

    paths = _paths(campaign)
    if sees_every_team(viewer):
        return {ORGANIZATION, *paths}
    node_ids = {path: team_id for team_id, path in paths.items()}
    allowed = {ORGANIZATION}
    for team_id in viewer_team_ids(viewer) if team_ids is None else team_ids:
        path = paths.get(str(team_id))
        if path:
            allowed |= {node_ids[path[:depth]] for depth in range(1, len(path) + 1) if path[:depth] in node_ids}
    return allowed


def groups_for(campaign: Campaign, *, viewer) -> list[tuple[GroupKey, dict]]:
    """Every group of the campaign's cuts the viewer may ask about, released or not (with reasons)."""
    if not campaign.release:
        return []
    nodes = visible_nodes(campaign, viewer=viewer)
    result = []
    for text, decision in campaign.release.items():
        key = GroupKey.parse(text)
        if key.node in nodes:
            result.append((key, decision))
    return result


def released_group(campaign: Campaign, key: GroupKey, *, viewer) -> dict | None:
    """The decision for a group if the viewer may see it and it was released; else None."""
    if not campaign.release or key.node not in visible_nodes(campaign, viewer=viewer):
        return None
    decision = campaign.release.get(str(key))
    return decision if decision and decision["released"] else None


def responses_in(campaign: Campaign, key: GroupKey) -> list[dict]:
    """Answers of a released group's respondents — for aggregation only, never shown one by one."""
    paths = _paths(campaign)
    node_path = () if key.node == ORGANIZATION else paths.get(key.node)
    if node_path is None:
        return []
    teams = [team_key for team_key, path in paths.items() if path[: len(node_path)] == node_path]
    rows = Response.objects.filter(campaign=campaign)
    if node_path:
        rows = rows.filter(team_key__in=teams)
    columns = {"tenure", "role"}
    for name, value in key.conditions:
        if name not in dict(recorded(campaign)):
            return []  # not a cut of this campaign
        rows = rows.filter(**{name if name in columns else f"attributes__{name}": value})
    return [answers for answers in rows.values_list("answers", flat=True)]


def answers_by_group(campaigns: list[Campaign], keys: dict[int, list[str]]) -> dict[int, dict[str, list[dict]]]:
    """{campaign id: {group key: answers}} for the given released groups of these campaigns, from
    one read of their responses (what responses_in returns for each, without a query per group).

    Each response is added to the groups it falls in: the nodes on its team's path (and the
    organization), alone or with the conditions on its stored attributes the keys ask for."""
    wanted = {pk: {GroupKey.parse(text): text for text in texts} for pk, texts in keys.items()}
    names = sorted({name for by_key in wanted.values() for key in by_key for name, _ in key.conditions})
    most = max((len(key.conditions) for by_key in wanted.values() for key in by_key), default=0)
    subsets = [combo for size in range(most + 1) for combo in combinations(names, size)]
    nodes_of = {}  # campaign id -> {team key: hierarchy nodes holding it}
    for campaign in campaigns:
        paths = _paths(campaign)
        ids_of_path = {}
        for team_id, path in paths.items():
            ids_of_path.setdefault(path, []).append(team_id)
        nodes_of[campaign.pk] = {
            team_key: [ORGANIZATION, *(node for depth in range(1, len(path) + 1)
                                       for node in ids_of_path.get(path[:depth], ()))]
            for team_key, path in paths.items()
        }
    result = {campaign.pk: {text: [] for text in wanted.get(campaign.pk, {}).values()} for campaign in campaigns}
    # Tenure and role are columns; the organization's own attributes are stored in `attributes`.
    columns = {"tenure", "role"}
    rows = Response.objects.filter(campaign__in=[campaign.pk for campaign in campaigns]).values(
        "campaign_id", "team_key", "answers", "attributes", *sorted(columns & set(names)))
    for row in rows:
        pk = row["campaign_id"]
        by_key, groups = wanted.get(pk), result[pk]
        if not by_key:
            continue
        stored = row["attributes"] or {}
        values = {name: row[name] if name in columns else stored.get(name) for name in names}
        for node in nodes_of[pk].get(row["team_key"], (ORGANIZATION,)):
            for subset in subsets:
                text = by_key.get(GroupKey(node, tuple((name, values[name]) for name in subset)))
                if text is not None:
                    groups[text].append(row["answers"])
    return result


# --- comments ----------------------------------------------------------------------------------------


def comment_groups(campaign: Campaign) -> dict[str, list[str]]:
    """Comments by hierarchy node, each comment under exactly one node, so sets can't be subtracted.

    A comment goes to the deepest released node holding its team whose pool (respondents not
    already pooled below) has at least k respondents; what never reaches such a pool is not shown.
    """
    if not campaign.release:
        return {}
    k = campaign.threshold
    paths = _paths(campaign)
    node_ids = {path: team_id for team_id, path in paths.items()}
    node_ids[()] = ORGANIZATION
    respondents: dict[tuple, int] = {}
    for path, _ in respondent_cells(campaign):
        respondents[path] = respondents.get(path, 0) + 1
    comments: dict[tuple, list[str]] = {}
    for team_key, text in Comment.objects.filter(campaign=campaign).values_list("team_key", "text"):
        comments.setdefault(paths.get(team_key, ()), []).append(text)
    pooled_people = dict(respondents)
    pooled_comments = {path: list(texts) for path, texts in comments.items()}
    shown: dict[str, list[str]] = {}
    every_node = {()} | {path[:depth] for path in (*node_ids, *pooled_people) for depth in range(1, len(path) + 1)}
    for node in sorted(every_node, key=lambda path: (-len(path), path)):
        node_key = node_ids.get(node)
        people, texts = pooled_people.pop(node, 0), pooled_comments.pop(node, [])
        decision = (campaign.release or {}).get(node_key) if node_key else None
        if decision and decision["released"] and people >= k:
            if texts:
                # Shuffled (the same way on every view), never in the order they arrived.
                random.Random(f"{campaign.pk}:{node_key}").shuffle(texts)  # noqa: S311 (order, not secrecy)
                shown[node_key] = texts
            continue
        if node:
            parent = node[:-1]
            pooled_people[parent] = pooled_people.get(parent, 0) + people
            pooled_comments.setdefault(parent, []).extend(texts)
    return shown
