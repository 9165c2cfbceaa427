"""`learnloop survey reliability FILE.csv`, without Django: the reliability of one scale from a CSV
with one row per respondent. It needs no database, so the `learnloop` entry point runs it directly
(learnloop.cli) and the `survey` management command only wraps it; numpy loads when a file is
read, not for --help or argument errors.

Bad input (unreadable file, unknown columns, answers that aren't numbers or fall outside the
scale) stops with a message saying what and where, and exit status 2.
"""

import argparse
import json
import math
from collections.abc import Callable
from pathlib import Path

from learnloop.analytics.csv_files import read_file_bytes
from learnloop.analytics.psychometrics.defaults import OMEGA_FACTORS

BAD_INPUT = 2
HELP = ("Cronbach's alpha (with Feldt's 95%% interval), omega total, item-total correlations, "
        "alpha if item deleted; with --group also rwg(j), ICC(1) and ICC(2).")


class BadAnswers(ValueError):
    """The file or the options can't be used; the message says what and where (exit status 2)."""


def add_arguments(reliability: argparse.ArgumentParser) -> None:
    reliability.add_argument("file", type=Path, metavar="FILE.csv", help="One row per respondent, a header row.")
    reliability.add_argument("--items", required=True, metavar="COL,COL,...", help="The scale's item columns.")
    reliability.add_argument(
        "--reverse", default="", metavar="COL,...", help="Reverse-keyed items, scored MIN+MAX-answer."
    )
    reliability.add_argument("--scale", required=True, metavar="MIN-MAX", help="The answer range, e.g. 1-5.")
    reliability.add_argument("--group", metavar="COL", help="Column naming each respondent's group (team).")
    reliability.add_argument("--format", choices=["json", "table"], default="table")
    reliability.add_argument(
        "--omega-factors", type=int, default=OMEGA_FACTORS, metavar="N",
        help=f"Group factors for omega total (psych::omega's nfactors; default {OMEGA_FACTORS}).",
    )


def reliability(options: dict) -> str:
    """The report as the command prints it; BadAnswers for input it can't use."""
    from learnloop.analytics.psychometrics.answers_file import AnswersFileError

    try:
        report = _report(options)
    except (AnswersFileError, ValueError) as error:
        raise BadAnswers(str(error)) from error
    if options["format"] == "json":
        return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    return format_table(report) + "\n"


def _report(options: dict):
    from learnloop.analytics.psychometrics.answers_file import (
        AnswersFileError,
        parse_columns,
        parse_scale,
        read_answers,
    )
    from learnloop.analytics.psychometrics.report import reliability_report

    items = parse_columns(options["items"], "--items")
    reverse = parse_columns(options["reverse"], "--reverse") if options["reverse"] else []
    scale = parse_scale(options["scale"])
    if options["omega_factors"] < 1:
        raise AnswersFileError("--omega-factors must be 1 or more.")
    path: Path = options["file"]
    content = read_file_bytes(path, AnswersFileError)
    answers = read_answers(content, items=items, scale=scale, group=options["group"])
    return reliability_report(
        answers.values, items=items, scale=scale, reverse=reverse, groups=answers.groups,
        group_column=options["group"] or "group", omega_factors=options["omega_factors"],
    )


def main(argv: list[str], *, write: Callable[[str], object], fail: Callable[[str], object]) -> int:
    """Run `learnloop survey reliability ARGV` without Django; returns the exit status."""
    parser = argparse.ArgumentParser(prog="learnloop survey reliability", description=HELP.replace("%%", "%"))
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        write(reliability(options))
    except BadAnswers as error:
        fail(f"CommandError: {error}\n")
        return BAD_INPUT
    return 0


def _number(value: float | None, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


def format_table(report) -> str:
    low, high = report.alpha_ci
    lines = [
        f"Respondents: {report.n} ({report.n_scored} with a scale score); "
        f"scale {report.scale.minimum:g}-{report.scale.maximum:g}",
        f"Cronbach's alpha: {_number(report.alpha)}  (95% CI {_number(low)} to {_number(high)}, Feldt)",
        f"Omega total: {_number(report.omega_total)}"
        + (f"  ({report.omega_factors} group factors; one-factor {_number(report.omega_total_one_factor)})"
           if report.omega_factors else ""),
        f"Scale score: mean {_number(report.score_mean, 2)}, sd {_number(report.score_sd, 2)}",
        "",
    ]
    width = max([len("item"), *(len(item.item) + (4 if item.reversed else 0) for item in report.items)])
    lines.append(f"{'item':<{width}}  {'n':>6}  {'mean':>5}  {'sd':>5}  {'r.drop':>6}  {'alpha if deleted':>16}")
    for item in report.items:
        name = item.item + (" (R)" if item.reversed else "")
        lines.append(
            f"{name:<{width}}  {item.n:>6}  {_number(item.mean, 2):>5}  {_number(item.sd, 2):>5}  "
            f"{_number(item.item_total_r):>6}  {_number(item.alpha_if_deleted):>16}"
        )
    grouping = report.grouping
    if grouping is not None:
        lines += [
            "",
            f"Grouped by {grouping.column}: {len(grouping.groups)} groups"
            + (f", {grouping.ungrouped} respondents without a group left out" if grouping.ungrouped else ""),
            f"ICC(1): {_number(grouping.icc1)}  ICC(2): {_number(grouping.icc2)}  "
            f"mean rwg(j): {_number(grouping.rwg_j_mean)}  (uniform null, variance {grouping.null_variance:g})",
            "",
        ]
        group_width = max([len("group"), *(len(group.group) for group in grouping.groups)])
        lines.append(f"{'group':<{group_width}}  {'n':>5}  {'mean':>5}  {'rwg(j)':>6}")
        for group in grouping.groups:
            lines.append(
                f"{group.group:<{group_width}}  {group.n:>5}  {_number(group.mean, 2):>5}  {_number(group.rwg_j):>6}"
            )
    return "\n".join(lines)
