"""Mentor matching as an optimization: who mentors whom so that the total fit is as large as it
can be, each mentee with at most one mentor and each mentor within their capacity.

The fit of a mentor for a mentee is

    score(mentor, mentee) = Σ over the mentee's wanted skills s of min(1, level_mentor(s) / target(s))

(a term is 0 where the mentor lacks s). A pair is allowed only when its score is above 0, it is
not forbidden and the mentor is not the mentee (the same id in both lists is the same person).

The problem is a transportation problem (a row per mentee ≤ 1, a row per mentor ≤ capacity); it
is solved exactly on the scores themselves, never on scores rounded or scaled to integers:

1. Only promising pairs go in at first (each mentee's best FIRST_CANDIDATES mentors).
2. The assignment is optimal for those pairs: scipy's LAPJVsp (min_weight_full_bipartite_matching)
   on the mentors' places, one column per place and one "no mentor" column per mentee; or, when
   mentors have room for very many (more than EXPANDED_PAIRS pair × place columns), the LP by
   HiGHS's interior-point method with crossover: its constraint matrix is totally unimodular, so
   the vertex it ends on is a 0/1 assignment (checked; HiGHS's MILP finishes the job otherwise).
3. Prices come with it (shortest distances in the residual network, or the LP's duals). Every
   allowed pair is priced; a pair left out whose score exceeds its mentee's price minus its
   mentor's could still improve the total, and is added before solving again. When no pair can,
   the prices certify that the assignment is optimal for the whole problem.

Ids are JSON strings or integers and come back exactly as given (1 and "1" are different
people). Output order: pairs by the mentor's position in the document, then the mentee's;
unmatched mentees in document order. When several assignments reach the same optimum, the one
returned is deterministic (same document, same answer) but otherwise unspecified.

No Django here; numpy and scipy load inside solve(). docs/growth.md describes the document.
"""

import json
import math
from dataclasses import dataclass, field

# A pair whose score exceeds its prices by more than this could still improve the total; totals
# closer than this are ties (floating-point rounding of the scores is around 1e-15).
PRICE_TOLERANCE = 1e-9
# Pairs per mentee in the first round (and at most as many added per mentee in each later one).
FIRST_CANDIDATES = 12
MAX_ROUNDS = 25
# Pairs × places above which a round solves the LP instead of the expanded assignment problem.
EXPANDED_PAIRS = 3_000_000
# Above this many mentee × mentor cells the scores are accumulated sparsely.
DENSE_CELLS = 12_000_000


class MatchingDocumentError(ValueError):
    """The document can't be matched; the message says where and why."""


@dataclass(frozen=True)
class Mentor:
    id: str | int
    capacity: int
    skills: dict[str, float]


@dataclass(frozen=True)
class Mentee:
    id: str | int
    wants: dict[str, float]


@dataclass(frozen=True)
class MatchingProblem:
    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    forbidden: frozenset[tuple[str | int, str | int]] = frozenset()


@dataclass(frozen=True)
class Pair:
    mentor: str | int
    mentee: str | int
    score: float


@dataclass(frozen=True)
class MatchingResult:
    total_score: float
    pairs: tuple[Pair, ...]
    unmatched: tuple[str | int, ...]
    # How the optimum was reached: LP rounds, pairs priced, pairs in the last LP (for benchmarks).
    stats: dict = field(default_factory=dict, compare=False)

    def as_json(self) -> dict:
        """The CLI's output: {"total_score", "pairs": [{"mentor", "mentee", "score"}], "unmatched"}."""
        return {
            "total_score": self.total_score,
            "pairs": [{"mentor": pair.mentor, "mentee": pair.mentee, "score": pair.score} for pair in self.pairs],
            "unmatched": list(self.unmatched),
        }


@dataclass(frozen=True)
class PairExplanation:
    """Why a mentor fits a mentee: which wanted skills the mentor holds, and at what level."""

    wanted: tuple[str, ...]  # the mentee's wanted skills, in their order
    matched: tuple[str, ...]  # those the mentor holds at some level
    at_target: tuple[str, ...]  # those the mentor holds at or above the target level
    score: float

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(skill for skill in self.wanted if skill not in self.matched)

    @property
    def text(self) -> str:
        noun = "skill" if len(self.wanted) == 1 else "skills"
        text = f"matches {len(self.matched)} of {len(self.wanted)} wanted {noun}"
        if self.matched:
            text += f" ({len(self.at_target)} at or above the target level)"
        return text


