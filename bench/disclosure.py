"""Survey disclosure control benchmark (prints figures; it is not a test).

    uv run python bench/disclosure.py            # 200 organizations, 3 fine ones, launch path at 10k×2 and 50k×5
    uv run python bench/disclosure.py --quick    # 60 organizations, 1 fine one, launch path at 10k×2 and 20k×5
    uv run python bench/disclosure.py --scale 50000:5 --scale 100000:5   # launch path at other sizes

1. Exposure. Seeded random organizations (learnloop.analytics.disclosure.simulate defaults:
   2–4 departments of 2–4 teams, log-normal team sizes with median 6, two attributes with 2–3
   values of unequal shares). A manager asks for every node of the hierarchy alone and crossed
   with every one- and two-attribute combination of values. An attacker doing exact linear
   algebra over the rationals on everything shown (learnloop.analytics.disclosure.attack,
   written apart from the engine) counts the respondents whose exact answer follows. Three
   policies at k = 5: a plain threshold, the plain threshold plus next-smallest-sibling
   suppression (repeated until stable), and the exact audit.
2. Launch path at scale (`--scale RESPONDENTS:ATTRIBUTES`, each in its own process so that its
   peak memory, ru_maxrss, is its own). An organization of departments of 4–12 teams with
   log-normal team sizes (median 8, mostly 5–12; `simulate.large_organization`) and the first
   ATTRIBUTES of tenure (4 bands), role (3), location (5), employment type (3) and age band (5),
   with unequal shares. As the survey app does: the invitees' attributes are generalized at
   launch (a quarter more invitees than respondents), the respondents' stored records again at
   close, then every node alone and crossed with one and two stored attribute values is
   requested and decided (k = 5). CPU time of each step.
3. Exact audit on fine cells (no generalization). A realistic organization: 8 departments × 5
   teams, about 2,000 respondents, three attributes (tenure 4 values, role 3, contract 2),
   every one- and two-attribute breakdown of every node; time of one complete decision (audit,
   suppression and reasons), and without the reasons. `--fine D` also times an organization
   of D departments with location (5 values) instead of contract: 60 attribute combinations,
   where the exact search costs most.

The last line holds every figure as key=value pairs.
"""

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "src"))
sys.path.insert(0, str(REPOSITORY))  # the attacker, baselines and simulated organizations live with the tests

from learnloop.analytics.disclosure import breakdowns, decide  # noqa: E402
from learnloop.analytics.disclosure.cuts import Attribute  # noqa: E402
from learnloop.analytics.disclosure.generalize import NOT_RECORDED, ROOT, Scale, generalize  # noqa: E402
from tests.analytics.disclosure.attack import exposed_respondents  # noqa: E402
from tests.analytics.disclosure.baselines import families, plain_threshold, sibling_suppression  # noqa: E402
from tests.analytics.disclosure.simulate import DEMOGRAPHICS, large_organization, random_organization  # noqa: E402

K = 5
TENURE = Attribute("tenure", ("<1y", "1-3y", "3-5y", "5y+"))
ROLE = Attribute("role", ("individual", "lead", "manager"))
# Realistic shapes: 4 × 3 × 2 = 24 attribute combinations, and the finer 4 × 3 × 5 = 60.
REALISTIC_ATTRIBUTES = (TENURE, ROLE, Attribute("contract", ("full-time", "part-time")))
FINE_ATTRIBUTES = (TENURE, ROLE, Attribute("location", ("Berlin", "Lisbon", "Remote", "Toronto", "Nairobi")))


def _members(organization):
    by_cell: dict = {}
    for number, person in enumerate(organization.respondents):
        by_cell.setdefault(person.cell, []).append(number)
    return by_cell


def exposure(organizations: int) -> dict:
    exposed = {"plain": 0, "sibling": 0, "audit": 0}
    respondents = 0
    for seed in range(organizations):
        organization = random_organization(random.Random(seed))
        by_cell = _members(organization)
        counts = {cell: len(people) for cell, people in by_cell.items()}
        groups = breakdowns(counts, organization.attributes)
        policies = {
            "plain": plain_threshold(counts, groups, K),
            "sibling": sibling_suppression(counts, groups, K, families(groups, organization.attributes)),
            "audit": decide(counts, groups, k=K, explain=False).released,
        }
        people = range(len(organization.respondents))
        respondents += len(organization.respondents)
        for name, shown in policies.items():
            sets = [[number for cell in group.cells for number in by_cell.get(cell, ())] for group in shown]
            exposed[name] += len(exposed_respondents(people, sets))
    return {"respondents": respondents, **{name: count / respondents for name, count in exposed.items()}}


