"""Generalize the attributes stored with anonymous answers so that no stored combination singles anyone out.

Someone holding the database knows every invitee's team and attributes; if a response carries a
combination (team × tenure × role) that only one invitee has, the response is theirs. So before
anything is stored, every record is mapped to a stored record such that each stored combination
is shared by at least k of the records given (k-anonymity over the invitees):

1. Teams with 1…k−1 records are folded into their parent, deepest first, so small teams'
   people pool in their department (and a department left with too few in the one above). If
   the top ("", the whole organization: people in no team) then holds 1…k−1 records, it takes
   in the shallowest, smallest buckets until it holds k: departments' pooled leftovers before
   whole teams. Reports count folded people in the group above.
2. Attribute bands are coarsened globally (the same stored values mean the same thing in every
   team): adjacent bands of an ordered attribute may merge, an unordered one is kept or dropped.
   Every candidate banding is tried and the one losing least is kept, losing an attribute earlier
   in `attributes` costing more (put the attributes reports use most first).
3. Within each stored team, combinations still shared by fewer than k records are suppressed
   to NOT_RECORDED, whichever of two ways loses less in that team: attribute by attribute, the
   last attribute first; or keeping one set of attributes for the whole team (the records whose
   values on it fewer than k share lose them all) — which keeps, say, the role of a small team
   whose members all have the same role although their tenures differ. Either way a leftover
   all-suppressed group below k takes in the smallest other combinations until it reaches k.

Deterministic: the same records give the same mapping, whatever their order. Pure: no Django.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product

NOT_RECORDED = "not recorded"
ROOT = ""
# Ordered attributes with more values than this are only kept or merged into halves, not searched exhaustively.
MAX_SEARCHED_VALUES = 8
# Past this much work (candidate bandings × distinct stored records) the bandings are not all
# tried: a coordinate search picks them, judged on a fixed sample of teams (see _choose_banding).
MAX_SEARCH_WORK = 400_000
MAX_SEARCHED_BANDINGS = 256
SAMPLE_RECORDS = 2_000
MAX_ROUNDS = 3
# Sets of attributes tried as what a whole team keeps: all of them up to this many attributes,
# beyond it only sets of one or two.
MAX_ALL_KEPT_SETS = 6


@dataclass(frozen=True)
class Scale:
    """An attribute as stored: its values in order; `ordered` ones may merge adjacent values."""

    name: str
    values: tuple[str, ...]
    ordered: bool = True
    # Label of a merged run of values, e.g. ("under 1 year", "1–3 years") -> "under 3 years".
    merged_label: Callable[[tuple[str, ...]], str] | None = None

    def label(self, run: tuple[str, ...]) -> str:
        if len(run) == 1:
            return run[0]
        if self.merged_label is not None:
            return self.merged_label(run)
        return " or ".join(run)


Record = tuple[str, tuple[str, ...]]  # (team key, attribute values in the order of the scales)


@dataclass
class Generalization:
    k: int
    teams: dict[str, str]  # team key -> stored team key
    values: dict[str, tuple[str, ...]]  # attribute -> the stored values reports may cut by, in order
    cells: dict[Record, Record]  # every record given -> the record stored for it
    merged: int = 0  # attribute values (records × attributes) stored as a merged band
    suppressed: int = 0  # attribute values stored as NOT_RECORDED
    merged_values: dict[str, list[list[str]]] = field(default_factory=dict)  # attribute -> runs merged
    below_k: list[Record] = field(default_factory=list)  # stored combinations still under k (fewer than k in all)

    def apply(self, record: Record) -> Record:
        return self.cells[record]


def generalize(
    records: Iterable[Record], *, parents: Mapping[str, str], scales: Sequence[Scale], k: int,
) -> Generalization:
    """The stored record for each distinct record so that every stored combination covers ≥ k records.

    `parents` maps a team key to its parent's key (ROOT for the top). A stored combination can
    only stay below k when there are fewer than k records in all.
    """
    records = list(records)
    counts = Counter(records)
    team_map = _fold_teams(Counter(team for team, _ in records), parents, k)
    by_team: dict[str, Counter] = {}
    for (team, values), number in counts.items():
        bucket = by_team.setdefault(team_map[team], Counter())
        bucket[values] += number
    banding = _choose_banding(by_team, scales, k)
    suppression, _ = _suppress(by_team, banding, scales, k)
    result = Generalization(k=k, teams=team_map, values={}, cells={})
    for scale, bands in zip(scales, banding, strict=True):
        stored = []
        for value in scale.values:
            if bands[value] != NOT_RECORDED and bands[value] not in stored:
                stored.append(bands[value])
        result.values[scale.name] = tuple(stored)
        runs = {}
        for value in scale.values:
            runs.setdefault(bands[value], []).append(value)
        result.merged_values[scale.name] = [run for label, run in runs.items() if len(run) > 1 or label == NOT_RECORDED]
    for record, number in counts.items():
        team, values = record
        stored_team = team_map[team]
        banded = _band(values, banding)
        stored = (stored_team, suppression[stored_team][banded])
        result.cells[record] = stored
        for original, value in zip(values, stored[1], strict=True):
            if value == NOT_RECORDED and original != NOT_RECORDED:
                result.suppressed += number
            elif value != original and original != NOT_RECORDED:
                result.merged += number
    stored_counts = Counter()
    for record, number in counts.items():
        stored_counts[result.cells[record]] += number
    result.below_k = sorted(cell for cell, number in stored_counts.items() if number < k)
    return result


# --- 1. teams ------------------------------------------------------------------------------------


def _depth(team: str, parents: Mapping[str, str]) -> int:
    depth, seen = 0, set()
    while team != ROOT and team not in seen:
        seen.add(team)
        team = parents.get(team, ROOT)
        depth += 1
    return depth


def _fold_teams(sizes: Counter, parents: Mapping[str, str], k: int) -> dict[str, str]:
    """Deepest first, a team holding 1…k−1 records goes into its parent, so small teams' people
    pool in their department; the top then takes in the shallowest, smallest buckets (leftovers
    pooled in departments before whole teams) until it holds k."""
    bucket = Counter(sizes)
    into: dict[str, str] = {}
    known = set(sizes) | set(parents) | {ROOT}
    for team in sorted(known - {ROOT}, key=lambda team: (-_depth(team, parents), team)):
        if 0 < bucket[team] < k:
            parent = parents.get(team, ROOT)
            parent = parent if parent in known else ROOT
            bucket[parent] += bucket.pop(team)
            into[team] = parent
    while 0 < bucket[ROOT] < k:
        others = [team for team in known if team != ROOT and bucket[team] > 0]
        if not others:
            break  # fewer than k records in all
        smallest = min(others, key=lambda team: (_depth(team, parents), bucket[team], team))
        bucket[ROOT] += bucket.pop(smallest)
        into[smallest] = ROOT

    def resolve(team: str) -> str:
        seen = set()
        while team in into and team not in seen:
            seen.add(team)
            team = into[team]
        return team

    return {team: resolve(team) for team in set(sizes) | set(parents)}


# --- 2. global bands ------------------------------------------------------------------------------


def _bandings(scale: Scale) -> list[dict[str, str]]:
    """Candidate mappings value -> stored value, finest first, dropping the attribute last."""
    values = scale.values
    if not values:
        return [{NOT_RECORDED: NOT_RECORDED}]
    partitions: list[list[tuple[str, ...]]] = [[(value,) for value in values]]
    if scale.ordered and len(values) > 2:
        if len(values) <= MAX_SEARCHED_VALUES:
            partitions = sorted(_contiguous_partitions(values), key=lambda runs: -len(runs))
            partitions = [runs for runs in partitions if len(runs) > 1]
        else:
            half = len(values) // 2
            partitions.append([values[:half], values[half:]])
    result = []
    for runs in partitions:
        mapping = {value: scale.label(run) for run in runs for value in run}
        mapping[NOT_RECORDED] = NOT_RECORDED
        result.append(mapping)
    dropped = dict.fromkeys(values, NOT_RECORDED)
    dropped[NOT_RECORDED] = NOT_RECORDED
    result.append(dropped)
    return result


def _contiguous_partitions(values: tuple[str, ...]):
    if len(values) == 1:
        yield [values]
        return
    for rest in _contiguous_partitions(values[1:]):
        yield [values[:1], *rest]
        yield [values[:1] + rest[0], *rest[1:]]


def _band(values: tuple[str, ...], banding) -> tuple[str, ...]:
    # A value outside the scale (already generalized elsewhere) is kept only if the banding keeps it.
    return tuple(bands.get(value, NOT_RECORDED) for value, bands in zip(values, banding, strict=True))


def _choose_banding(by_team: Mapping[str, Counter], scales: Sequence[Scale], k: int) -> tuple:
    """The global banding losing least.

    Every combination of candidate bandings is tried when that is cheap (at most
    MAX_SEARCHED_BANDINGS of them and MAX_SEARCH_WORK in all: the two attributes of the survey
    app at up to about 50,000 people). With more attributes the combinations multiply (five
    attributes: 1,024), so instead one attribute at a time is set to its best banding with the
    others fixed, starting from the finest, for up to MAX_ROUNDS rounds, each banding judged on
    a fixed sample of teams. The sample and the order are independent of the records' order, so
    the result is deterministic; every team is then suppressed under the chosen banding, so the
    k guarantee does not depend on the sample — only how much is lost may be a little more than
    the best banding would lose.
    """
    options = [_bandings(scale) for scale in scales]
    combinations = 1
    for choices in options:
        combinations *= len(choices)
    distinct = sum(len(bucket) for bucket in by_team.values())
    if combinations <= MAX_SEARCHED_BANDINGS and combinations * distinct <= MAX_SEARCH_WORK:
        best = None
        for banding in product(*options):
            _, cost = _suppress(by_team, banding, scales, k)
            if best is None or cost < best[0]:
                best = (cost, banding)
        return best[1]
    sample = _sample_teams(by_team)
    chosen = [0] * len(options)
    best_cost = _suppress(sample, tuple(choices[0] for choices in options), scales, k)[1]
    for _ in range(MAX_ROUNDS):
        changed = False
        for position, choices in enumerate(options):
            for number in range(len(choices)):
                if number == chosen[position]:
                    continue
                trial = [*chosen]
                trial[position] = number
                _, cost = _suppress(sample, tuple(opts[n] for opts, n in zip(options, trial, strict=True)), scales, k)
                if cost < best_cost:
                    best_cost, chosen, changed = cost, trial, True
        if not changed:
            break
    return tuple(choices[number] for choices, number in zip(options, chosen, strict=True))


def _sample_teams(by_team: Mapping[str, Counter]) -> dict[str, Counter]:
    """Every n-th stored team in sorted order, about SAMPLE_RECORDS distinct records in all."""
    teams = sorted(by_team)
    distinct = sum(len(by_team[team]) for team in teams)
    step = max(1, distinct // SAMPLE_RECORDS)
    return {team: by_team[team] for team in teams[::step]}


# --- 3. local suppression -------------------------------------------------------------------------


def _suppress(by_team: Mapping[str, Counter], banding, scales: Sequence[Scale], k: int):
    """({team: {banded values: stored values}}, cost) for one global banding."""
    weights = [len(scales) - position for position in range(len(scales))]
    losses = [_band_losses(scale, bands) for scale, bands in zip(scales, banding, strict=True)]

    def loss_of(banded: Counter, stored: Mapping[tuple, tuple]) -> float:
        cost = 0.0
        for values, number in banded.items():
            for position, (before, after) in enumerate(zip(values, stored[values], strict=True)):
                loss = 1.0 if after == NOT_RECORDED else losses[position].get(before, 0.0)
                cost += number * weights[position] * loss
        return cost

    cells_by_team, cost = {}, 0.0
    for team in sorted(by_team):
        banded = Counter()
        for values, number in by_team[team].items():
            banded[_band(values, banding)] += number
        if min(banded.values()) >= k:
            cells_by_team[team] = {values: values for values in banded}
            cost += loss_of(banded, cells_by_team[team])
            continue
        records = sum(banded.values())
        if records < 2 * k:
            # Room for one stored combination only (two would need 2k records): the best keeps
            # exactly the attributes on which the whole team agrees.
            stored = _keep_for_team(banded, _shared(banded), k)
            cells_by_team[team] = stored
            cost += loss_of(banded, stored)
            continue
        stored = _suppress_team(banded, k)
        best = (loss_of(banded, stored), stored)
        # Larger kept sets first; ties keep the earlier candidate. A set cannot do better than
        # losing everything outside it, so sets whose bound is no better are not tried.
        for kept in _kept_sets(_keepable(banded, k)):
            if records * sum(weight for position, weight in enumerate(weights) if position not in kept) >= best[0]:
                continue
            stored = _keep_for_team(banded, kept, k)
            loss = loss_of(banded, stored)
            if loss < best[0]:
                best = (loss, stored)
        cells_by_team[team] = best[1]
        cost += best[0]
    return cells_by_team, cost


def _shared(cells: Counter) -> tuple[int, ...]:
    """The attribute positions on which all of a team's records have the same recorded value."""
    first = next(iter(cells))
    return tuple(position for position, value in enumerate(first)
                 if value != NOT_RECORDED and all(values[position] == value for values in cells))


