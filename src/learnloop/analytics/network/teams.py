"""Team-level measures of a knowledge-flow graph: who passes knowledge to which team.

An edge (source, target, weight) means knowledge travelled from `source` to `target`. People
without a team are left out of every team figure. Pure Python, no Django.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TeamFigures:
    team: str
    members: int
    internal: float  # weight of ties inside the team
    external: float  # weight of ties between the team and other teams (either direction)
    ei_index: float | None  # Krackhardt: (E − I)/(E + I), −1 all inside … +1 all outside; None without ties
    exported: float  # weight flowing out to other teams
    imported: float  # weight flowing in from other teams
    reach: int  # other teams that received this team's knowledge


@dataclass(frozen=True)
class TeamReport:
    teams: list[str]
    mixing: dict[str, dict[str, float]]  # mixing[from_team][to_team] = weight of edges
    figures: dict[str, TeamFigures]
    density: dict[str, dict[str, float]]  # ties between the two teams / possible ties


def team_report(edges: Iterable[tuple[str, str, float]], team_of: Mapping[str, str], *,
                directed: bool = True) -> TeamReport:
    """Mixing matrix, E–I index, exports/imports, reach and cross-team tie density.

    Density: distinct tied pairs (a in A, b in B) over |A|·|B| possible pairs (directed: ordered
    pairs from A to B); inside a team, over |A|(|A|−1) (halved when undirected)."""
    members: dict[str, int] = defaultdict(int)
    for team in team_of.values():
        members[team] += 1
    teams = sorted(members)
    mixing = {a: dict.fromkeys(teams, 0.0) for a in teams}
    pairs: set[tuple[str, str]] = set()
    for source, target, weight in edges:
        a, b = team_of.get(source), team_of.get(target)
        if a is None or b is None or source == target:
            continue
        mixing[a][b] += weight
        pairs.add((source, target) if directed or source < target else (target, source))
    tied: dict[tuple[str, str], int] = defaultdict(int)
    for source, target in pairs:
        tied[(team_of[source], team_of[target])] += 1
    density: dict[str, dict[str, float]] = {a: {} for a in teams}
    for a in teams:
        for b in teams:
            if a == b:
                possible = members[a] * (members[a] - 1) / (1 if directed else 2)
                count = tied[(a, a)]
            else:
                possible = members[a] * members[b]
                count = tied[(a, b)] + (0 if directed else tied[(b, a)])
            density[a][b] = count / possible if possible else 0.0
    figures = {}
    for team in teams:
        internal = mixing[team][team]
        exported = sum(w for other, w in mixing[team].items() if other != team)
        imported = sum(mixing[other][team] for other in teams if other != team)
        external = exported + imported
        ei = (external - internal) / (external + internal) if external + internal else None
        reach = sum(1 for other in teams if other != team and mixing[team][other] > 0)
        figures[team] = TeamFigures(team, members[team], internal, external, ei, exported, imported, reach)
    return TeamReport(teams, mixing, figures, density)


@dataclass(frozen=True)
class WindowFigures:
    start: date
    end: date  # exclusive
    people: int
    ties: int
    weight: float
    cross_team_share: float | None  # weight between teams / all weight between people with teams
    kept: int  # ties also present in the previous window
    new: int
    lost: int


def windows(edges: Iterable[tuple[str, str, float, date]], team_of: Mapping[str, str],
            bounds: list[date], *, directed: bool = True) -> list[WindowFigures]:
    """Figures per window [bounds[i], bounds[i+1]), and how its ties changed from the previous one."""
    buckets: list[dict[tuple[str, str], float]] = [defaultdict(float) for _ in bounds[:-1]]
    for source, target, weight, day in edges:
        if source == target:
            continue
        for index in range(len(bounds) - 1):
            if bounds[index] <= day < bounds[index + 1]:
                key = (source, target) if directed or source < target else (target, source)
                buckets[index][key] += weight
                break
    result, previous = [], None
    for index, bucket in enumerate(buckets):
        people = {name for pair in bucket for name in pair}
        teamed = [(w, team_of[a] != team_of[b]) for (a, b), w in bucket.items() if a in team_of and b in team_of]
        total = sum(w for w, _ in teamed)
        cross = sum(w for w, across in teamed if across)
        current = set(bucket)
        kept = len(current & previous) if previous is not None else 0
        new = len(current - previous) if previous is not None else len(current)
        lost = len(previous - current) if previous is not None else 0
        result.append(WindowFigures(bounds[index], bounds[index + 1], len(people), len(current),
                                    sum(bucket.values()), cross / total if total else None, kept, new, lost))
        previous = current
    return result
