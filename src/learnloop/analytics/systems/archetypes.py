"""The classic system archetypes, found by matching the structure of a diagram's loops.

Each archetype is a small set of loops with given polarities, delays and shared variables; the
patterns below are the whole rule (docs/systems.md states them with the textbook diagrams).
"R" is a reinforcing loop, "B" a balancing one, "A ∩ B" the variables two loops share, and
"out-sign of V in L" the polarity of the link leaving V along loop L.

- fixes that fail: B and R share at least two variables (the problem and the fix), and R has a
  delayed link that B does not (the unintended consequence arrives later).
- shifting the burden: B1 and B2 share a variable S (the symptom), B2 is delayed and B1 is not
  (the fundamental solution is slow, the symptomatic one fast), S leaves both along "+" links,
  and a reinforcing loop R runs through S, a variable only in B1 and a variable only in B2 (the
  side effect of the quick fix that weakens the fundamental one).
- limits to growth: R and B share exactly one variable (the result that grows) and B has a
  variable R lacks (the limiting condition).
- success to the successful: R1 and R2 share exactly one variable V (the allocation) that
  leaves one of them along "+" and the other along "-" (more to A means less to B).
- escalation: B1 and B2 share exactly one variable V (the relative position of the two sides)
  that leaves one of them along "+" and the other along "-".
- tragedy of the commons: B1 and B2 share at least one variable (the common resource and the
  gain per use); R1 shares variables with B1 but none with B2, R2 with B2 but none with B1, and
  R1 and R2 share nothing (each actor's own growth).
- eroding goals: B1 and B2 share exactly one variable G (the gap), G leaves both along "+",
  exactly one of them is delayed (corrective action is slow, lowering the goal is quick).
- growth and underinvestment: a limits to growth (R, B1) plus a delayed balancing loop B2 (the
  investment in capacity) that shares a variable with B1 outside R and none with R.

A match made only of loops that a larger match also uses is not reported (the larger one is the
more specific reading: growth and underinvestment contains limits to growth, shifting the burden
contains the shape of eroding goals). Matching looks at the first `max_loops` loops in rank order
and stops after `max_matches` matches, saying so (`truncated`).
"""

from dataclasses import dataclass, field

from learnloop.analytics.systems.graph import CausalModel
from learnloop.analytics.systems.loops import BALANCING, REINFORCING, Loop, LoopAnalysis

FIXES_THAT_FAIL = "fixes_that_fail"
SHIFTING_THE_BURDEN = "shifting_the_burden"
LIMITS_TO_GROWTH = "limits_to_growth"
SUCCESS_TO_THE_SUCCESSFUL = "success_to_the_successful"
ESCALATION = "escalation"
TRAGEDY_OF_THE_COMMONS = "tragedy_of_the_commons"
ERODING_GOALS = "eroding_goals"
GROWTH_AND_UNDERINVESTMENT = "growth_and_underinvestment"

TITLES = {
    FIXES_THAT_FAIL: "Fixes that fail",
    SHIFTING_THE_BURDEN: "Shifting the burden",
    LIMITS_TO_GROWTH: "Limits to growth",
    SUCCESS_TO_THE_SUCCESSFUL: "Success to the successful",
    ESCALATION: "Escalation",
    TRAGEDY_OF_THE_COMMONS: "Tragedy of the commons",
    ERODING_GOALS: "Eroding goals",
    GROWTH_AND_UNDERINVESTMENT: "Growth and underinvestment",
}

