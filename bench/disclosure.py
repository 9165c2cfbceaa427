"""Survey disclosure control benchmark (prints figures; it is not a test).

    uv run python bench/disclosure.py            # 200 simulated organizations, 3 realistic ones
    uv run python bench/disclosure.py --quick    # 60 organizations, 1 realistic one: under a minute

1. Exposure. Seeded random organizations (learnloop.analytics.disclosure.simulate defaults:
   2–4 departments of 2–4 teams, log-normal team sizes with median 6, two attributes with 2–3
   values of unequal shares). A manager asks for every node of the hierarchy alone and crossed
   with every one- and two-attribute combination of values. An attacker doing exact linear
   algebra over the rationals on everything shown (learnloop.analytics.disclosure.attack,
   written apart from the engine) counts the respondents whose exact answer follows. Three
   policies at k = 5: a plain threshold, the plain threshold plus next-smallest-sibling
   suppression (repeated until stable), and the exact audit.
2. Speed. A realistic organization: 8 departments × 5 teams, about 2,000 respondents, three
   attributes (tenure 4 values, role 3, contract 2), every one- and two-attribute breakdown of
   every node; time of one complete decision (audit, suppression and reasons), and without
   the reasons. `--fine D` also times an organization of D departments with location (5
   values) instead of contract: 60 attribute combinations, where the exact search costs most.

The last line holds every figure as key=value pairs.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from learnloop.analytics.disclosure import breakdowns, decide
from learnloop.analytics.disclosure.attack import exposed_respondents
from learnloop.analytics.disclosure.baselines import plain_threshold, sibling_suppression
from learnloop.analytics.disclosure.cuts import Attribute, families
from learnloop.analytics.disclosure.simulate import random_organization

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--organizations", type=int)
    parser.add_argument("--realistic", type=int)
    parser.add_argument("--fine", type=int, default=0, help="departments of the finer organization (0: skip)")
    options = parser.parse_args()
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