# --- the score -----------------------------------------------------------------------------------


def score_terms(mentor: Mentor, mentee: Mentee) -> list[float]:
    """min(1, level / target) for each wanted skill the mentor holds, in the mentee's order."""
    return [min(1.0, mentor.skills[skill] / target) for skill, target in mentee.wants.items() if skill in mentor.skills]


def pair_score(mentor: Mentor, mentee: Mentee) -> float:
    """The issue's score, summed exactly rounded (math.fsum): the same value whatever the order."""
    return math.fsum(score_terms(mentor, mentee))


def explain(mentor: Mentor, mentee: Mentee) -> PairExplanation:
    """The per-pair explanation the pages show ("matches 3 of 4 wanted skills ...")."""
    matched = tuple(skill for skill in mentee.wants if skill in mentor.skills)
    at_target = tuple(skill for skill in matched if mentor.skills[skill] >= mentee.wants[skill])
    return PairExplanation(wanted=tuple(mentee.wants), matched=matched, at_target=at_target,
                           score=pair_score(mentor, mentee))


def is_allowed(problem: MatchingProblem, mentor: Mentor, mentee: Mentee) -> bool:
    return (_same_id(mentor.id, mentee.id) is False and (mentor.id, mentee.id) not in problem.forbidden
            and pair_score(mentor, mentee) > 0)


def _same_id(a, b) -> bool:
    return type(a) is type(b) and a == b


# --- reading a document --------------------------------------------------------------------------


def _refuse_constant(name: str):
    raise MatchingDocumentError(f"{name} is not a number JSON allows; levels and targets must be finite.")


def _no_duplicate_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise MatchingDocumentError(f"the key {key!r} appears twice in one object.")
        result[key] = value
    return result


