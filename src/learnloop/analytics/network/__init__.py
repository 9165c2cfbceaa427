"""Knowledge-flow network analytics (no Django): person measures on igraph, team measures in
plain Python, the CSV edge-list reader of `learnloop network analyze`. docs/network.md."""

from learnloop.analytics.network.graph import (
    Betweenness,
    Communities,
    Network,
    betweenness,
    build_network,
    communities,
    constraint,
    degree,
    effective_size,
    eigenvector,
    modularity,
    pagerank,
    strength,
)
from learnloop.analytics.network.teams import TeamFigures, TeamReport, WindowFigures, team_report, windows

__all__ = [
    "Betweenness", "Communities", "Network", "TeamFigures", "TeamReport", "WindowFigures", "betweenness",
    "build_network", "communities", "constraint", "degree", "effective_size", "eigenvector", "modularity",
    "pagerank", "strength", "team_report", "windows",
]
