"""`learnloop insights themes FILE`, without Django: the recurring themes in a CSV of short texts.

FILE has a header row with `id` and `text` columns (`team` and `date` may follow and are carried
through but not used for grouping). Comma, semicolon or tab separated, UTF-8. Every text lands in
exactly one theme; a text alike to no other is a theme of its own, unless --min-size leaves
such themes out. The grouping itself is learnloop.analytics.themes (docs/insights.md).

A file that cannot be read stops with a message naming the row and column, and exit status 2.
"""

import argparse
import csv
import json
from collections.abc import Callable
from pathlib import Path

from learnloop.analytics.csv_files import read_file_bytes

BAD_INPUT = 2
MAX_TEXT_LENGTH = 20_000
HELP = "Group the texts of a CSV (id,text[,team,date]) into recurring themes."


class BadTexts(ValueError):
    """The file can't be used; the message says what and where (exit status 2)."""


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError("must be above zero")
        return value

    return parse


def add_arguments(themes: argparse.ArgumentParser) -> None:
    themes.add_argument("file", type=Path, metavar="FILE", help="CSV with a header row: id,text[,team,date].")
    themes.add_argument("--format", choices=["json", "table"], default="table")
    themes.add_argument("--min-size", type=_positive(int), default=1, metavar="N",
                        help="Leave out themes with fewer than N texts (default 1: every text is listed).")
    themes.add_argument("--resolution", type=_positive(float), default=1.0, metavar="R",
                        help="Higher gives more, smaller themes (default 1.0).")
    themes.add_argument("--neighbours", type=_positive(int), default=12, metavar="K",
                        help="Most similar texts each text links to (default 12).")


def read_texts(content: bytes, name: str) -> tuple[list[str], list[str]]:
    """(ids, texts) from the file's bytes; BadTexts naming the row and column when unusable."""
    from learnloop.analytics.csv_files import csv_reader

    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadTexts(f"{name} is not UTF-8 text (byte {error.start}).") from None
    rows = csv_reader(text)
    try:
        header = [column.strip().lower() for column in next(rows, [])]
        if "id" not in header or "text" not in header:
            found = ", ".join(header) or "none"
            raise BadTexts(f"{name}: the header row needs the columns id and text (found: {found}).")
        id_column, text_column = header.index("id"), header.index("text")
        ids, texts, seen = [], [], set()
        for number, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= max(id_column, text_column):
                raise BadTexts(f"{name} row {number}: fewer columns than the header.")
            identifier, body = row[id_column].strip(), row[text_column]
            for column, value in (("id", identifier), ("text", body)):
                if "\x00" in value:
                    raise BadTexts(f"{name} row {number}, column {column}: contains a NUL character.")
            if not identifier:
                raise BadTexts(f"{name} row {number}, column id: empty.")
            if identifier in seen:
                raise BadTexts(f"{name} row {number}, column id: {identifier!r} appears twice.")
            if len(body) > MAX_TEXT_LENGTH:
                raise BadTexts(f"{name} row {number}, column text: longer than {MAX_TEXT_LENGTH:,} characters.")
            seen.add(identifier)
            ids.append(identifier)
            texts.append(body)
    except csv.Error as error:
        raise BadTexts(f"{name} line {rows.line_num}: {error}.") from None
    return ids, texts


def themes(options: dict) -> str:
    from learnloop.analytics.themes import ThemeSettings, group_themes

    path: Path = options["file"]
    content = read_file_bytes(path, BadTexts)
    ids, texts = read_texts(content, str(path))
    settings = ThemeSettings(resolution=options["resolution"], neighbours=options["neighbours"])
    model = group_themes(texts, settings)
    found = [
        {"label": theme.label or _alone(texts[theme.members[0]]), "members": [ids[index] for index in theme.members]}
        for theme in model.themes(min_size=options["min_size"])
    ]
    if options["format"] == "json":
        return json.dumps({"themes": found}, indent=2, ensure_ascii=False) + "\n"
    lines = [f"{len(ids)} texts, {len(found)} themes" + (f" of {options['min_size']} or more" if
                                                          options["min_size"] > 1 else "")]
    for theme in found:
        shown = ", ".join(theme["members"][:8]) + (" …" if len(theme["members"]) > 8 else "")
        lines.append(f"{len(theme['members']):>5}  {theme['label']}  [{shown}]")
    return "\n".join(lines) + "\n"


def _alone(text: str) -> str:
    """A theme of one text is labelled by the text itself, shortened."""
    words = " ".join(text.split())
    return words if len(words) <= 60 else words[:59].rstrip() + "…"


def main(argv: list[str], *, write: Callable[[str], object], fail: Callable[[str], object]) -> int:
    """Run `learnloop insights themes ARGV` without Django; returns the exit status."""
    parser = argparse.ArgumentParser(prog="learnloop insights themes", description=HELP)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        write(themes(options))
    except BadTexts as error:
        fail(f"CommandError: {error}\n")
        return BAD_INPUT
    return 0
