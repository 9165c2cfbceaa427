"""`learnloop experiment analyze FILE`, without Django: the analysis needs no database, so the
`learnloop` entry point runs it directly (learnloop.cli) and the management command
(`python -m django experiment analyze`) only wraps it. numpy and scipy load when a file is
analysed, not for --help or argument errors.

FILE is CSV or JSON with one row per variation, the control first (columns in
docs/experiments.md). A file that cannot be analysed is reported with its row and column, and
the command exits with status 2.
"""

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from learnloop.analytics.stats.options import DEFAULT_TUNING, DIFFERENCE_TYPES, ENGINES, METRIC_TYPES

BAD_INPUT = 2
CORRECTIONS = ("holm", "bh")
DESCRIPTION = (
    "Columns: variation,users,sum,sum_squares; optional covariate_sum, covariate_sum_squares, "
    "covariate_sum_product (CUPED); denominator_sum, denominator_sum_squares, denominator_sum_product "
    "(ratio metrics); weight (expected traffic share for the SRM check). See docs/experiments.md."
)
HELP = "Analyse per-variant aggregates of one metric (CSV or JSON; the first row is the control)."


class BadFile(ValueError):
    """The file can't be analysed; the message says where and why (exit status 2)."""


def _alpha(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError("alpha must lie strictly between 0 and 1, e.g. 0.05")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def add_arguments(analyze: argparse.ArgumentParser) -> None:
    analyze.add_argument("file", type=Path, metavar="FILE")
    analyze.add_argument("--metric-type", choices=METRIC_TYPES, default="mean")
    add_analysis_options(analyze)


def add_analysis_options(analyze: argparse.ArgumentParser) -> None:
    """The engine's options, shared with `learnloop experiment compute`."""
    analyze.add_argument("--engine", choices=ENGINES, default="frequentist")
    analyze.add_argument("--difference", choices=DIFFERENCE_TYPES, default="relative")
    analyze.add_argument("--alpha", type=_alpha, default=0.05, help="1 − confidence level (default 0.05).")
    analyze.add_argument("--format", choices=("json", "table"), default="table", dest="output_format")
    analyze.add_argument(
        "--sequential-tuning", type=_positive, default=DEFAULT_TUNING, metavar="N",
        help="Sequential engine: the total sample size where the interval is tightest (default 5000).",
    )
    analyze.add_argument(
        "--prior-mean", type=float, default=None, metavar="LIFT",
        help="Bayesian engine: mean of a proper Gaussian prior on the relative lift (default: flat prior).",
    )
    analyze.add_argument(
        "--prior-stddev", type=_positive, default=0.1, metavar="LIFT",
        help="Bayesian engine: its standard deviation (default 0.1 = ±10%%), used with --prior-mean.",
    )
    analyze.add_argument(
        "--lower-is-better", action="store_true", help="The metric improves when it falls (e.g. load time)."
    )
    analyze.add_argument(
        "--correction", choices=("none", *CORRECTIONS), default="none",
        help="Adjust p-values across the variations: holm (family-wise) or bh (Benjamini–Hochberg).",
    )


def analyze(*, file, metric_type, engine, difference, alpha, output_format, sequential_tuning, prior_mean,
            prior_stddev, lower_is_better, correction, **_) -> str:
    """The analysis as the command prints it; BadFile when the file can't be analysed."""
    from learnloop.analytics.stats import GaussianPrior, analyze_metric, benjamini_hochberg, holm
    from learnloop.analytics.stats.aggregates_file import AggregatesFileError, read_aggregates
    from learnloop.experiments.cli_io import analysis_as_json, analysis_as_table

    try:
        variants = read_aggregates(file, metric_type)
        analysis = analyze_metric(
            variants,
            metric_type=metric_type,
            engine=engine,
            difference=difference,
            alpha=alpha,
            sequential_tuning=sequential_tuning,
            prior=None if prior_mean is None else GaussianPrior(prior_mean, prior_stddev),
            lower_is_better=lower_is_better,
        )
    except (AggregatesFileError, ValueError, ArithmeticError) as error:
        # ArithmeticError: figures the checks let through but the analysis can't take.
        raise BadFile(f"{file}: {error}") from error
    adjusted = None
    if correction != "none" and engine != "bayesian":
        adjust = {"holm": holm, "bh": benjamini_hochberg}[correction]
        adjusted = adjust([result.p_value for result in analysis.results]).tolist()
    if output_format == "json":
        return json.dumps(analysis_as_json(analysis, adjusted), indent=2, allow_nan=False) + "\n"
    return analysis_as_table(analysis, adjusted)


def main(argv: list[str], *, write: Callable[[str], object], fail: Callable[[str], object]) -> int:
    """Run `learnloop experiment analyze ARGV` without Django; returns the exit status."""
    parser = argparse.ArgumentParser(prog="learnloop experiment analyze", description=DESCRIPTION)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        write(analyze(**options))
    except BadFile as error:
        fail(f"CommandError: {error}\n")
        return BAD_INPUT
    return 0
