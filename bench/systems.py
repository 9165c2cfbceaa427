"""Systems-thinking benchmark: loop analysis of a large diagram and a long simulation (prints figures; not a test).

    uv run python bench/systems.py            # best of 3 runs of each part
    uv run python bench/systems.py --quick    # one run of each: under a minute
    uv run python bench/systems.py --variables 2000 --links 10000 --stocks 200 --days 7300

What it measures.

* loops: a seeded random causal loop diagram of V variables and L distinct links (each "+" or "-"
  with even odds, one in ten marked delayed), then `find_loops` with its default bounds (10,000
  loops, 5 s) and `detect_archetypes` on the result: CPU time, peak Python memory (tracemalloc),
  loops found, whether the search was truncated and why, archetype matches. Memory is measured
  on one more run under tracemalloc, not timed.
* simulation: a generated Vensim model of S stocks, each with one flow (2 S equations besides the
  four control variables): a chain in which each stock drains into the next at a rate per day,
  the first fed by a constant inflow. Simulated daily (TIME STEP = SAVEPER = 1) for D days, through
  `learnloop.analytics.systems.simulation.simulate` (PySD): CPU time to translate the model (once)
  and to run it (best of the runs, translation reused), the process's peak resident memory (before
  and after the simulation part), rows and columns returned.

CPU time is process time (all threads); wall time lies on a loaded machine. The last line holds
every figure as key=value pairs.
"""

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from learnloop.analytics.systems import CausalModel, detect_archetypes, find_loops


def diagram(variables: int, links: int, seed: int) -> CausalModel:
    rng = random.Random(seed)
    names = [f"variable {number}" for number in range(variables)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < links:
        source, target = rng.randrange(variables), rng.randrange(variables)
        if source != target:
            pairs.add((source, target))
    return CausalModel.build(names, [(names[s], names[t], rng.choice("+-"), rng.random() < 0.1)
                                     for s, t in sorted(pairs)])


def chain_model(stocks: int, days: int) -> str:
    """Vensim text: stock i = INTEG(flow i), flow i = inflow (i = 0) or drain of stock i-1, minus its own drain."""
    equations = []
    for number in range(stocks):
        fed = "Inflow" if number == 0 else f"Rate * Stock {number - 1}"
        equations.append(f"Stock {number} = INTEG(Flow {number}, 100)\n\t~\tItems\n\t~\t|\n")
        equations.append(f"Flow {number} = {fed} - Rate * Stock {number}\n\t~\tItems/Day\n\t~\t|\n")
    controls = (
        "Inflow = 10\n\t~\tItems/Day\n\t~\t|\n"
        "Rate = 0.05\n\t~\t1/Day\n\t~\t|\n"
        f"FINAL TIME = {days}\n\t~\tDay\n\t~\t|\n"
        "INITIAL TIME = 0\n\t~\tDay\n\t~\t|\n"
        "SAVEPER = TIME STEP\n\t~\tDay\n\t~\t|\n"
        "TIME STEP = 1\n\t~\tDay\n\t~\t|\n"
    )
    return "{UTF-8}\n" + "".join(equations) + controls + "\\\\\\---/// Sketch information - do not modify\n"


def timed(work):
    began = time.process_time()
    result = work()
    return result, time.process_time() - began


def best(repeat: int, work):
    runs = [timed(work) for _ in range(repeat)]
    return min(runs, key=lambda run: run[1])


def traced_peak_mb(work) -> float:
    """Peak Python memory of one more run, under tracemalloc (not timed: tracing slows it)."""
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def process_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="one run of each part")
    parser.add_argument("--variables", type=int, default=1000)
    parser.add_argument("--links", type=int, default=5000)
    parser.add_argument("--stocks", type=int, default=100, help="stocks (each with a flow: 2x equations)")
    parser.add_argument("--days", type=int, default=3650)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    repeat = 1 if options.quick else 3
    figures: dict[str, object] = {"variables": options.variables, "links": options.links}

    model = diagram(options.variables, options.links, options.seed)
    analysis, loops_cpu = best(repeat, lambda: find_loops(model))
    loops_mb = traced_peak_mb(lambda: find_loops(model))
    report, archetypes_cpu = best(repeat, lambda: detect_archetypes(model, analysis))
    archetypes_mb = traced_peak_mb(lambda: detect_archetypes(model, analysis))
    figures.update({
        "loops_found": len(analysis.loops), "loops_truncated": analysis.truncated,
        "longest_loop": max((loop.length for loop in analysis.loops), default=0),
        "loops_cpu_s": round(loops_cpu, 3), "loops_peak_mb": round(loops_mb, 1),
        "archetype_matches": len(report.matches), "archetypes_cpu_s": round(archetypes_cpu, 3),
        "archetypes_peak_mb": round(archetypes_mb, 1),
    })
    print(f"loops: {len(analysis.loops):,} found in {loops_cpu:.3f} s CPU, peak {loops_mb:.1f} MB; "
          f"truncated={analysis.truncated} ({analysis.reason})", flush=True)
    print(f"archetypes: {len(report.matches)} matches in {archetypes_cpu:.3f} s CPU ({report.reason})", flush=True)

    from learnloop.analytics.systems import simulation

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chain.mdl"
        path.write_text(chain_model(options.stocks, options.days))
        before_mb = process_peak_mb()
        _, translate_cpu = timed(lambda: simulation.translate(path))
        table, run_cpu = best(repeat, lambda: simulation.simulate(path))
        run_mb = process_peak_mb()
    equations = 2 * options.stocks
    figures.update({
        "equations": equations, "days": options.days, "rows": len(table.rows), "columns": len(table.columns),
        "translate_cpu_s": round(translate_cpu, 3), "simulate_cpu_s": round(run_cpu, 3),
        "process_peak_rss_mb_before_simulation": round(before_mb, 1), "process_peak_rss_mb": round(run_mb, 1),
        "steps_per_cpu_s": round(options.days / run_cpu) if run_cpu else 0,
    })
    print(f"simulation: {equations} equations, {options.days} daily steps: "
          f"translated in {translate_cpu:.2f} s CPU, "
          f"ran in {run_cpu:.2f} s CPU, process peak RSS {run_mb:.1f} MB, "
          f"{len(table.rows)} rows x {len(table.columns)} columns",
          flush=True)
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    sys.exit(main())
