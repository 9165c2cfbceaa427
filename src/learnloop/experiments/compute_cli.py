"""`learnloop experiment compute`: an experiment's statistics computed in the warehouse, without Django.

The exposure and metric SQL run inside the data source as one generated query
(learnloop.analytics.warehouse); only per-variation sums come back, and they go through the same
statistics engine as `learnloop experiment analyze`, whose output shape this command keeps.
sqlalchemy, the drivers, numpy and scipy load only when something is computed. Bad input (files,
SQL, URL, the warehouse's refusal) is reported in one line with exit status 2.
"""

import argparse
import json
import math
import os
from collections.abc import Callable
from pathlib import Path

from learnloop.experiments.analyze_cli import BAD_INPUT, CORRECTIONS, add_analysis_options

HELP = "Compute one metric's per-variation statistics in a warehouse (DuckDB, PostgreSQL) and analyse them."
DESCRIPTION = (
    "The exposure SQL returns unit_id, variation, first_exposure_at (and any --dimension columns); the metric SQL "
    "returns unit_id, timestamp, value (ratio: numerator, denominator). A unit's value is the sum of its metric "
    "rows from its first exposure on (inclusive) to the end of the conversion window (default: no end); exposed "
    "units without rows count as 0; units exposed to more than one variation are left out. See docs/experiments.md."
)
METRIC_TYPE_CHOICES = ("mean", "binomial", "binary", "ratio")  # binary: another name for binomial
MAX_SQL_BYTES = 1_000_000
# The same list as learnloop.analytics.warehouse.query.DIALECTS (not imported: nothing heavy loads
# to read the arguments; tests/analytics/warehouse/test_dialects.py checks they agree).
SQL_DIALECTS = ("duckdb", "postgresql", "clickhouse", "bigquery", "snowflake", "trino")


class BadInput(ValueError):
    """Input the command can't compute from; the message says why (exit status 2)."""


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (0 < value < 1e7):
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError("must be a finite number")
    return value


def add_arguments(compute: argparse.ArgumentParser) -> None:
    compute.add_argument(
        "--source", metavar="URL",
        help="duckdb:///PATH, duckdb:///:memory: (Parquet/CSV in place), postgresql://USER@HOST/DB, chdb://; "
             "or env:NAME to read the URL from the environment variable NAME. Required unless --sql-for.",
    )
    compute.add_argument(
        "--sql-for", choices=SQL_DIALECTS, metavar="DIALECT",
        help=f"Print the query written for this dialect ({', '.join(SQL_DIALECTS)}) and its parameters, "
             "without connecting anywhere: to run it in a warehouse Learnloop does not connect to.",
    )
    compute.add_argument("--exposure-sql", required=True, type=Path, metavar="FILE")
    compute.add_argument("--metric-sql", required=True, type=Path, metavar="FILE")
    compute.add_argument("--metric-type", choices=METRIC_TYPE_CHOICES, default="mean")
    compute.add_argument("--metric-name", default="", metavar="NAME",
                         help="A label for the output (never part of the SQL).")
    compute.add_argument(
        "--aggregation", choices=("sum", "count", "count_distinct"), default="sum",
        help="How a unit's rows in the window become its value: sum of value (default), number of rows, "
             "number of distinct values.",
    )
    compute.add_argument("--conversion-window-hours", type=_positive, default=None, metavar="H",
                         help="Count rows up to H hours after the first exposure (default: no end).")
    compute.add_argument("--cap", type=_finite, default=None, metavar="X",
                         help="Mean metrics: unit values above X count as X (winsorization).")
    compute.add_argument("--cuped-days", type=_positive, default=None, metavar="D",
                         help="CUPED: the same metric over D days before each unit's exposure as the covariate.")
    compute.add_argument("--dimension", action="append", default=[], metavar="COLUMN",
                         help="Break the results down by this exposure column (repeatable).")
    compute.add_argument("--dimension-correction", choices=CORRECTIONS, default="holm",
                         help="Adjust the breakdown's p-values across all cells: holm (default) or bh.")
    compute.add_argument("--timeout", type=_positive, default=600.0, metavar="SECONDS",
                         help="Stop the warehouse query after this long (default 600).")
    compute.add_argument("--memory-limit", default="1GB", metavar="SIZE",
                         help="DuckDB: memory the query may use before spilling to disk (default 1GB).")
    compute.add_argument("--show-sql", action="store_true", help="Include the generated query (JSON key sql).")
    add_analysis_options(compute)


