"""`learnloop growth match FILE`, without Django: the optimal mentor assignment for a JSON document.

FILE (or `-` for standard input) is {"mentors": [{"id", "capacity", "skills": {skill: level}}],
"mentees": [{"id", "wants": {skill: target_level}}], "forbidden": [[mentor_id, mentee_id], ...]};
the output is {"total_score", "pairs": [{"mentor", "mentee", "score"}], "unmatched": [...]}.
The algorithm is learnloop.analytics.mentor_matching (docs/growth.md). A document that can't be
matched stops with a message saying where and why, and exit status 2.

The `learnloop` entry point runs this module directly (learnloop.cli.DJANGO_FREE); a `growth`
management command can wrap add_arguments/match like experiments' `experiment` command does.
numpy and scipy load when a document is solved, not for --help or argument errors.
"""

import argparse
import json
import sys
from collections.abc import Callable

BAD_INPUT = 2
HELP = "The mentor assignment with the largest total fit, from a JSON document (docs/growth.md)."
MAX_BYTES = 200_000_000


class BadDocument(ValueError):
    """The document can't be matched; the message says where and why (exit status 2)."""


def add_arguments(match: argparse.ArgumentParser) -> None:
    match.add_argument("file", metavar="FILE", help="The JSON document, or - for standard input.")
    match.add_argument("--format", choices=["json"], default="json", dest="output_format",
                       help="Output format (json, the default and only one).")


def _read(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read(MAX_BYTES + 1)
    try:
        with open(file, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise BadDocument(f"{file}: {error.strerror or error}.") from None


def match(*, file: str, output_format: str = "json", **_) -> str:
    """The command's output; BadDocument when the document can't be matched."""
    from learnloop.analytics.mentor_matching import MatchingDocumentError, parse_document, solve

    content = _read(file)
    name = "standard input" if file == "-" else file
    if len(content) > MAX_BYTES:
        raise BadDocument(f"{name}: larger than {MAX_BYTES // 1_000_000} MB.")
    try:
        problem = parse_document(content)
    except MatchingDocumentError as error:
        raise BadDocument(f"{name}: {error}") from None
    return json.dumps(solve(problem).as_json(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def main(argv: list[str], *, write: Callable[[str], object], fail: Callable[[str], object]) -> int:
    """Run `learnloop growth match ARGV` without Django; returns the exit status."""
    parser = argparse.ArgumentParser(prog="learnloop growth match", description=HELP)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        write(match(**options))
    except BadDocument as error:
        fail(f"CommandError: {error}\n")
        return BAD_INPUT
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:], write=sys.stdout.write, fail=sys.stderr.write))