def realistic(seed: int, attributes=REALISTIC_ATTRIBUTES, departments: int = 8):
    rng = random.Random(1000 + seed)
    organization = random_organization(
        rng,
        departments=(departments, departments),
        teams_per_department=(5, 5),
        team_size_median=47,
        chosen_attributes=attributes,
    )
    counts: dict = {}
    for person in organization.respondents:
        counts[person.cell] = counts.get(person.cell, 0) + 1
    return organization, counts, breakdowns(counts, organization.attributes)


def speed(runs: int) -> dict:
    full, bare, sizes, group_counts, cells, released = [], [], [], [], [], []
    for seed in range(runs):
        organization, counts, groups = realistic(seed)
        # CPU time of this process: the machine is shared, wall time would measure the neighbours.
        started = time.process_time()
        audit = decide(counts, groups, k=K)
        full.append(time.process_time() - started)
        started = time.process_time()
        decide(counts, groups, k=K, explain=False)
        bare.append(time.process_time() - started)
        sizes.append(len(organization.respondents))
        group_counts.append(len(groups))
        cells.append(len(counts))
        released.append(len(audit.released))
        shape = "×".join(str(len(attribute.values)) for attribute in organization.attributes)
        print(
            f"realistic #{seed}: {sizes[-1]} respondents, {cells[-1]} non-empty cells, attributes {shape}, "
            f"{group_counts[-1]} groups requested, {released[-1]} released; "
            f"decision {full[-1]:.1f}s ({bare[-1]:.1f}s without reasons)"
        )
    return {
        "realistic_respondents": round(statistics.mean(sizes)),
        "realistic_groups": round(statistics.mean(group_counts)),
        "realistic_released_share": round(sum(released) / sum(group_counts), 3),
        "audit_cpu_seconds": round(statistics.mean(full), 2),
        "audit_cpu_seconds_without_reasons": round(statistics.mean(bare), 2),
    }


def launch_path(respondents: int, attributes: int) -> dict:
    """Generalize at launch and at close, then decide every cut: CPU seconds per step, peak memory."""
    invitees = large_organization(random.Random(respondents * 10 + attributes), respondents * 5 // 4,
                                  attributes=attributes)
    chosen = DEMOGRAPHICS[:attributes]
    parents, paths = {}, {ROOT: ()}
    for person in invitees.respondents:
        team = "/".join(person.team)
        parents[team], parents[person.team[0]] = person.team[0], ROOT
        paths[team], paths[person.team[0]] = person.team, person.team[:1]
    scales = [Scale(attribute.name, attribute.values, ordered=ordered) for attribute, _, ordered in chosen]
    records = [("/".join(person.team), person.attributes) for person in invitees.respondents]
    figures: dict = {}

    started = time.process_time()
    at_launch = generalize(records, parents=parents, scales=scales, k=K)
    figures["launch_generalize_cpu"] = time.process_time() - started

    # Every fifth invitee does not answer (a fixed pattern, not the first ones: teams stay mixed).
    answered = [at_launch.apply(record) for number, record in enumerate(records) if number % 5 != 4]
    stored_scales = [Scale(scale.name, at_launch.values[scale.name], ordered=scale.ordered) for scale in scales]
    started = time.process_time()
    at_close = generalize(answered, parents=parents, scales=stored_scales, k=K)
    figures["close_generalize_cpu"] = time.process_time() - started

    started = time.process_time()
    counts: Counter = Counter()
    not_recorded = 0
    kept = Counter()
    for record in answered:
        team, values = at_close.apply(record)
        counts[(paths[team], values)] += 1
        not_recorded += values.count(NOT_RECORDED)
        kept.update(scale.name for scale, value in zip(scales, values, strict=True) if value != NOT_RECORDED)
    cut_attributes = [Attribute(scale.name, at_close.values[scale.name]) for scale in stored_scales]
    groups = breakdowns(counts, cut_attributes, max_conditions=2)
    figures["breakdowns_cpu"] = time.process_time() - started

    started = time.process_time()
    audit = decide(counts, groups, k=K)
    figures["decide_cpu"] = time.process_time() - started

    figures.update(
        respondents=len(answered),
        teams=sum(1 for team in parents if "/" in team),
        cells=len(counts),
        light_cells=sum(1 for number in counts.values() if number < K),
        groups=len(groups),
        nonempty_groups=sum(1 for group in groups if group.cells),
        released=len(audit.released),
        suppressed_values_share=not_recorded / (len(answered) * attributes),
        # Per attribute, the share of respondents whose value (or a band holding it) is stored.
        kept_shares={scale.name: kept[scale.name] / len(answered) for scale in scales},
        max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # kilobytes on Linux
    )
    figures["total_cpu"] = sum(value for key, value in figures.items() if key.endswith("_cpu"))
    return figures