def _read_sql(path: Path, what: str) -> str:
    try:
        if path.stat().st_size > MAX_SQL_BYTES:
            raise BadInput(f"{path}: the {what} SQL file is larger than 1 MB.")
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file (the {what} SQL).") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"{path}: cannot be read as UTF-8 text ({error}).") from None


def _source(text: str) -> str:
    if text.startswith("env:"):
        name = text[4:]
        value = os.environ.get(name, "")
        if not name or not value:
            raise BadInput(f"The environment variable {name or '(no name)'} holding the data source URL is not set.")
        return value
    return text


def _sums(variant) -> dict:
    names = ("sum", "sum_squares", "denominator_sum", "denominator_sum_squares", "denominator_sum_product",
             "covariate_sum", "covariate_sum_squares", "covariate_sum_product")
    found = {"variation": variant.variation, "users": int(variant.users)}
    found.update({name: getattr(variant, name) for name in names if getattr(variant, name) is not None})
    return found


def compute(*, source, exposure_sql, metric_sql, metric_type, metric_name, aggregation, conversion_window_hours,
            cap, cuped_days, dimension, dimension_correction, timeout, memory_limit, show_sql, engine, difference,
            alpha, output_format, sequential_tuning, prior_mean, prior_stddev, lower_is_better, correction,
            sql_for=None, **_) -> str:
    """The analysis as the command prints it; BadInput when it can't be computed."""
    from learnloop.analytics.stats import GaussianPrior, analyze_metric, benjamini_hochberg, holm
    from learnloop.analytics.warehouse.pushdown import compute_statistics
    from learnloop.analytics.warehouse.query import DefinitionError, MetricDefinition
    from learnloop.analytics.warehouse.sources import SourceError
    from learnloop.experiments.cli_io import analysis_as_json, analysis_as_table

    metric_type = "binomial" if metric_type == "binary" else metric_type
    exposure_text, metric_text = _read_sql(exposure_sql, "exposure"), _read_sql(metric_sql, "metric")
    if sql_for is None and not source:
        raise BadInput("--source is required (or --sql-for DIALECT to print the query without running it).")
    try:
        definition = MetricDefinition(
            metric_type=metric_type, aggregation=aggregation, window_hours=conversion_window_hours, cap=cap,
            cuped_days=cuped_days, dimensions=tuple(dimension),
        )
        if sql_for is not None:
            return _written_for(sql_for, exposure_text, metric_text, definition)
        statistics = compute_statistics(_source(source), exposure_text, metric_text, definition,
                                        timeout=timeout, memory_limit=memory_limit)
    except (DefinitionError, SourceError) as error:
        raise BadInput(str(error)) from None
    if not statistics.variants:
        raise BadInput("No exposed units: the exposure SQL returned no unit with one variation and a first exposure.")
    options = {
        "metric_type": metric_type, "engine": engine, "difference": difference, "alpha": alpha,
        "sequential_tuning": sequential_tuning, "lower_is_better": lower_is_better,
        "prior": None if prior_mean is None else GaussianPrior(prior_mean, prior_stddev),
    }
    names = ", ".join(variant.variation for variant in statistics.variants)
    if len(statistics.variants) < 2:
        raise BadInput(f"Only one variation was exposed ({names}); a comparison needs a control and another.")
    try:
        analysis = analyze_metric(statistics.variants, **options)
    except (ValueError, ArithmeticError) as error:
        raise BadInput(f"The sums can't be analysed: {error}") from None
    adjusted = None
    adjusters = {"holm": holm, "bh": benjamini_hochberg}
    if correction != "none" and engine != "bayesian":
        adjusted = adjusters[correction]([result.p_value for result in analysis.results]).tolist()

    warnings = []
    if statistics.excluded_units:
        count = statistics.excluded_units
        warnings.append(f"{count} {'unit was' if count == 1 else 'units were'} exposed to more than one variation "
                        f"and {'is' if count == 1 else 'are'} left out.")
    cells = _cells(statistics, analysis.control, options, adjusters[dimension_correction], analysis_as_json)

    if output_format == "table":
        text = analysis_as_table(analysis, adjusted)
        lines = [f"Warning: {warning}" for warning in warnings]
        for cell in cells:
            label = f"{cell['dimension']} = {cell['value']}"
            if cell["error"]:
                lines.append(f"{label}: not analysed — {cell['error']}")
                continue
            for result in cell["results"]:
                effect = result["effect"]
                shown = "n/a" if effect is None else (f"{effect * 100:+.2f}%" if difference == "relative"
                                                      else f"{effect:+.4g}")
                adjusted_p = result.get("adjusted_p_value")
                lines.append(f"{label}, {result['variation']}: users {result['users']}, effect {shown}"
                             + ("" if adjusted_p is None else f", adjusted p = {adjusted_p:.4g}"))
        return text + "".join(line + "\n" for line in lines)
    output = analysis_as_json(analysis, adjusted)
    if metric_name:
        output["metric"] = metric_name
    output["source"] = statistics.dialect
    output["excluded_units"] = statistics.excluded_units
    output["warnings"] = warnings
    output["variations"] = [_sums(variant) for variant in statistics.variants]
    if dimension:
        output["dimension_correction"] = dimension_correction
        output["dimensions"] = cells
    if show_sql:
        output["sql"] = statistics.sql
        output["sql_parameters"] = statistics.parameters
    return json.dumps(output, indent=2, allow_nan=False) + "\n"