EXPLANATIONS = {
    FIXES_THAT_FAIL: (
        "A fix relieves the problem quickly, but it also sets off a slower consequence that brings the "
        "problem back, often worse. Look past the quick relief: name the unintended consequence, watch "
        "for it over the delay, and look for a fix that does not feed it (or stop applying the fix)."),
    SHIFTING_THE_BURDEN: (
        "A quick symptomatic solution keeps being chosen over a slower fundamental one, and its side "
        "effect erodes the ability to apply the fundamental solution. Use the quick fix only to buy time, "
        "invest in the fundamental solution, and make its slower benefit visible."),
    LIMITS_TO_GROWTH: (
        "A reinforcing process of growth runs into a balancing process that slows it as a limit is "
        "approached. Pushing harder on the growth engine will not help; find the limiting condition "
        "and work on it (or decide that the limit is the right size)."),
    SUCCESS_TO_THE_SUCCESSFUL: (
        "Two activities compete for one pool of resources; the one that starts ahead gets more, which "
        "makes it succeed more and get more still, while the other starves. Check whether the allocation "
        "rule, not merit, decides; set goals for both, or separate their resources."),
    ESCALATION: (
        "Each side responds to the other's position by doing more, so both escalate in a figure eight "
        "neither wants. Look for a way for both to win or for one side to step back unilaterally, and "
        "agree on the measure of position both react to."),
    TRAGEDY_OF_THE_COMMONS: (
        "Each actor grows its own gain from a shared resource; the total use eventually degrades the "
        "resource, and every actor's gain falls. Make the shared limit visible to all, and govern the "
        "commons together (rules, quotas, feedback on total use)."),
    ERODING_GOALS: (
        "A gap between goal and reality can close two ways: slow corrective action, or quietly lowering "
        "the goal. The easy way wins and standards drift down. Hold the goal steady, anchor it outside "
        "the current performance, and face the delay of the corrective action."),
    GROWTH_AND_UNDERINVESTMENT: (
        "Growth approaches a limit that investment in capacity could lift, but the need to invest is "
        "judged by performance that has already dropped, so investment comes late and too small and "
        "growth stalls. Invest ahead of demand and keep performance standards from eroding."),
}


@dataclass(frozen=True)
class ArchetypeMatch:
    archetype: str  # one of the constants above
    loops: tuple[int, ...]  # Loop.number of the loops taking part, in the pattern's order
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> variables
    variables: tuple[str, ...] = ()  # every variable of the loops, diagram order

    @property
    def title(self) -> str:
        return TITLES[self.archetype]

    @property
    def explanation(self) -> str:
        return EXPLANATIONS[self.archetype]

    def as_dict(self) -> dict:
        return {"archetype": self.archetype, "title": self.title, "loops": list(self.loops),
                "roles": {role: list(names) for role, names in self.roles.items()},
                "variables": list(self.variables), "explanation": self.explanation}


@dataclass(frozen=True)
class ArchetypeReport:
    matches: tuple[ArchetypeMatch, ...]
    truncated: bool
    reason: str

    def as_dict(self) -> dict:
        return {"matches": [match.as_dict() for match in self.matches], "truncated": self.truncated,
                "reason": self.reason}


class _Stop(Exception):
    pass