def parse_document(text: str | bytes) -> MatchingProblem:
    """A MatchingProblem from the JSON text; MatchingDocumentError when it can't be used."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise MatchingDocumentError(f"not UTF-8 text (byte {error.start}).") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise MatchingDocumentError(f"not valid JSON: {error.msg} ({where}).") from None
    except RecursionError:
        raise MatchingDocumentError("nested too deeply to be a matching document.") from None
    return problem_from_data(data)


def _kind(value) -> str:
    if value is None:
        return "null"
    return {bool: "true/false", str: "a string", int: "an integer", float: "a number", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _id(value, where: str) -> str | int:
    if type(value) is str:
        if not value:
            raise MatchingDocumentError(f"{where}: the id is an empty string.")
        return value
    if type(value) is int:
        return value
    raise MatchingDocumentError(f"{where}: an id must be a string or an integer, not {_kind(value)}.")


def _positive_number(value, where: str) -> float:
    if type(value) not in (int, float):
        raise MatchingDocumentError(f"{where} must be a positive number, not {_kind(value)}.")
    try:
        number = float(value)
    except OverflowError:
        raise MatchingDocumentError(f"{where} is too large.") from None
    if not math.isfinite(number) or number <= 0:
        raise MatchingDocumentError(f"{where} must be a positive number, not {value!r}.")
    return number


def _capacity(value, where: str) -> int:
    if type(value) is float and math.isfinite(value) and value.is_integer():
        value = int(value)
    if type(value) is not int:
        raise MatchingDocumentError(f"{where}: capacity must be a whole number of mentees, not {_kind(value)}"
                                    + (f" {value!r}." if type(value) is float else "."))
    if value < 0:
        raise MatchingDocumentError(f"{where}: capacity must be 0 or more, not {value}.")
    return value


def _object(value, where: str, keys: tuple[str, ...]) -> dict:
    if type(value) is not dict:
        raise MatchingDocumentError(f"{where} must be an object, not {_kind(value)}.")
    missing = [key for key in keys if key not in value]
    if missing:
        raise MatchingDocumentError(f"{where} has no {' or '.join(repr(key) for key in missing)}.")
    return value


def _levels(value, where: str, what: str) -> dict[str, float]:
    if type(value) is not dict:
        raise MatchingDocumentError(f"{where} must be an object of skill: {what}, not {_kind(value)}.")
    return {skill: _positive_number(level, f"{where}[{skill!r}] ({what})") for skill, level in value.items()}


def _label(where: str, item) -> str:
    identifier = item.get("id") if type(item) is dict else None
    return f"{where} ({identifier!r})" if type(identifier) in (str, int) else where


def problem_from_data(data) -> MatchingProblem:
    """Validate an already-parsed document (dicts and lists as json.loads gives them)."""
    document = _object(data, "the document", ("mentors", "mentees"))
    for key in ("mentors", "mentees"):
        if type(document[key]) is not list:
            raise MatchingDocumentError(f"{key} must be a list, not {_kind(document[key])}.")
    mentors, mentor_ids = [], {}
    for index, item in enumerate(document["mentors"]):
        where = _label(f"mentors[{index}]", item)
        item = _object(item, where, ("id", "capacity", "skills"))
        identifier = _id(item["id"], where)
        key = (type(identifier), identifier)
        if key in mentor_ids:
            raise MatchingDocumentError(f"{where}: the mentor id {identifier!r} appears twice "
                                        f"(also mentors[{mentor_ids[key]}]).")
        mentor_ids[key] = index
        mentors.append(Mentor(identifier, _capacity(item["capacity"], where),
                              _levels(item["skills"], f"{where} skills", "level")))
    mentees, mentee_ids = [], {}
    for index, item in enumerate(document["mentees"]):
        where = _label(f"mentees[{index}]", item)
        item = _object(item, where, ("id", "wants"))
        identifier = _id(item["id"], where)
        key = (type(identifier), identifier)
        if key in mentee_ids:
            raise MatchingDocumentError(f"{where}: the mentee id {identifier!r} appears twice "
                                        f"(also mentees[{mentee_ids[key]}]).")
        mentee_ids[key] = index
        mentees.append(Mentee(identifier, _levels(item["wants"], f"{where} wants", "target level")))
    forbidden_list = document.get("forbidden", [])
    if forbidden_list is None:
        forbidden_list = []
    if type(forbidden_list) is not list:
        raise MatchingDocumentError(f"forbidden must be a list of [mentor_id, mentee_id], not {_kind(forbidden_list)}.")
    forbidden = set()
    for index, item in enumerate(forbidden_list):
        where = f"forbidden[{index}]"
        if type(item) is not list or len(item) != 2:
            raise MatchingDocumentError(f"{where} must be a list [mentor_id, mentee_id], not {json.dumps(item)[:80]}.")
        mentor_id, mentee_id = _id(item[0], f"{where} mentor"), _id(item[1], f"{where} mentee")
        if (type(mentor_id), mentor_id) not in mentor_ids:
            raise MatchingDocumentError(f"{where}: {mentor_id!r} is not the id of a mentor.")
        if (type(mentee_id), mentee_id) not in mentee_ids:
            raise MatchingDocumentError(f"{where}: {mentee_id!r} is not the id of a mentee.")
        forbidden.add((mentor_id, mentee_id))
    return MatchingProblem(tuple(mentors), tuple(mentees), frozenset(forbidden))


# --- solving -------------------------------------------------------------------------------------


def _scores(problem: MatchingProblem):
    """Every allowed pair as arrays (mentee index, mentor index, score), ordered by mentee then
    mentor. Only skills someone wants and mentors with room are looked at; per skill, every
    mentee wanting it meets every mentor holding it, so pairs sharing no skill cost nothing."""
    import numpy as np

    n_mentees, n_mentors = len(problem.mentees), len(problem.mentors)
    skill_index: dict[str, int] = {}
    want_rows, want_skills, want_targets = [], [], []
    for i, mentee in enumerate(problem.mentees):
        for skill, target in mentee.wants.items():
            want_rows.append(i)
            want_skills.append(skill_index.setdefault(skill, len(skill_index)))
            want_targets.append(target)
    hold_cols, hold_skills, hold_levels = [], [], []
    for j, mentor in enumerate(problem.mentors):
        if mentor.capacity == 0:
            continue
        for skill, level in mentor.skills.items():
            s = skill_index.get(skill)
            if s is not None:
                hold_cols.append(j)
                hold_skills.append(s)
                hold_levels.append(level)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if not want_rows or not hold_cols:
        return empty
    want_rows, want_skills, want_targets = np.array(want_rows), np.array(want_skills), np.array(want_targets)
    hold_cols, hold_skills, hold_levels = np.array(hold_cols), np.array(hold_skills), np.array(hold_levels)
    want_order, hold_order = np.argsort(want_skills, kind="stable"), np.argsort(hold_skills, kind="stable")
    want_bounds = np.searchsorted(want_skills[want_order], np.arange(len(skill_index) + 1))
    hold_bounds = np.searchsorted(hold_skills[hold_order], np.arange(len(skill_index) + 1))

    def blocks():
        for s in range(len(skill_index)):
            wanting = want_order[want_bounds[s]:want_bounds[s + 1]]
            holding = hold_order[hold_bounds[s]:hold_bounds[s + 1]]
            if len(wanting) and len(holding):
                terms = np.minimum(1.0, hold_levels[holding][None, :] / want_targets[wanting][:, None])
                yield want_rows[wanting], hold_cols[holding], terms

    if n_mentees * n_mentors <= DENSE_CELLS:
        matrix = np.zeros((n_mentees, n_mentors))
        for rows, cols, terms in blocks():
            matrix[np.ix_(rows, cols)] += terms  # a mentee wants a skill once: no repeated cells
        rows, cols = np.nonzero(matrix > 0)
        weights = matrix[rows, cols]
    else:
        from scipy import sparse

        parts = [(np.repeat(rows, len(cols)), np.tile(cols, len(rows)), terms.ravel())
                 for rows, cols, terms in blocks()]
        coo = sparse.coo_matrix((np.concatenate([p[2] for p in parts]),
                                 (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))),
                                shape=(n_mentees, n_mentors)).tocsr()
        coo.sum_duplicates()
        coo.sort_indices()
        rows = np.repeat(np.arange(n_mentees), np.diff(coo.indptr))
        cols, weights = coo.indices.astype(np.int64), coo.data
    excluded = _excluded_cells(problem)
    if excluded:
        keys = rows.astype(np.int64) * n_mentors + cols
        keep = ~np.isin(keys, np.array(sorted(excluded), dtype=np.int64))
        rows, cols, weights = rows[keep], cols[keep], weights[keep]
    return rows.astype(np.int64), cols.astype(np.int64), weights


def _excluded_cells(problem: MatchingProblem) -> set[int]:
    """Cells (mentee index × n_mentors + mentor index) of forbidden pairs and of a person paired
    with themself."""
    n_mentors = len(problem.mentors)
    mentor_index = {(type(m.id), m.id): j for j, m in enumerate(problem.mentors)}
    mentee_index = {(type(m.id), m.id): i for i, m in enumerate(problem.mentees)}
    cells = {mentee_index[key] * n_mentors + j for key, j in mentor_index.items() if key in mentee_index}
    for mentor_id, mentee_id in problem.forbidden:
        cells.add(mentee_index[(type(mentee_id), mentee_id)] * n_mentors + mentor_index[(type(mentor_id), mentor_id)])
    return cells


def _first_candidates(rows, weights, n_mentees, per_mentee):
    """Each mentee's best `per_mentee` pairs (ties: the earlier mentor)."""
    import numpy as np

    order = np.lexsort((-weights, rows))  # by mentee, then best score first; stable on mentor
    starts = np.searchsorted(rows[order], np.arange(n_mentees))
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
    chosen = np.zeros(len(rows), dtype=bool)
    chosen[order[rank < per_mentee]] = True
    return chosen


