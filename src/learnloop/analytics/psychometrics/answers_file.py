"""Reading survey answers from CSV: one row per respondent, one column per item.

An empty cell or NA means the item was not answered. Every problem is reported with its line
and column so an analyst can fix the file; nothing is guessed.
"""

import csv
import re
from dataclasses import dataclass

import numpy as np

from learnloop.analytics.csv_files import csv_reader
from learnloop.analytics.psychometrics.scoring import LikertScale

SCALE = re.compile(r"(?P<low>-?\d+)\s*-\s*(?P<high>-?\d+)")
MISSING = frozenset({"", "na", "n/a", "nan"})
MAX_REPORTED_PROBLEMS = 10


class AnswersFileError(ValueError):
    """The file can't be analysed; the message says why, for a person to read."""


@dataclass(frozen=True)
class Answers:
    items: list[str]
    values: np.ndarray  # respondents × items, NaN where unanswered
    groups: list[str] | None  # one label per respondent ("" when the cell is empty)


def parse_scale(text: str) -> LikertScale:
    """"1-5" → LikertScale(1, 5); "-3-3" → LikertScale(-3, 3)."""
    match = SCALE.fullmatch(text.strip())
    if match is None or not int(match["high"]) > int(match["low"]):
        raise AnswersFileError(
            f"--scale must be MIN-MAX in whole numbers with MIN below MAX, e.g. 1-5 (got “{text}”)."
        )
    return LikertScale(float(match["low"]), float(match["high"]))


def parse_columns(text: str, option: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if not text.strip() or any(not name for name in names):
        raise AnswersFileError(f"{option} must be a comma-separated list of column names (got “{text}”).")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise AnswersFileError(f"{option} names {', '.join(duplicates)} more than once.")
    return names


def read_answers(content: bytes, *, items: list[str], scale: LikertScale, group: str | None = None) -> Answers:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AnswersFileError(f"The file is not UTF-8 text (byte {error.start} can't be read).") from None
    if "\x00" in text:
        raise AnswersFileError("The file is not a CSV text file (it contains NUL bytes).")
    try:
        rows = list(csv_reader(text))
    except csv.Error as error:
        raise AnswersFileError(f"The file is not valid CSV: {error}.") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise AnswersFileError(
            "The file is empty: expected a header row naming the columns, then one row per respondent."
        )
    header = [name.strip() for name in rows[0]]
    wanted = [*items, *([group] if group else [])]
    absent = [name for name in wanted if name not in header]
    if absent:
        raise AnswersFileError(
            f"Column{'s' if len(absent) > 1 else ''} not in the file: {', '.join(absent)}. "
            f"The header has: {', '.join(header) or '(nothing)'}."
        )
    repeated = sorted({name for name in wanted if header.count(name) > 1})
    if repeated:
        raise AnswersFileError(f"The header names {', '.join(repeated)} more than once.")
    positions = [header.index(name) for name in items]
    group_position = header.index(group) if group else None
    values = np.full((len(rows) - 1, len(items)), np.nan)
    labels: list[str] | None = [] if group else None
    problems: list[str] = []
    for index, row in enumerate(rows[1:]):
        line = index + 2  # the header is line 1 (blank lines aside)
        if len(row) > len(header):
            problems.append(f"line {line}: {len(row)} cells but the header has {len(header)} columns")
            continue
        row = row + [""] * (len(header) - len(row))
        for column, position in enumerate(positions):
            cell = row[position].strip()
            if cell.lower() in MISSING:
                continue
            try:
                answer = float(cell)
            except ValueError:
                problems.append(f"line {line}, column {items[column]}: “{cell}” is not a number")
                continue
            if not scale.minimum <= answer <= scale.maximum:
                problems.append(
                    f"line {line}, column {items[column]}: {cell} is outside the scale "
                    f"{scale.minimum:g}-{scale.maximum:g}"
                )
                continue
            values[index, column] = answer
        if labels is not None:
            labels.append(row[group_position].strip())
    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        raise AnswersFileError(
            f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in the file:\n  "
            + "\n  ".join(shown)
            + (f"\n  … and {more} more" if more else "")
        )
    if values.shape[0] < 2:
        raise AnswersFileError("The file needs at least two respondents (rows after the header).")
    return Answers(items=items, values=values, groups=labels)