def detect_archetypes(model: CausalModel, analysis: LoopAnalysis, *, max_loops: int = 400,
                      max_matches: int = 200) -> ArchetypeReport:
    """The archetypes the diagram's loops form (see the module docstring for each pattern)."""
    loops = list(analysis.loops[:max_loops])
    reasons = []
    if len(analysis.loops) > max_loops:
        reasons.append(f"matched the first {max_loops:,} of {len(analysis.loops):,} loops")
    if analysis.truncated:
        reasons.append(f"loop search incomplete ({analysis.reason})")
    sets = {loop.number: frozenset(loop.variables) for loop in loops}
    order = {name: number for number, name in enumerate(model.variables)}
    found: list[ArchetypeMatch] = []
    keys: set[tuple[str, tuple[int, ...]]] = set()

    def add(archetype: str, members: list[Loop], roles: dict[str, set[str] | list[str]]):
        key = (archetype, tuple(sorted(loop.number for loop in members)))
        if key in keys:
            return
        keys.add(key)
        names = set().union(*(sets[loop.number] for loop in members))
        found.append(ArchetypeMatch(
            archetype=archetype, loops=tuple(loop.number for loop in members),
            roles={role: tuple(sorted(value, key=order.__getitem__)) for role, value in roles.items()},
            variables=tuple(sorted(names, key=order.__getitem__))))
        if len(found) >= max_matches * 4:  # room for the sub-matches dropped below
            raise _Stop

    reinforcing = [loop for loop in loops if loop.polarity == REINFORCING]
    balancing = [loop for loop in loops if loop.polarity == BALANCING]
    by_variable: dict[str, list[Loop]] = {}
    for loop in loops:
        for name in loop.variables:
            by_variable.setdefault(name, []).append(loop)

    def overlapping(loop: Loop, kind: str) -> list[Loop]:
        seen: dict[int, Loop] = {}
        for name in loop.variables:
            for other in by_variable[name]:
                if other.number != loop.number and other.polarity == kind:
                    seen.setdefault(other.number, other)
        return [seen[number] for number in sorted(seen)]

    stopped = False
    try:
        limits: list[tuple[Loop, Loop]] = []
        for r in reinforcing:
            for b in overlapping(r, BALANCING):
                shared = sets[r.number] & sets[b.number]
                if len(shared) >= 2 and _delayed_outside(model, r, b):
                    add(FIXES_THAT_FAIL, [b, r], {"problem_and_fix": shared,
                                                  "unintended_consequence": sets[r.number] - shared})
                if len(shared) == 1 and sets[b.number] - sets[r.number]:
                    (result,) = shared
                    limits.append((r, b))
                    add(LIMITS_TO_GROWTH, [r, b], {"growing_result": {result},
                                                   "limiting_condition": sets[b.number] - sets[r.number]})
        for b1 in balancing:
            for b2 in overlapping(b1, BALANCING):
                if b2.number < b1.number:
                    continue
                common = sets[b1.number] & sets[b2.number]
                own_1 = [r for r in overlapping(b1, REINFORCING) if not sets[r.number] & sets[b2.number]]
                own_2 = [r for r in overlapping(b2, REINFORCING) if not sets[r.number] & sets[b1.number]]
                for r1 in own_1:
                    for r2 in own_2:
                        if not sets[r1.number] & sets[r2.number]:
                            add(TRAGEDY_OF_THE_COMMONS, [r1, r2, b1, b2],
                                {"common_resource": common, "actors": sets[r1.number] | sets[r2.number]})
        for r, b1 in limits:
            for b2 in overlapping(b1, BALANCING):
                if (b2.delayed and not sets[b2.number] & sets[r.number]
                        and (sets[b1.number] & sets[b2.number]) - sets[r.number]):
                    add(GROWTH_AND_UNDERINVESTMENT, [r, b1, b2],
                        {"growing_result": sets[r.number] & sets[b1.number],
                         "capacity_investment": sets[b2.number] - sets[b1.number]})
        for kind, archetype in ((REINFORCING, SUCCESS_TO_THE_SUCCESSFUL), (BALANCING, ESCALATION)):
            group = reinforcing if kind == REINFORCING else balancing
            for first in group:
                for second in overlapping(first, kind):
                    if second.number < first.number:
                        continue
                    shared = sets[first.number] & sets[second.number]
                    if len(shared) != 1:
                        continue
                    (pivot,) = shared
                    signs = {_out_sign(model, first, pivot), _out_sign(model, second, pivot)}
                    if signs == {"+", "-"}:
                        role = "allocation" if kind == REINFORCING else "relative_position"
                        add(archetype, [first, second], {role: {pivot}})
        for b1 in balancing:
            for b2 in overlapping(b1, BALANCING):
                shared = sets[b1.number] & sets[b2.number]
                if not (b2.delayed and not b1.delayed):
                    continue
                for symptom in sorted(shared, key=order.__getitem__):
                    if _out_sign(model, b1, symptom) != "+" or _out_sign(model, b2, symptom) != "+":
                        continue
                    only_1, only_2 = sets[b1.number] - shared, sets[b2.number] - shared
                    if len(shared) == 1:
                        add(ERODING_GOALS, [b2, b1], {"gap": {symptom}, "corrective_action": only_2,
                                                      "goal_lowering": only_1})
                    for r in reinforcing:
                        ring = sets[r.number]
                        if symptom in ring and ring & only_1 and ring & only_2:
                            add(SHIFTING_THE_BURDEN, [b1, b2, r],
                                {"symptom": {symptom}, "symptomatic_solution": only_1,
                                 "fundamental_solution": only_2, "side_effect": ring - shared - only_1 - only_2})
    except _Stop:
        stopped = True
    kept = _most_specific(found)
    if stopped or len(kept) > max_matches:
        kept = kept[:max_matches]
        reasons.append(f"stopped at the limit of {max_matches:,} matches")
    return ArchetypeReport(matches=tuple(kept), truncated=bool(reasons), reason="; ".join(reasons))


def _out_sign(model: CausalModel, loop: Loop, name: str) -> str:
    ring = loop.variables
    position = ring.index(name)
    return model.link(name, ring[(position + 1) % len(ring)]).polarity


def _delayed_outside(model: CausalModel, reinforcing: Loop, balancing: Loop) -> bool:
    inside = set(balancing.links())
    return any(model.link(*pair).delay for pair in reinforcing.links() if pair not in inside)


def _most_specific(matches: list[ArchetypeMatch]) -> list[ArchetypeMatch]:
    """Drop a match whose loops are all used by a larger match; keep the order found."""
    loop_sets = [frozenset(match.loops) for match in matches]
    return [match for match, mine in zip(matches, loop_sets, strict=True)
            if not any(mine < other for other in loop_sets)]
