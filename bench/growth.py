"""Mentor matching: speed and memory at 5,000 mentees × 1,000 mentors × 200 skills, and the optimum
checked against an independent exact solver (prints figures; it is not a test).

    uv run python bench/growth.py            # each capacity regime 3 times; 60 + 8 checked instances
    uv run python bench/growth.py --quick    # each regime once; 24 + 4 checked instances: under a minute

Speed. Documents generated from a fixed seed: 1,000 mentors holding 3–15 of 200 skills at levels
1–5, 5,000 mentees wanting 1–6 skills at targets 1–5, 500 forbidden pairs, and 500 people who
are both a mentor and a mentee. Three regimes: "scarce" (capacities 1–6, about 3,500 places for
5,000 mentees), "balanced" (2–8, about 5,000 places: the hardest for a general LP solver) and
"roomy" (3–12, about 7,500 places). Each run is the real command,
`learnloop growth match FILE --format json`, in a fresh process; the figures are that process's
CPU seconds (user + system, interpreter start and imports included, HiGHS's threads included)
and its peak resident memory (ru_maxrss). The machine is shared: CPU time, not wall time.

Optimality. Random instances (levels and targets whole numbers 1–5, so every score × 60 is a
whole number) solved by learnloop.analytics.mentor_matching and by networkx's network simplex
(min_cost_flow) on those integer costs, which shares no code with it; the totals must agree to
1e-9, and every returned assignment is checked against the rules (allowed pairs, one mentor per
mentee, capacities). At full size (not with --quick), the balanced document is also solved as
one linear programme over every allowed pair by HiGHS, with the scores computed separately: the
totals must agree (to 1e-6, HiGHS's own tolerance). --networkx-full adds networkx on the scarce
document (pure Python, slow).
"""

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

CHILD = """
import json, resource, sys, time
from learnloop.cli import main
sys.stdout = open(sys.argv[2], "w")
main(["growth", "match", sys.argv[1], "--format", "json"])
sys.stdout.close()
usage = resource.getrusage(resource.RUSAGE_SELF)
sys.stderr.write(json.dumps({"cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}))
"""


def document(seed: int, mentees: int, mentors: int, skills: int, capacity: tuple[int, int], *, shared: int,
             forbidden: int, wants=(1, 6), holds=(3, 15)) -> dict:
    rng = random.Random(seed)
    names = [f"skill-{k:03d}" for k in range(skills)]
    mentor_ids = [f"p{j}" for j in range(mentors)]
    mentee_ids = [f"p{mentors - shared + i}" for i in range(mentees)]
    result = {
        "mentors": [{"id": identifier, "capacity": rng.randint(*capacity),
                     "skills": {s: rng.randint(1, 5) for s in rng.sample(names, min(skills, rng.randint(*holds)))}}
                    for identifier in mentor_ids],
        "mentees": [{"id": identifier,
                     "wants": {s: rng.randint(1, 5) for s in rng.sample(names, min(skills, rng.randint(*wants)))}}
                    for identifier in mentee_ids],
    }
    result["forbidden"] = [[rng.choice(mentor_ids), rng.choice(mentee_ids)] for _ in range(forbidden)]
    return result


def flow_optimum(doc: dict) -> Fraction:
    """The optimum by networkx's network simplex on integer costs (score × 60)."""
    import networkx as nx

    forbidden = {tuple(pair) for pair in doc["forbidden"]}
    graph = nx.DiGraph()
    n = len(doc["mentees"])
    graph.add_node("source", demand=-n)
    graph.add_node("sink", demand=n)
    graph.add_edge("source", "sink", capacity=n, weight=0)
    for mentee in doc["mentees"]:
        graph.add_edge("source", ("e", mentee["id"]), capacity=1, weight=0)
    for mentor in doc["mentors"]:
        graph.add_edge(("m", mentor["id"]), "sink", capacity=mentor["capacity"], weight=0)
        for mentee in doc["mentees"]:
            if mentor["id"] == mentee["id"] or (mentor["id"], mentee["id"]) in forbidden:
                continue
            score = sum((min(Fraction(1), Fraction(mentor["skills"][s], t)) for s, t in mentee["wants"].items()
                         if s in mentor["skills"]), Fraction(0)) * 60
            if score > 0:
                graph.add_edge(("e", mentee["id"]), ("m", mentor["id"]), capacity=1, weight=-int(score))
    return Fraction(-nx.min_cost_flow_cost(graph), 60)


def check_optimum(seeds: range, size: tuple[int, int]) -> tuple[int, float]:
    """(instances agreeing with networkx, largest difference)."""
    from learnloop.analytics.mentor_matching import check_assignment, problem_from_data, solve

    agreed, worst = 0, 0.0
    for seed in seeds:
        rng = random.Random(seed)
        mentees, mentors = rng.randint(1, size[0]), rng.randint(1, size[1])
        capacity = (0, 2) if seed % 2 else (1, 6)
        doc = document(seed, mentees, mentors, 12, capacity, shared=rng.randint(0, min(mentees, mentors)),
                       forbidden=rng.randint(0, mentees), wants=(0, 4), holds=(0, 5))
        problem = problem_from_data(doc)
        result = solve(problem)
        total = check_assignment(problem, [(pair.mentor, pair.mentee) for pair in result.pairs])
        difference = abs(result.total_score - float(flow_optimum(doc)))
        worst = max(worst, difference)
        agreed += difference <= 1e-9 and abs(total - result.total_score) <= 1e-9
    return agreed, worst


def ours_total(doc: dict) -> float:
    from learnloop.analytics.mentor_matching import problem_from_data, solve

    return solve(problem_from_data(doc)).total_score