def _solve_lp(rows, cols, weights, capacities, n_mentees, n_mentors, method):
    """x (0/1 per pair) and the dual prices (per mentee, per mentor) of the transportation LP."""
    import numpy as np
    from scipy import sparse
    from scipy.optimize import linprog

    count = len(rows)
    columns = np.arange(count)
    constraints = sparse.csc_matrix(
        (np.ones(2 * count), (np.concatenate([rows, n_mentees + cols]), np.concatenate([columns, columns]))),
        shape=(n_mentees + n_mentors, count))
    limits = np.concatenate([np.ones(n_mentees), capacities.astype(float)])
    result = linprog(-weights, A_ub=constraints, b_ub=limits, bounds=(0, None), method=method,
                     options={"dual_feasibility_tolerance": 1e-10, "primal_feasibility_tolerance": 1e-10})
    if result.status != 0:  # pragma: no cover - a feasible, bounded LP; only a solver failure lands here
        raise RuntimeError(f"the LP solver failed: {result.message}")
    prices = -result.ineqlin.marginals
    return result.x, prices[:n_mentees], prices[n_mentees:]


def _solve_integral(rows, cols, weights, capacities, n_mentees, n_mentors):  # pragma: no cover - safety net
    import numpy as np
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    count = len(rows)
    columns = np.arange(count)
    constraints = sparse.csc_matrix(
        (np.ones(2 * count), (np.concatenate([rows, n_mentees + cols]), np.concatenate([columns, columns]))),
        shape=(n_mentees + n_mentors, count))
    limits = np.concatenate([np.ones(n_mentees), capacities.astype(float)])
    result = milp(-weights, constraints=LinearConstraint(constraints, -np.inf, limits),
                  integrality=np.ones(count), bounds=Bounds(0, 1))
    if result.status != 0:
        raise RuntimeError(f"the MILP solver failed: {result.message}")
    return result.x