def _written_for(dialect: str, exposure_text: str, metric_text: str, definition) -> str:
    """The query for `dialect`, its parameters named in a comment above it. Column checks against
    the source are not made: nothing is connected to."""
    from learnloop.analytics.warehouse.query import statistics_query

    query = statistics_query(dialect, exposure_text, metric_text, definition)
    lines = [f"-- Learnloop experiment statistics, written for {dialect}."]
    lines += [f"-- :{name} = {value!r}" for name, value in query.parameters.items()]
    return "\n".join(lines) + "\n" + query.readable() + "\n"


def _cells(statistics, control: str, options: dict, adjust, as_json) -> list[dict]:
    """Every dimension cell analysed like the whole, p-values adjusted across all cells together."""
    from learnloop.analytics.stats import analyze_metric

    cells = []
    for cell in statistics.cells:
        entry = {"dimension": cell.dimension, "value": cell.value, "error": None,
                 "variations": [_sums(variant) for variant in cell.variants]}
        if not cell.variants or cell.variants[0].variation != control:
            entry["error"] = f"no unit of the control ({control}) in this cell"
        elif len(cell.variants) < 2:
            entry["error"] = "only the control has units in this cell"
        else:
            try:
                entry.update(as_json(analyze_metric(cell.variants, **options)))
            except (ValueError, ArithmeticError) as error:
                entry["error"] = str(error)
        cells.append(entry)
    family = [(result, result["p_value"]) for entry in cells for result in entry.get("results", [])
              if result.get("p_value") is not None and math.isfinite(result["p_value"])]
    if family:
        for (result, _), value in zip(family, adjust([p for _, p in family]).tolist(), strict=True):
            result["adjusted_p_value"] = value
    return cells


def main(argv: list[str], *, write: Callable[[str], object], fail: Callable[[str], object]) -> int:
    """Run `learnloop experiment compute ARGV` without Django; returns the exit status."""
    parser = argparse.ArgumentParser(prog="learnloop experiment compute", description=DESCRIPTION)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        write(compute(**options))
    except BadInput as error:
        fail(f"CommandError: {error}\n")
        return BAD_INPUT
    return 0