def full_lp_optimum(doc: dict) -> float:
    """The whole transportation LP at once with HiGHS (scipy.optimize.linprog), scores computed here
    pair by pair in plain Python: independent of the pricing loop and of the assignment solver."""
    import numpy as np
    from scipy import sparse
    from scipy.optimize import linprog

    forbidden = {tuple(pair) for pair in doc["forbidden"]}
    by_skill: dict[str, list[int]] = {}
    for j, mentor in enumerate(doc["mentors"]):
        for skill in mentor["skills"]:
            by_skill.setdefault(skill, []).append(j)
    rows, cols, weights = [], [], []
    for i, mentee in enumerate(doc["mentees"]):
        scores: dict[int, float] = {}
        for skill, target in mentee["wants"].items():
            for j in by_skill.get(skill, ()):
                scores[j] = scores.get(j, 0.0) + min(1.0, doc["mentors"][j]["skills"][skill] / target)
        for j, score in scores.items():
            mentor_id = doc["mentors"][j]["id"]
            if mentor_id != mentee["id"] and (mentor_id, mentee["id"]) not in forbidden:
                rows.append(i)
                cols.append(j)
                weights.append(score)
    n, m, count = len(doc["mentees"]), len(doc["mentors"]), len(rows)
    matrix = sparse.csc_matrix((np.ones(2 * count), (np.r_[rows, np.array(cols) + n], np.r_[np.arange(count),
                                                                                             np.arange(count)])),
                               shape=(n + m, count))
    limits = np.r_[np.ones(n), [mentor["capacity"] for mentor in doc["mentors"]]]
    result = linprog(-np.array(weights), A_ub=matrix, b_ub=limits, bounds=(0, 1), method="highs")
    assert result.status == 0, result.message
    return -result.fun


def run_command(doc: dict) -> dict:
    """The CLI on the document in a fresh process: its CPU seconds, peak MB, and the checked result."""
    from learnloop.analytics.mentor_matching import check_assignment, problem_from_data

    with tempfile.TemporaryDirectory() as directory:
        source, output = Path(directory) / "people.json", Path(directory) / "matched.json"
        source.write_text(json.dumps(doc))
        finished = subprocess.run([sys.executable, "-c", CHILD, str(source), str(output)],  # noqa: S603 (our script)
                                  capture_output=True,
                                  text=True, check=True)
        figures = json.loads(finished.stderr.strip().splitlines()[-1])
        result = json.loads(output.read_text())
    total = check_assignment(problem_from_data(doc), [(pair["mentor"], pair["mentee"]) for pair in result["pairs"]])
    assert abs(total - result["total_score"]) <= 1e-9, "the total is not the sum of the pairs"
    figures.update(total=result["total_score"], pairs=len(result["pairs"]), unmatched=len(result["unmatched"]))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="each regime once, fewer checked instances")
    parser.add_argument("--full-check", action="store_true",
                        help="with --quick: still solve the balanced document as one HiGHS LP")
    parser.add_argument("--networkx-full", action="store_true",
                        help="also solve the scarce document with networkx (pure Python: a long wait)")
    options = parser.parse_args()
    repeats = 1 if options.quick else 3
    figures = {"mentees": 5000, "mentors": 1000, "skills": 200}
    for regime, capacity in (("scarce", (1, 6)), ("balanced", (2, 8)), ("roomy", (3, 12))):
        doc = document(17, 5000, 1000, 200, capacity, shared=500, forbidden=500)
        places = sum(mentor["capacity"] for mentor in doc["mentors"])
        runs = [run_command(doc) for _ in range(repeats)]
        cpu = statistics.median(run["cpu_s"] for run in runs)
        peak = max(run["peak_mb"] for run in runs)
        print(f"{regime}: 5,000 mentees × 1,000 mentors ({places} places) × 200 skills: `growth match` "
              f"{cpu:.2f} s CPU (median of {repeats}), peak {peak:.0f} MB; total {runs[0]['total']:.4f}, "
              f"{runs[0]['pairs']} pairs, {runs[0]['unmatched']} unmatched")
        figures[f"{regime}_cpu_s"] = f"{cpu:.2f}"
        figures[f"{regime}_peak_mb"] = f"{peak:.0f}"
    started = time.process_time()
    small, small_worst = check_optimum(range(24 if options.quick else 60), (8, 4))
    medium, medium_worst = check_optimum(range(1000, 1004 if options.quick else 1008), (400, 80))
    checked = (24 if options.quick else 60) + (4 if options.quick else 8)
    print(f"optimality: {small + medium} of {checked} random instances agree with networkx min_cost_flow "
          f"(largest difference {max(small_worst, medium_worst):.1e}); {time.process_time() - started:.1f} s CPU")
    figures.update(optimal=small + medium, checked=checked)
    if not options.quick or options.full_check:
        doc = document(17, 5000, 1000, 200, (2, 8), shared=500, forbidden=500)
        started = time.process_time()
        reference = full_lp_optimum(doc)
        print(f"balanced document, every allowed pair in one HiGHS LP (no pricing, no assignment solver): "
              f"{reference:.6f} in {time.process_time() - started:.1f} s CPU")
        figures["full_lp_agrees"] = int(abs(reference - ours_total(doc)) <= 1e-6)
    if options.networkx_full:
        doc = document(17, 5000, 1000, 200, (1, 6), shared=500, forbidden=500)
        started = time.process_time()
        reference = float(flow_optimum(doc))
        print(f"scarce document by networkx min_cost_flow: {reference:.6f} ({time.process_time() - started:.0f} s CPU)")
        figures["full_networkx_agrees"] = int(abs(reference - ours_total(doc)) <= 1e-9)
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["bench_peak_mb"] = f"{peak_self:.0f}"
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
