"""`learnloop experiment analyze FILE`: analyse one metric's per-variant aggregates.

FILE is CSV or JSON with one row per variation, the control first (columns in
docs/experiments.md). A file that cannot be analysed is reported with its row and column, and
the command exits with status 2.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learnloop.analytics.stats import GaussianPrior, analyze_metric, benjamini_hochberg, holm
from learnloop.analytics.stats.analysis import DIFFERENCE_TYPES, ENGINES, METRIC_TYPES
from learnloop.analytics.stats.sequential import DEFAULT_TUNING
from learnloop.experiments.cli_io import AggregatesFileError, analysis_as_json, analysis_as_table, read_aggregates

BAD_INPUT = 2
CORRECTIONS = {"holm": holm, "bh": benjamini_hochberg}


def _alpha(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError("alpha must lie strictly between 0 and 1, e.g. 0.05")
    return value


def _positive(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


class Command(BaseCommand):
    help = "Experiment statistics for analysts: `experiment analyze FILE` compares every variation with the control."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="analyze")
        analyze = actions.add_parser(
            "analyze",
            help="Analyse per-variant aggregates of one metric (CSV or JSON; the first row is the control).",
            description="Columns: variation,users,sum,sum_squares; optional covariate_sum, covariate_sum_squares, "
            "covariate_sum_product (CUPED); denominator_sum, denominator_sum_squares, denominator_sum_product "
            "(ratio metrics); weight (expected traffic share for the SRM check). See docs/experiments.md.",
        )
        analyze.add_argument("file", type=Path, metavar="FILE")
        analyze.add_argument("--metric-type", choices=METRIC_TYPES, default="mean")
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

    def handle(self, *args, action, **options):
        self._analyze(**options)

    def _analyze(self, *, file, metric_type, engine, difference, alpha, output_format, sequential_tuning,
                 prior_mean, prior_stddev, lower_is_better, correction, **_):
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
            raise CommandError(f"{file}: {error}", returncode=BAD_INPUT) from error
        adjusted = None
        if correction != "none" and engine != "bayesian":
            adjusted = CORRECTIONS[correction]([result.p_value for result in analysis.results]).tolist()
        if output_format == "json":
            self.stdout.write(json.dumps(analysis_as_json(analysis, adjusted), indent=2, allow_nan=False))
        else:
            self.stdout.write(analysis_as_table(analysis, adjusted), ending="")