def _keepable(cells: Counter, k: int) -> tuple[int, ...]:
    """The attribute positions on which at least k of a team's records share a recorded value:
    only those can be kept by anyone in the team."""
    width = len(next(iter(cells)))
    keepable = []
    for position in range(width):
        sizes = Counter()
        for values, number in cells.items():
            if values[position] != NOT_RECORDED:
                sizes[values[position]] += number
        if sizes and max(sizes.values()) >= k:
            keepable.append(position)
    return tuple(keepable)


def _kept_sets(positions: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Sets of `positions` a whole team may keep, largest first, each set in order."""
    largest = len(positions) if len(positions) <= MAX_ALL_KEPT_SETS else 2
    return [kept for size in range(largest, 0, -1) for kept in combinations(positions, size)]


def _keep_for_team(cells: Counter, kept: tuple[int, ...], k: int) -> dict[tuple, tuple]:
    """Within one stored team: every record keeps only the attributes at `kept`, and records whose
    kept values fewer than k share keep nothing (as _suppress_team, the all-suppressed group
    takes in the smallest others while it is below k)."""
    width = len(next(iter(cells))) if cells else 0
    hidden = (NOT_RECORDED,) * width
    projected = {values: tuple(value if position in kept else NOT_RECORDED for position, value in enumerate(values))
                 for values in cells}
    sizes = Counter()
    for values, number in cells.items():
        sizes[projected[values]] += number
    mapping = {values: (stored if sizes[stored] >= k else hidden) for values, stored in projected.items()}
    current = Counter()
    for values, number in cells.items():
        current[mapping[values]] += number
    while 0 < current.get(hidden, 0) < k and any(number and values != hidden for values, number in current.items()):
        _, values = min((number, values) for values, number in current.items() if number and values != hidden)
        current[hidden] += current.pop(values)
        for original, stored in mapping.items():
            if stored == values:
                mapping[original] = hidden
    return mapping


def _band_losses(scale: Scale, bands: Mapping[str, str]) -> dict[str, float]:
    """Information lost per banded value: 0 kept, up to 1 for the attribute dropped."""
    sizes = Counter(bands[value] for value in scale.values)
    spread = max(len(scale.values) - 1, 1)
    losses = {label: (size - 1) / spread for label, size in sizes.items()}
    losses[NOT_RECORDED] = 1.0
    return losses


def _suppress_team(cells: Counter, k: int) -> dict[tuple, tuple]:
    """Within one stored team: {values: stored values} leaving no stored combination with 1…k−1 records."""
    mapping = {values: values for values in cells}
    current = Counter(cells)
    width = len(next(iter(cells))) if cells else 0
    hidden = (NOT_RECORDED,) * width
    while True:
        small = sorted((number, values) for values, number in current.items() if 0 < number < k and values != hidden)
        if small:
            _, values = small[0]
            position = max(i for i, value in enumerate(values) if value != NOT_RECORDED)
            target = (*values[:position], NOT_RECORDED, *values[position + 1:])
        elif 0 < current.get(hidden, 0) < k and len([v for v, n in current.items() if n and v != hidden]):
            # The all-suppressed group is too small on its own: hide the smallest other combination too.
            _, values = min((number, values) for values, number in current.items() if number and values != hidden)
            target = hidden
        else:
            return mapping
        current[target] += current.pop(values)
        for original, stored in mapping.items():
            if stored == values:
                mapping[original] = target
