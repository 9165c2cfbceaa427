"""`learnloop systems simulate MODEL_FILE`, without Django: run a Vensim or XMILE model through PySD.

Output: CSV with a `TIME` column then one column per variable (the layout of PySD's output files
and of the SDXorg test-models canonical outputs), or JSON {"columns": [...], "rows": [[...]]}
with the same columns. Bad input (no such file, a malformed --param, an unknown variable, a
function PySD doesn't support) stops with a message and exit status 2. docs/systems.md.

Only argparse loads at import; PySD, pandas and numpy load when the model runs.
"""

import argparse
import json
import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

BAD_INPUT = 2
DEFAULT_TIMEOUT_SECONDS = 60.0
HELP = "Run a Vensim (.mdl) or XMILE (.xmile) model through PySD and print the results table."


def split_columns(text: str) -> list[str]:
    """"A,B[x1,x2],C" -> ["A", "B[x1,x2]", "C"]: commas inside [...] belong to a subscript."""
    columns, current, depth = [], [], 0
    for character in text:
        if character == "[":
            depth += 1
        elif character == "]":
            depth = max(0, depth - 1)
        if character == "," and depth == 0:
            columns.append("".join(current).strip())
            current = []
        else:
            current.append(character)
    columns.append("".join(current).strip())
    return [column for column in columns if column]


def add_arguments(simulate: argparse.ArgumentParser) -> None:
    simulate.add_argument("model_file", type=Path, metavar="MODEL_FILE", help="a .mdl, .xmile, .xml or .stmx model")
    simulate.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                          help="set a constant for this run (repeatable)")
    simulate.add_argument("--return-columns", default="", metavar="A,B",
                          help="only these variables (default: every variable); Name[a1,b1] for one element")
    simulate.add_argument("--format", choices=["csv", "json"], default="csv")
    simulate.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SECONDS",
                          help="stop translating and running after this many seconds (0: no limit; default 60)")


@contextmanager
def time_limit(seconds: float):
    """Raise SimulationError in this (main) thread when the wall-clock time is up (SIGALRM)."""
    from learnloop.analytics.systems.simulation import SimulationError

    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signal, _frame):
        raise SimulationError(f"the model took longer than {seconds:g} seconds and was stopped "
                              "(raise --timeout to allow more).")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def simulate(options: dict) -> str:
    from learnloop.analytics.systems.simulation import parse_params
    from learnloop.analytics.systems.simulation import simulate as run

    params = parse_params(options["param"])
    columns = split_columns(options["return_columns"]) or None
    with time_limit(options.get("timeout", DEFAULT_TIMEOUT_SECONDS)):
        table = run(options["model_file"], params=params, return_columns=columns)
    if options["format"] == "json":
        return json.dumps(table.to_json_data(), ensure_ascii=False) + "\n"
    return table.to_csv()


def main(argv: list[str], *, write: Callable[[str], object], fail: Callable[[str], object]) -> int:
    """Run `learnloop systems simulate ARGV` without Django; returns the exit status."""
    from learnloop.analytics.systems.simulation import SimulationError

    parser = argparse.ArgumentParser(prog="learnloop systems simulate", description=HELP)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        write(simulate(options))
    except SimulationError as error:
        fail(f"CommandError: {error}\n")
        return BAD_INPUT
    return 0
