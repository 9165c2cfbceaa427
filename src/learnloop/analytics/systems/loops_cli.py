"""`learnloop systems loops MODEL.json`, without Django: the feedback loops of a causal loop
diagram and the archetypes they form (docs/systems.md).

MODEL.json is the diagram as the editor and the API save it:
{"variables": ["A", {"name": "B"}, ...], "links": [{"source": "A", "target": "B", "polarity": "+",
"delay": false}, ...]}. `--format json` prints {"loops": {...}, "archetypes": {...}}; `text` (the
default) a line per loop and per archetype. A missing file, bad JSON or a bad diagram stops with
a message and exit status 2.
"""

import argparse
import json
from collections.abc import Callable
from pathlib import Path

BAD_INPUT = 2
HELP = "List the feedback loops (reinforcing or balancing) and archetypes of a causal loop diagram in JSON."


class LoopsInputError(ValueError):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model_file", type=Path, metavar="MODEL.json", help="the diagram as JSON")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--max-loops", type=int, default=10_000, help="stop the loop search after this many loops")
    parser.add_argument("--max-seconds", type=float, default=5.0, help="stop the loop search after this long")


def _text(result: dict) -> str:
    loops, archetypes = result["loops"], result["archetypes"]
    lines = [f"{len(loops['loops'])} loops: {loops['reinforcing']} reinforcing, {loops['balancing']} balancing"]
    if loops["truncated"]:
        lines.append(f"(search stopped early: {loops['reason']})")
    for loop in loops["loops"]:
        delayed = ", delayed" if loop["delayed"] else ""
        lines.append(f"{loop['label']} {loop['polarity']}{delayed}: {' → '.join(loop['variables'])}")
    for match in archetypes["matches"]:
        loop_labels = ", ".join(str(number) for number in match["loops"])
        lines.append(f"archetype {match['title']} (loops {loop_labels}): {', '.join(match['variables'])}")
    if not archetypes["matches"]:
        lines.append("no archetype matched")
    return "\n".join(lines) + "\n"


def run(options: dict) -> str:
    from learnloop.analytics.systems.analysis import analyse
    from learnloop.analytics.systems.graph import ModelError

    path: Path = options["model_file"]
    try:
        diagram = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LoopsInputError(f"No such file: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LoopsInputError(f"{path} is not a JSON diagram: {error}") from None
    if options["max_loops"] < 1 or options["max_seconds"] <= 0:
        raise LoopsInputError("--max-loops and --max-seconds must be positive.")
    try:
        result = analyse(diagram, max_loops=options["max_loops"], max_seconds=options["max_seconds"])
    except ModelError as error:
        raise LoopsInputError(f"{path}: {error}") from None
    if options["format"] == "json":
        return json.dumps(result, ensure_ascii=False) + "\n"
    return _text(result)


def main(argv: list[str], *, write: Callable[[str], object], fail: Callable[[str], object]) -> int:
    """Run `learnloop systems loops ARGV` without Django; returns the exit status."""
    parser = argparse.ArgumentParser(prog="learnloop systems loops", description=HELP)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        write(run(options))
    except LoopsInputError as error:
        fail(f"CommandError: {error}\n")
        return BAD_INPUT
    return 0