def launch_path_in_own_process(respondents: int, attributes: int) -> dict:
    finished = subprocess.run(  # noqa: S603 (this script, with figures it built itself)
        [sys.executable, __file__, "--run-scale", f"{respondents}:{attributes}"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(finished.stdout.strip().splitlines()[-1])


def _scale(text: str) -> tuple[int, int]:
    respondents, _, attributes = text.partition(":")
    return int(respondents), int(attributes or 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--organizations", type=int)
    parser.add_argument("--realistic", type=int)
    parser.add_argument("--fine", type=int, default=0, help="departments of the finer organization (0: skip)")
    parser.add_argument("--scale", type=_scale, action="append",
                        help="RESPONDENTS:ATTRIBUTES for the launch path (repeatable; default 10000:2 and 50000:5)")
    parser.add_argument("--run-scale", type=_scale, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.run_scale:
        print(json.dumps(launch_path(*options.run_scale)))
        return
    scales = options.scale or ([(10_000, 2), (20_000, 5)] if options.quick else [(10_000, 2), (50_000, 5)])
    organizations = options.organizations or (60 if options.quick else 200)
    runs = options.realistic or (1 if options.quick else 3)

    started = time.perf_counter()
    shares = exposure(organizations)
    print(
        f"exposure over {organizations} organizations ({shares['respondents']} respondents, k={K}): "
        f"plain threshold {shares['plain']:.2%}, sibling suppression {shares['sibling']:.2%}, "
        f"exact audit {shares['audit']:.2%} ({time.perf_counter() - started:.1f}s)"
    )
    figures = {
        "organizations": organizations,
        "exposed_plain": round(shares["plain"], 4),
        "exposed_sibling": round(shares["sibling"], 4),
        "exposed_audit": round(shares["audit"], 4),
        **speed(runs),
    }
    for respondents, attributes in scales:
        measured = launch_path_in_own_process(respondents, attributes)
        print(
            f"launch path, {measured['respondents']} respondents × {attributes} attributes "
            f"({measured['teams']} teams): {measured['cells']} stored cells ({measured['light_cells']} below k), "
            f"{measured['groups']} groups ({measured['nonempty_groups']} non-empty), {measured['released']} released; "
            f"CPU s: generalize at launch {measured['launch_generalize_cpu']:.1f}, at close "
            f"{measured['close_generalize_cpu']:.1f}, cuts {measured['breakdowns_cpu']:.1f}, decision "
            f"{measured['decide_cpu']:.1f}, total {measured['total_cpu']:.1f}; "
            f"peak memory {measured['max_rss_mb']:.0f} MB; "
            f"attribute values stored as not recorded {measured['suppressed_values_share']:.0%}; kept per attribute: "
            + ", ".join(f"{name} {share:.0%}" for name, share in measured["kept_shares"].items())
        )
        prefix = f"scale_{respondents}x{attributes}_"
        for key in ("total_cpu", "decide_cpu", "launch_generalize_cpu", "close_generalize_cpu", "breakdowns_cpu"):
            figures[prefix + key + "_seconds"] = round(measured[key], 2)
        figures[prefix + "max_rss_mb"] = round(measured["max_rss_mb"])
        figures[prefix + "groups"] = measured["groups"]
        figures[prefix + "released"] = measured["released"]
        figures[prefix + "not_recorded_share"] = round(measured["suppressed_values_share"], 3)
        for name, share in measured["kept_shares"].items():
            figures[prefix + f"kept_{name}_share"] = round(share, 3)
    if options.fine:
        organization, counts, groups = realistic(0, FINE_ATTRIBUTES, options.fine)
        started = time.process_time()
        decide(counts, groups, k=K, explain=False)
        figures["fine_respondents"] = len(organization.respondents)
        figures["fine_groups"] = len(groups)
        figures["fine_audit_cpu_seconds_without_reasons"] = round(time.process_time() - started, 1)
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
