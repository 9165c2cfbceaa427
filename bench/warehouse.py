"""Warehouse pushdown vs loading the rows into pandas: CPU time and peak memory of Learnloop's process.

    uv run python bench/warehouse.py [--quick] [--events N ...]

Generates an experiment's event log as Parquet (cached under .cache/bench-warehouse/, never
committed): one exposure row per unit (a unit per 20 events, two variations, a country), and
events with a timestamp in the two weeks around exposure and a value on a quarter grid. Then,
each in a fresh process measured with wait4 (user + system CPU seconds, peak resident memory):

* pushdown: `learnloop experiment compute --source duckdb:///:memory:` over the Parquet files
  in place (DuckDB in Learnloop's process, its memory limited with --memory-limit);
* pandas: the same rows fetched into DataFrames and the same sums computed there
  (the way without a warehouse; skipped above --pandas-max events).

Both must find the same users and sums. --quick: 10 million events; the full run adds 100 million
(the target: 100 million events analysed with the process under 500 MB). Last line: key=value.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "bench-warehouse"
EVENTS_PER_UNIT = 20

GENERATE = """
import sys, duckdb
events, units, folder = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
connection = duckdb.connect(config={"memory_limit": "2GB", "preserve_insertion_order": False})
connection.execute(f'''COPY (
    SELECT i AS unit_id, CASE WHEN hash(i) % 2 = 0 THEN 'control' ELSE 'treatment' END AS variation,
           TIMESTAMP '2026-01-05' + to_seconds(CAST(hash(i * 7 + 1) % 604800 AS BIGINT)) AS first_exposure_at,
           ['DE', 'FR', 'US'][1 + CAST(hash(i * 3 + 2) % 3 AS INTEGER)] AS country
    FROM range({units}) t(i)) TO '{folder}/exposures.parquet' (FORMAT parquet)''')
connection.execute(f'''COPY (
    SELECT CAST(hash(i) % {units} AS BIGINT) AS unit_id,
           TIMESTAMP '2026-01-01' + to_seconds(CAST(hash(i * 13 + 5) % (21 * 86400) AS BIGINT)) AS timestamp,
           CAST(hash(i * 17 + 3) % 100 AS DOUBLE) / 4.0 AS value
    FROM range({events}) t(i)) TO '{folder}/events.parquet' (FORMAT parquet, ROW_GROUP_SIZE 1000000)''')
"""

PANDAS = """
import json, sys, duckdb
folder = sys.argv[1]
connection = duckdb.connect(config={"threads": 2})
connection.execute("SET enable_progress_bar = false")
exposures = connection.execute(f"SELECT * FROM '{folder}/exposures.parquet'").df()
events = connection.execute(f"SELECT * FROM '{folder}/events.parquet'").df()
units = exposures.groupby("unit_id").agg(first=("first_exposure_at", "min"), variation=("variation", "first"))
rows = events.merge(units[["first"]], left_on="unit_id", right_index=True)
values = rows[rows["timestamp"] >= rows["first"]].groupby("unit_id")["value"].sum()
x = values.reindex(units.index, fill_value=0.0)
frame = units.assign(x=x, xx=x * x).groupby("variation").agg(users=("x", "size"), sum=("x", "sum"),
                                                          sum_squares=("xx", "sum"))
print(json.dumps({name: [int(row["users"]), float(row["sum"]), float(row["sum_squares"])]
                  for name, row in frame.iterrows()}))
"""


def run(command: list[str]) -> tuple[str, float, float, float]:
    """stdout, CPU seconds (user + system), peak RSS in MB, wall seconds of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)  # noqa: S603
    out, err = _communicate(process)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(command[:5])} … failed:\n{err}")
    return out, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, time.perf_counter() - started


def _communicate(process) -> tuple[str, str]:
    # Read the pipes without reaping the child, so wait4 can still collect its resource usage.
    import threading

    chunks = {"out": [], "err": []}

    def drain(stream, key):
        chunks[key].append(stream.read())

    readers = [threading.Thread(target=drain, args=(process.stdout, "out")),
               threading.Thread(target=drain, args=(process.stderr, "err"))]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    return "".join(chunks["out"]), "".join(chunks["err"])


def dataset(events: int) -> Path:
    folder = CACHE / f"events-{events}"
    if not (folder / "events.parquet").exists():
        folder.mkdir(parents=True, exist_ok=True)
        tick = time.perf_counter()
        run([sys.executable, "-c", GENERATE, str(events), str(events // EVENTS_PER_UNIT), str(folder)])
        print(f"generated {events:,} events in {time.perf_counter() - tick:.0f} s", flush=True)
    return folder


def label(events: int) -> str:
    return f"{events // 1_000_000}m" if events % 1_000_000 == 0 else str(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10 million events only")
    parser.add_argument("--events", type=int, nargs="*", default=None)
    parser.add_argument("--pandas-max", type=int, default=20_000_000, help="skip pandas above this many events")
    parser.add_argument("--memory-limit", default="200MB", help="DuckDB's limit inside Learnloop's process")
    options = parser.parse_args()
    sizes = options.events or ([10_000_000] if options.quick else [10_000_000, 100_000_000])
    figures: dict[str, object] = {}
    for events in sizes:
        folder = dataset(events)
        (folder / "exposure.sql").write_text(f"SELECT * FROM '{folder}/exposures.parquet'")  # noqa: S608
        (folder / "metric.sql").write_text(f"SELECT * FROM '{folder}/events.parquet'")  # noqa: S608
        out, cpu, rss, wall = run([
            sys.executable, "-m", "learnloop.cli", "experiment", "compute", "--source", "duckdb:///:memory:",
            "--exposure-sql", str(folder / "exposure.sql"), "--metric-sql", str(folder / "metric.sql"),
            "--memory-limit", options.memory_limit, "--format", "json",
        ])
        pushed = {row["variation"]: [row["users"], row["sum"], row["sum_squares"]]
                  for row in json.loads(out)["variations"]}
        name = label(events)
        print(f"{events:>12,} events  pushdown: {cpu:6.1f} s CPU  peak RSS {rss:6.0f} MB  ({wall:.0f} s wall)",
              flush=True)
        figures |= {f"pushdown_{name}_cpu_s": round(cpu, 1), f"pushdown_{name}_peak_rss_mb": round(rss)}
        if events <= options.pandas_max:
            out, cpu, rss, wall = run([sys.executable, "-c", PANDAS, str(folder)])
            loaded = json.loads(out)
            same = loaded == pushed
            print(f"{events:>12,} events  pandas:   {cpu:6.1f} s CPU  peak RSS {rss:6.0f} MB  ({wall:.0f} s wall)"
                  f"  same sums: {same}", flush=True)
            figures |= {f"pandas_{name}_cpu_s": round(cpu, 1), f"pandas_{name}_peak_rss_mb": round(rss),
                        f"same_sums_{name}": same}
        else:
            figures[f"pandas_{name}"] = "skipped"
    largest = label(max(sizes))
    figures["largest_under_500mb"] = figures[f"pushdown_{largest}_peak_rss_mb"] < 500
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