def _solve_assignment(rows, cols, weights, slots, n_mentees):
    """Which pairs an optimal assignment takes (a boolean per pair): scipy's LAPJVsp
    (min_weight_full_bipartite_matching) on the mentors' places, one column per place, plus a
    column per mentee for "no mentor". Costs are -score as they are (no shift, no scaling); the
    "no mentor" columns cost the smallest positive float below zero, as scipy drops zeros."""
    import numpy as np
    from scipy import sparse
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    first_place = np.concatenate([[0], np.cumsum(slots)])
    places = int(first_place[-1])
    copies = slots[cols]
    within = np.arange(copies.sum()) - np.repeat(np.cumsum(copies) - copies, copies)
    graph = sparse.csr_matrix(
        (np.concatenate([-np.repeat(weights, copies), np.full(n_mentees, -np.finfo(float).tiny)]),
         (np.concatenate([np.repeat(rows, copies), np.arange(n_mentees)]),
          np.concatenate([np.repeat(first_place[cols], copies) + within, places + np.arange(n_mentees)]))),
        shape=(n_mentees, places + n_mentees))
    column = min_weight_full_bipartite_matching(graph)[1]
    placed = np.flatnonzero(column < places)
    mentor = np.searchsorted(first_place, column[placed], side="right") - 1
    return np.isin(rows * len(slots) + cols, placed * len(slots) + mentor)


def _potentials(rows, cols, weights, taken, capacities, n_mentees):
    """Prices (per mentee, per mentor) from shortest distances in the residual network of an optimal
    assignment of these pairs: a pair left out with score > mentee price − mentor price could
    still improve the total. Bellman–Ford, all arcs relaxed at once per pass; None if it finds a
    negative cycle (the assignment was not optimal after all), and the LP takes the round over."""
    import numpy as np

    n_mentors = len(capacities)
    hub = n_mentees + n_mentors  # source and sink, joined: nobody has to be matched
    matched = np.zeros(n_mentees, dtype=bool)
    matched[rows[taken]] = True
    load = np.bincount(cols[taken], minlength=n_mentors)
    room, used = np.flatnonzero(load < capacities), np.flatnonzero(load > 0)
    everyone = np.arange(n_mentees)
    tails = np.concatenate([np.where(matched, everyone, hub), rows[~taken], n_mentees + cols[taken],
                            n_mentees + room, np.full(len(used), hub)])
    heads = np.concatenate([np.where(matched, hub, everyone), n_mentees + cols[~taken], rows[taken],
                            np.full(len(room), hub), n_mentees + used])
    costs = np.concatenate([np.zeros(n_mentees), -weights[~taken], weights[taken], np.zeros(len(room) + len(used))])
    order = np.argsort(heads, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    starts = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]])
    targets = heads[starts]
    distance = np.zeros(hub + 1)
    for _ in range(hub + 2):
        shortest = np.minimum.reduceat(distance[tails] + costs, starts)
        better = shortest < distance[targets] - 1e-12
        if not better.any():
            return distance[:n_mentees], -distance[n_mentees:hub]
        distance[targets[better]] = shortest[better]
    return None  # pragma: no cover - a negative cycle: rounding misled the assignment solver


