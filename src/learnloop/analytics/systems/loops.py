"""Feedback loops of a causal loop diagram: every elementary cycle, its polarity and delays.

An elementary cycle visits no variable twice. A loop is *reinforcing* when it has an even number
of negative links (a change comes back amplified in the same direction) and *balancing* when the
number is odd (the change comes back opposed). It is *delayed* when any of its links is marked
with a delay.

The number of elementary cycles grows exponentially with the links, so the enumeration is
bounded: it stops after `max_loops` loops or `max_seconds` of wall-clock time, whichever comes
first, and says so (`truncated=True` with the reason). A 1,000-variable, 5,000-link diagram stops
at the bound in well under a second; bench/systems.py measures it.

The search lists shorter loops first: it makes passes over loop lengths (up to 4 variables, then
up to 16, 64, … the whole diagram). In each pass, for each variable s in the order the diagram
lists them, a depth-first walk finds the cycles whose first variable (in that order) is s,
stepping only into later variables from which s can be reached again within the pass's length
(a breadth-first search backwards from s gives those distances), so no walk wanders where no
cycle can close. When a bound stops the search, the loops listed are the shortest ones.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass

from learnloop.analytics.systems.graph import CausalModel

REINFORCING = "reinforcing"
BALANCING = "balancing"
DEFAULT_MAX_LOOPS = 10_000
DEFAULT_MAX_SECONDS = 5.0
_CLOCK_EVERY = 1024  # steps between two looks at the clock


@dataclass(frozen=True)
class Loop:
    """One feedback loop: its variables in causal order (starting with the earliest-listed one)."""

    number: int  # its place in LoopAnalysis.loops (rank order), from 1
    variables: tuple[str, ...]
    negative_links: int
    delayed: bool
    shared_variables: int  # how many of its variables lie on at least one other loop found

    @property
    def length(self) -> int:
        return len(self.variables)

    @property
    def polarity(self) -> str:
        return BALANCING if self.negative_links % 2 else REINFORCING

    @property
    def label(self) -> str:
        """R1, B2, …: the usual diagram label, by polarity and rank."""
        return ("B" if self.polarity == BALANCING else "R") + str(self.number)

    def links(self) -> list[tuple[str, str]]:
        """The (source, target) pairs around the loop, closing back on the first variable."""
        names = self.variables
        return [(names[i], names[(i + 1) % len(names)]) for i in range(len(names))]

    def as_dict(self) -> dict:
        return {"number": self.number, "label": self.label, "variables": list(self.variables),
                "polarity": self.polarity, "negative_links": self.negative_links, "delayed": self.delayed,
                "length": self.length, "shared_variables": self.shared_variables}


@dataclass(frozen=True)
class LoopAnalysis:
    loops: tuple[Loop, ...]
    truncated: bool
    reason: str  # why the enumeration stopped early ("" when it is complete)
    loops_through: dict[str, int]  # variable -> number of loops found through it
    seconds: float

    def as_dict(self) -> dict:
        return {"loops": [loop.as_dict() for loop in self.loops], "truncated": self.truncated,
                "reason": self.reason, "loops_through": self.loops_through,
                "reinforcing": sum(loop.polarity == REINFORCING for loop in self.loops),
                "balancing": sum(loop.polarity == BALANCING for loop in self.loops)}


def elementary_cycles(successors: list[list[int]], *, max_cycles: int | None = None,
                      max_seconds: float | None = None, max_length: int | None = None
                      ) -> tuple[list[tuple[int, ...]], str]:
    """Elementary cycles of a directed graph given as adjacency lists of node numbers.

    Returns (cycles, reason): each cycle starts at its lowest node number, shorter cycles come
    first; `reason` is "" when every cycle was found, else what bound stopped the search.
    Self-loops are cycles of one. `max_length` leaves out longer cycles (a filter, not a
    truncation)."""
    size = len(successors)
    predecessors: list[list[int]] = [[] for _ in range(size)]
    for node, targets in enumerate(successors):
        for target in targets:
            predecessors[target].append(node)
    search = _Search(successors, predecessors, max_cycles, max_seconds)
    longest = size if max_length is None else min(size, max_length)
    shorter = 0
    bound = min(4, longest)
    while True:
        if not search.pass_(shorter, bound):
            return sorted(search.cycles, key=len), search.reason(shorter)
        if bound >= longest:
            return sorted(search.cycles, key=len), ""
        shorter, bound = bound, min(bound * 4, longest)


class _Search:
    """Passes over cycle lengths: pass (shorter, bound] finds the cycles of those lengths, each
    walk stepping only into variables from which its start is near enough to close in time."""

    def __init__(self, successors, predecessors, max_cycles, max_seconds):
        self.successors, self.predecessors = successors, predecessors
        self.max_cycles, self.max_seconds = max_cycles, max_seconds
        self.deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.cycles: list[tuple[int, ...]] = []
        self.stop = ""
        self.steps = 0

    def reason(self, shorter: int) -> str:
        kept = f"; every loop of up to {shorter} variables is listed" if shorter else ""
        return self.stop + kept

    def out_of_time(self) -> bool:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.stop = f"time budget of {self.max_seconds:g} s ran out after {len(self.cycles):,} loops"
            return True
        return False

    def pass_(self, shorter: int, bound: int) -> bool:
        """Find the cycles of length in (shorter, bound]; False when a bound stopped it."""
        successors, cycles = self.successors, self.cycles
        for start in range(len(successors)):
            if self.out_of_time():
                return False
            distance = self._distances_back(start, bound)
            if start not in distance:
                continue
            path = [start]
            on_path = {start}
            stack: list[Iterator[int]] = [iter(successors[start])]
            while stack:
                self.steps += 1
                if self.steps % _CLOCK_EVERY == 0 and self.out_of_time():
                    return False
                node = next(stack[-1], None)
                if node is None:
                    stack.pop()
                    on_path.discard(path.pop())
                    continue
                if node == start:
                    if len(path) > shorter:
                        cycles.append(tuple(path))
                        if self.max_cycles is not None and len(cycles) >= self.max_cycles:
                            self.stop = f"stopped at the limit of {self.max_cycles:,} loops"
                            return False
                    continue
                if node in on_path:
                    continue
                back = distance.get(node)
                if back is None or len(path) + back > bound:
                    continue
                path.append(node)
                on_path.add(node)
                stack.append(iter(successors[node]))
        return True

    def _distances_back(self, start: int, bound: int) -> dict[int, int]:
        """Links needed to get back to start from each node >= start, up to bound links; start
        itself is in the map (at its shortest cycle's length) only when a cycle closes on it."""
        distance: dict[int, int] = {}
        frontier = [start]
        steps = 0
        while frontier and steps < bound:
            steps += 1
            following = []
            for node in frontier:
                for previous in self.predecessors[node]:
                    if previous >= start and previous not in distance:
                        distance[previous] = steps
                        if previous != start:
                            following.append(previous)
            frontier = following
        return distance


def find_loops(model: CausalModel, *, max_loops: int | None = DEFAULT_MAX_LOOPS,
               max_seconds: float | None = DEFAULT_MAX_SECONDS, max_length: int | None = None) -> LoopAnalysis:
    """Every feedback loop of the diagram (up to the bounds), classified and ranked.

    Rank: shorter loops first (they act fastest and are easiest to see), then loops sharing more
    of their variables with other loops (where loops interact), then the diagram's order."""
    began = time.monotonic()
    cycles, reason = elementary_cycles(model.successors(), max_cycles=max_loops, max_seconds=max_seconds,
                                       max_length=max_length)
    names = model.variables
    through: dict[int, int] = {}
    for cycle in cycles:
        for node in cycle:
            through[node] = through.get(node, 0) + 1
    found = []
    for position, cycle in enumerate(cycles):
        ring = [names[node] for node in cycle]
        links = [model.link(ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))]
        shared = sum(through[node] > 1 for node in cycle)
        found.append((len(cycle), -shared, position, ring, sum(link.negative for link in links),
                      any(link.delay for link in links), shared))
    found.sort(key=lambda item: item[:3])
    loops = tuple(
        Loop(number=rank, variables=tuple(ring), negative_links=negatives, delayed=delayed, shared_variables=shared)
        for rank, (_, _, _, ring, negatives, delayed, shared) in enumerate(found, start=1)
    )
    counts = {names[node]: through[node] for node in sorted(through, key=lambda node: (-through[node], node))}
    return LoopAnalysis(loops=loops, truncated=bool(reason), reason=reason, loops_through=counts,
                        seconds=time.monotonic() - began)
