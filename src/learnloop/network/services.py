"""The silo and bridge report and a person's own view, from selectors' edges and
learnloop.analytics.network. Who may see what (docs/network.md):
- the team report (team × team flows, silos, pairs that should talk, only-bridge risks, community
  structure, quarterly trend): learning leads, admins and team facilitators; team-level only;
- names (suggested champions, people who are the only bridge): admins only;
- a person's own ties and measures: that person; admins may open anyone's.
Teams are groups under the disclosure engine (learnloop.analytics.disclosure, threshold k): a
team it withholds is pooled with the other withheld teams into one "smaller teams" group when the
engine releases that pool, and otherwise its people are left out of every figure. No figure is
computed from an edge touching a person outside a released group, so nothing can be subtracted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.network import selectors

POOLED = 0
POOLED_NAME = "Smaller teams (combined)"
SHARED_TAGS_TO_TALK = 2
# A recurring theme two teams share counts when it holds at least this many texts of each, and the
# two teams "have few ties" while the weight between them, both ways, is below FEW_TIES.
THEME_TEXTS_EACH = 2
FEW_TIES = 2.0
CHAMPIONS = 5
# A team is a silo when its knowledge reaches no other team, it takes in none, or at least 80% of
# the weight of its ties stays inside it (Krackhardt's E–I index at most −0.6).
SILO_EI_INDEX = -0.6
# One person who is the only bridge between their team and this many other teams is over-loaded.
OVERLOADED_BRIDGE_TEAMS = 3


def can_see_report(viewer) -> bool:
    from learnloop.org.membership import led_team_ids

    return bool(viewer and viewer.is_authenticated and (viewer.is_learning_lead or led_team_ids(viewer)))


def can_see_names(viewer) -> bool:
    return bool(viewer and viewer.is_authenticated and viewer.is_admin)


@dataclass
class NetworkReport:
    since: date
    until: date
    k: int
    teams: list[dict] = field(default_factory=list)  # released groups with their figures
    withheld_teams: int = 0
    matrix: list[list[float]] = field(default_factory=list)  # matrix[i][j]: weight from teams[i] to teams[j]
    silos: list[dict] = field(default_factory=list)
    overloaded_bridges: list[dict] = field(default_factory=list)  # {"team", "other_teams"}: one person carries them all
    should_talk: list[dict] = field(default_factory=list)
    only_bridges: list[dict] = field(default_factory=list)
    communities: int = 0
    modularity: float = 0.0
    team_modularity: float = 0.0
    trend: list[dict] = field(default_factory=list)
    champions: list[dict] | None = None  # admins only
    bridge_people: list[dict] | None = None  # admins only
    people_map: dict | None = None  # admins only: {"nodes": [...], "links": [...]} for the drawing


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=365), today + timedelta(days=1)


def _released_buckets(team_of: dict[int, int], names: dict[int, str], k: int):
    """(bucket of each person, bucket names in order, withheld team count) under the engine."""
    from learnloop.analytics import disclosure

    counts = disclosure.cell_counts(team for team in team_of.values() if team in names)
    groups = [disclosure.Group(key=team, label=names[team], cells=frozenset({team})) for team in counts]
    audit = disclosure.decide(counts, groups, k=k, explain=False)
    released = {group.key for group in audit.released}
    withheld = [team for team in counts if team not in released]
    pooled = False
    if withheld:
        pool = disclosure.Group(key=POOLED, label=POOLED_NAME, cells=frozenset(withheld))
        second = disclosure.decide(counts, [pool], k=k, already_shown=audit.released, explain=False)
        pooled = bool(second.released)
    bucket = {}
    for person, team in team_of.items():
        if team in released:
            bucket[person] = team
        elif pooled and team in withheld:
            bucket[person] = POOLED
    order = sorted(released, key=lambda team: (names[team].lower(), team)) + ([POOLED] if pooled else [])
    labels = {**{team: names[team] for team in released}, POOLED: POOLED_NAME}
    return bucket, [(team, labels[team]) for team in order], len(withheld)


def team_report(viewer, since: date | None = None, until: date | None = None) -> NetworkReport:
    from learnloop.analytics import disclosure, network

    if not can_see_report(viewer):
        raise PermissionDenied(gettext("The network report is for learning leads, admins and team facilitators."))
    default_since, default_until = default_period()
    since, until = since or default_since, until or default_until
    k = _threshold(disclosure.DEFAULT_K)
    names = selectors.team_names()
    bucket, order, withheld = _released_buckets(selectors.primary_teams(), names, k)
    report = NetworkReport(since=since, until=until, k=k, withheld_teams=withheld)
    inside = [edge for edge in selectors.platform_edges(since, until)
              if edge.source in bucket and edge.target in bucket]
    # Team-level figures read the released advice ties too; whatever is about persons never does.
    all_edges = _released_advice(inside, bucket, k)
    person_edges = [edge for edge in inside if edge.kind != ADVICE]
    team_key = {person: str(team) for person, team in bucket.items()}
    plain = [(str(edge.source), str(edge.target), edge.weight) for edge in all_edges]
    figures = network.team_report(plain, {str(p): t for p, t in team_key.items()})
    keys = [str(team) for team, _ in order]
    report.matrix = [[round(figures.mixing.get(a, {}).get(b, 0.0), 3) for b in keys] for a in keys]
    for team, label in order:
        row = figures.figures.get(str(team))
        if row is None:
            continue
        report.teams.append({
            "id": team, "name": label, "members": row.members, "internal": round(row.internal, 3),
            "exported": round(row.exported, 3), "imported": round(row.imported, 3),
            "ei_index": None if row.ei_index is None else round(row.ei_index, 3), "reach": row.reach,
        })
        inward = row.ei_index is not None and row.ei_index <= SILO_EI_INDEX
        # The pooled smaller teams are no team: they count in the figures, never in a finding.
        if team != POOLED and (row.exported == 0 or row.imported == 0 or inward):
            report.silos.append({"team": label, "exports_none": row.exported == 0, "imports_none": row.imported == 0,
                                 "ei_index": None if row.ei_index is None else round(row.ei_index, 3)})
    report.should_talk = _should_talk(order, figures, since, until)
    report.only_bridges, report.overloaded_bridges, bridge_people = _only_bridges(person_edges, bucket, dict(order))
    people = [str(person) for person in sorted(bucket)]
    graph = network.build_network(((str(e.source), str(e.target), e.weight) for e in all_edges), directed=True,
                                  weighted=True, nodes=people)
    found = None
    if graph.sources:
        found = network.communities(graph)
        report.communities, report.modularity = found.count, round(found.modularity, 4)
        by_team = _renumbered([bucket[int(name)] for name in graph.names])
        report.team_modularity = round(network.modularity(graph, by_team), 4)
    report.trend = _trend(all_edges, bucket, until)
    if can_see_names(viewer):
        person_graph = network.build_network(((str(e.source), str(e.target), e.weight) for e in person_edges),
                                             directed=True, weighted=True, nodes=people)
        report.champions = _champions(person_edges, bucket, person_graph)
        report.bridge_people = bridge_people
        community_of = dict(zip(graph.names, found.membership, strict=True)) if found else None
        report.people_map = _people_map(person_graph, community_of, bucket, dict(order))
    return report


ADVICE = "advice"


def _released_advice(edges, bucket, k: int) -> list:
    """The edges with the advice ties (named answers to a survey's advice question) kept only for
    the pairs of groups (the adviser's, the respondent's) that at least k distinct respondents
    named someone in; below that a pair's advice ties are all left out, so no figure moves when
    one person answers."""
    respondents: dict[tuple[int, int], set[int]] = defaultdict(set)
    for edge in edges:
        if edge.kind == ADVICE:
            respondents[(bucket[edge.source], bucket[edge.target])].add(edge.target)
    released = {pair for pair, people in respondents.items() if len(people) >= k}
    return [edge for edge in edges
            if edge.kind != ADVICE or (bucket[edge.source], bucket[edge.target]) in released]


MAP_NODES = 400


def _people_map(graph, community_of, bucket, labels) -> dict:
    """The most connected people (at most MAP_NODES) and their ties, both directions summed, for
    the admins' map; each node carries its team and its community so the page can colour by either."""
    from learnloop.analytics import network

    if community_of is None:
        return {"nodes": [], "links": []}
    degrees = network.degree(graph)
    shown = sorted(range(graph.size), key=lambda i: (-degrees[i], graph.names[i]))[:MAP_NODES]
    shown = [i for i in shown if degrees[i] > 0]
    keep = set(shown)
    names = selectors.people_names(int(graph.names[i]) for i in shown)
    nodes = [{"id": graph.names[i], "name": names.get(int(graph.names[i]), ""),
              "team": labels.get(bucket[int(graph.names[i])], ""), "community": community_of[graph.names[i]],
              "degree": degrees[i]} for i in shown]
    links: dict[tuple[int, int], float] = defaultdict(float)
    for a, b, w in zip(graph.sources, graph.targets, graph.weights, strict=True):
        if a in keep and b in keep:
            links[(min(a, b), max(a, b))] += w
    return {"nodes": nodes, "links": [{"source": graph.names[a], "target": graph.names[b], "weight": round(w, 3)}
                                      for (a, b), w in sorted(links.items())]}


def _threshold(default: int) -> int:
    """The organization's anonymity threshold k (the one surveys use), or the engine's default."""
    from learnloop.org.models import Organization

    organization = Organization.objects.filter(id=1).only("anonymity_threshold").first()
    return organization.anonymity_threshold if organization is not None else default


def _renumbered(labels):
    seen: dict = {}
    return [seen.setdefault(label, len(seen)) for label in labels]


def _should_talk(order, figures, since, until) -> list[dict]:
    """Pairs of teams that face the same things but barely talk: at least SHARED_TAGS_TO_TALK
    distinctive tags on their knowledge (held by at most half the teams: a tag every team uses is
    no shared theme) and no tie either way; or a recurring theme (insights) holding at least
    THEME_TEXTS_EACH texts of each team in the period, recurring so in at most half the teams,
    and ties between them weighing under FEW_TIES."""
    import math

    tags = selectors.team_tags()
    themes = selectors.team_themes(since, until)
    real = [(team, label) for team, label in order if team != POOLED]
    held = defaultdict(int)
    for team, _ in real:
        for tag in tags.get(team, ()):
            held[tag] += 1
    half = math.ceil(len(real) / 2)
    distinctive = {tag for tag, count in held.items() if count <= half}
    # Likewise a theme that recurs in more than half the teams is the organization's, not a pair's.
    recurs_in = defaultdict(int)
    for team, _ in real:
        for title, count in themes.get(team, {}).items():
            recurs_in[title] += count >= THEME_TEXTS_EACH
    pairs = []
    for index, (a, a_label) in enumerate(real):
        for b, b_label in real[index + 1:]:
            shared = sorted(tags.get(a, set()) & tags.get(b, set()) & distinctive)
            tied = figures.mixing[str(a)][str(b)] + figures.mixing[str(b)][str(a)]
            recurring = sorted(title for title, count in themes.get(a, {}).items()
                               if count >= THEME_TEXTS_EACH and themes.get(b, {}).get(title, 0) >= THEME_TEXTS_EACH
                               and recurs_in[title] <= half)
            by_tags = len(shared) >= SHARED_TAGS_TO_TALK and tied == 0
            by_themes = bool(recurring) and tied < FEW_TIES
            if by_tags or by_themes:
                pairs.append({"teams": [a_label, b_label], "shared_themes": shared[:8] if by_tags else [],
                              "recurring_themes": recurring[:5] if by_themes else [], "ties": round(tied, 3)})
    return pairs


def _only_bridges(edges, bucket, labels) -> tuple[list[dict], list[dict], list[dict]]:
    """Team pairs whose ties all run through one person on one side (team-level); teams where one
    person is that only bridge to OVERLOADED_BRIDGE_TEAMS or more teams (team-level: the finding
    says one person carries them, not who); and, for admins, who those people are."""
    carriers: dict[tuple[int, int], set[int]] = defaultdict(set)
    for edge in edges:
        a, b = bucket[edge.source], bucket[edge.target]
        if a == b or POOLED in (a, b):
            continue
        carriers[(a, b) if a < b else (b, a)].add(edge.source)
        carriers[(a, b) if a < b else (b, a)].add(edge.target)
    findings, people = [], defaultdict(list)
    for (a, b), members in sorted(carriers.items()):
        for side, other in ((a, b), (b, a)):
            own = [person for person in members if bucket[person] == side]
            if len(own) == 1:
                findings.append({"team": labels[side], "other_team": labels[other]})
                people[own[0]].append(labels[other])
    overloaded = sorted(({"team": labels[bucket[person]], "other_teams": sorted(teams)}
                         for person, teams in people.items() if len(teams) >= OVERLOADED_BRIDGE_TEAMS),
                        key=lambda finding: (-len(finding["other_teams"]), finding["team"]))
    names = selectors.people_names(people)
    ranked = sorted(people.items(), key=lambda item: (-len(item[1]), names.get(item[0], "")))
    return findings, overloaded, [{"person": names.get(person, ""), "only_bridge_to": sorted(teams)}
                                  for person, teams in ranked]


def _champions(edges, bucket, graph) -> list[dict]:
    from learnloop.analytics import network

    reached: dict[int, set[int]] = defaultdict(set)
    for edge in edges:
        if edge.kind in ("reuse", "answer", "review") and bucket[edge.source] != bucket[edge.target]:
            reached[edge.source].add(bucket[edge.target])
    if not reached:
        return []
    between = network.betweenness(graph).values
    position = {int(name): index for index, name in enumerate(graph.names)}
    ranked = sorted(reached, key=lambda person: (-len(reached[person]), -between[position[person]], person))
    names = selectors.people_names(ranked[:CHAMPIONS])
    return [{"person": names.get(person, ""), "teams_reached": len(reached[person]),
             "betweenness": round(between[position[person]], 4)} for person in ranked[:CHAMPIONS]]


def _trend(edges, bucket, until: date) -> list[dict]:
    from learnloop.analytics import network

    bounds = [until - timedelta(days=91 * step) for step in range(4, -1, -1)]
    dated = [(str(e.source), str(e.target), e.weight, e.on) for e in edges]
    rows = network.windows(dated, {str(p): str(t) for p, t in bucket.items()}, bounds)
    return [{"start": row.start, "end": row.end, "people": row.people, "ties": row.ties,
             "cross_team_share": None if row.cross_team_share is None else round(row.cross_team_share, 3),
             "new": row.new, "lost": row.lost} for row in rows]


def person_view(viewer, person, since: date | None = None, until: date | None = None) -> dict:
    """A person's own ties and measures: for that person, and for admins."""
    from learnloop.analytics import network

    if not (viewer.is_authenticated and (viewer.pk == person.pk or viewer.is_admin)):
        raise PermissionDenied(gettext("A person's network view is for that person and admins."))
    default_since, default_until = default_period()
    since, until = since or default_since, until or default_until
    # Advice ties are never part of a person's view: they would tell the people named who named them.
    edges = [edge for edge in selectors.platform_edges(since, until) if edge.kind != ADVICE]
    graph = network.build_network(((str(e.source), str(e.target), e.weight) for e in edges), directed=True,
                                  weighted=True, nodes=[str(person.pk)])
    index = graph.names.index(str(person.pk))
    between = network.betweenness(graph).values[index] if graph.sources else 0.0
    constraint = network.constraint(graph)[index] if graph.sources else float("nan")
    size = network.effective_size(graph)[index] if graph.sources else float("nan")
    gave: dict[int, float] = defaultdict(float)
    got: dict[int, float] = defaultdict(float)
    for edge in edges:
        if edge.source == person.pk:
            gave[edge.target] += edge.weight
        elif edge.target == person.pk:
            got[edge.source] += edge.weight
    names = selectors.people_names(set(gave) | set(got))
    team_of, teams = selectors.primary_teams(), selectors.team_names()
    reached = {team_of[other] for other in gave if team_of.get(other) not in (None, team_of.get(person.pk))}

    def listed(weights):
        return [{"person": names.get(other, ""), "team": teams.get(team_of.get(other), ""), "weight": round(w, 3)}
                for other, w in sorted(weights.items(), key=lambda item: (-item[1], names.get(item[0], "")))]

    return {
        "since": since, "until": until, "gave_to": listed(gave), "learned_from": listed(got),
        "teams_reached": len(reached), "betweenness": round(between, 6),
        "constraint": None if constraint != constraint else round(constraint, 4),
        "effective_size": None if size != size else round(size, 4),
    }