def solve(problem: MatchingProblem) -> MatchingResult:
    """The assignment with the largest total score (see the module's docstring)."""
    import numpy as np

    n_mentees, n_mentors = len(problem.mentees), len(problem.mentors)
    rows, cols, weights = _scores(problem)
    stats = {"allowed_pairs": len(rows), "rounds": 0, "candidate_pairs": 0, "methods": []}
    chosen_pairs: list[tuple[int, int]] = []
    if len(rows):
        degree = np.bincount(cols, minlength=n_mentors)
        capacities = np.minimum(np.array([mentor.capacity for mentor in problem.mentors]), degree)
        candidate = _first_candidates(rows, weights, n_mentees, FIRST_CANDIDATES)
        while True:
            stats["rounds"] += 1
            picked = np.flatnonzero(candidate)
            pr, pc, pw = rows[picked], cols[picked], weights[picked]
            slots = np.minimum(capacities, np.bincount(pc, minlength=n_mentors))
            prices = None
            if slots[pc].sum() <= EXPANDED_PAIRS:
                stats["methods"].append("lapjvsp")
                taken = _solve_assignment(pr, pc, pw, slots, n_mentees)
                prices = _potentials(pr, pc, pw, taken, capacities, n_mentees)
            if prices is not None:
                mentee_price, mentor_price = prices
            else:  # mentors with room for very many (or rounding misled LAPJVsp): the LP, interior point + crossover
                stats["methods"].append("highs-ipm")
                x, mentee_price, mentor_price = _solve_lp(pr, pc, pw, capacities, n_mentees, n_mentors, "highs-ipm")
                if np.abs(x - np.round(x)).max() > 1e-6:  # pragma: no cover - a vertex of a TU system is integral
                    stats["methods"].append("milp")
                    x = _solve_integral(pr, pc, pw, capacities, n_mentees, n_mentors)
                taken = x > 0.5
            reduced = weights - mentee_price[rows] - mentor_price[cols]
            improving = (reduced > PRICE_TOLERANCE) & ~candidate
            if not improving.any():
                break
            if stats["rounds"] >= MAX_ROUNDS:
                candidate[:] = True
            else:
                improving = np.flatnonzero(improving)
                candidate[improving[_first_candidates(rows[improving], reduced[improving], n_mentees,
                                                      FIRST_CANDIDATES)]] = True
        stats["candidate_pairs"] = len(picked)
        chosen = picked[taken]
        chosen_pairs = sorted(zip(cols[chosen].tolist(), rows[chosen].tolist(), strict=True))
    pairs = tuple(Pair(problem.mentors[j].id, problem.mentees[i].id, pair_score(problem.mentors[j], problem.mentees[i]))
                  for j, i in chosen_pairs)
    matched = {i for _, i in chosen_pairs}
    unmatched = tuple(mentee.id for i, mentee in enumerate(problem.mentees) if i not in matched)
    return MatchingResult(total_score=math.fsum(pair.score for pair in pairs), pairs=pairs, unmatched=unmatched,
                          stats=stats)


def check_assignment(problem: MatchingProblem, pairs) -> float:
    """The total score of `pairs` (mentor id, mentee id), checking every rule: allowed pairs only,
    a mentee at most once, a mentor within capacity. ValueError names the first broken rule.
    For tests and the benchmark: it shares nothing with solve() but the score."""
    mentors = {(type(m.id), m.id): m for m in problem.mentors}
    mentees = {(type(m.id), m.id): m for m in problem.mentees}
    load: dict = {}
    seen = set()
    scores = []
    for mentor_id, mentee_id in pairs:
        mentor, mentee = mentors[(type(mentor_id), mentor_id)], mentees[(type(mentee_id), mentee_id)]
        if not is_allowed(problem, mentor, mentee):
            raise ValueError(f"pair ({mentor_id!r}, {mentee_id!r}) is not allowed")
        if (type(mentee_id), mentee_id) in seen:
            raise ValueError(f"mentee {mentee_id!r} has two mentors")
        seen.add((type(mentee_id), mentee_id))
        load[mentor.id] = load.get(mentor.id, 0) + 1
        if load[mentor.id] > mentor.capacity:
            raise ValueError(f"mentor {mentor_id!r} is over capacity")
        scores.append(pair_score(mentor, mentee))
    return math.fsum(scores)
