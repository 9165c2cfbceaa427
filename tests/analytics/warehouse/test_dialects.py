"""The statistics query as written for warehouses the suite cannot run (BigQuery, Snowflake, Trino),
and for the three it runs (DuckDB, PostgreSQL, ClickHouse): every shape of the query — each metric
type, window, cap, CUPED, dimensions — must parse in that dialect with sqlglot, an independent SQL
parser, and keep the dialect's own spelling of what differs (quoting, time arithmetic, types)."""

import itertools
import subprocess
import sys

import pytest
import sqlglot
from sqlglot import exp

from learnloop.analytics.warehouse.pushdown import _inline
from learnloop.analytics.warehouse.query import DIALECTS, DefinitionError, MetricDefinition, statistics_query
from learnloop.experiments.compute_cli import SQL_DIALECTS

EXPOSURE = "SELECT unit_id, variation, first_exposure_at, country, platform FROM exposures"
METRIC = "SELECT unit_id, ts AS timestamp, amount AS value, items AS numerator, 1 AS denominator FROM orders"
SQLGLOT_NAMES = {"postgresql": "postgres"}

DEFINITIONS = [
    MetricDefinition(metric_type="mean"),
    MetricDefinition(metric_type="mean", window_hours=72, cap=250.0, cuped_days=14),
    MetricDefinition(metric_type="binomial", aggregation="count", window_hours=24, dimensions=("country",)),
    MetricDefinition(metric_type="binomial", aggregation="count_distinct", cuped_days=7,
                     dimensions=("country", "platform")),
    MetricDefinition(metric_type="ratio", window_hours=48, dimensions=("platform",)),
]


def _parsed(dialect: str, definition: MetricDefinition):
    query = statistics_query(dialect, EXPOSURE, METRIC, definition)
    return query, sqlglot.parse_one(_inline(query.sql, query.parameters), read=SQLGLOT_NAMES.get(dialect, dialect))


@pytest.mark.parametrize(("dialect", "definition"), list(itertools.product(DIALECTS, DEFINITIONS)))
def test_every_shape_of_the_query_parses_in_its_dialect(dialect, definition):
    query, tree = _parsed(dialect, definition)
    assert isinstance(tree, exp.Select)
    # The final select returns the columns the reader (pushdown.py) takes by name.
    names = [projection.alias_or_name.lower() for projection in tree.expressions]
    assert names[0] == "variation" and {"n", "cell_set", "excluded_units", *query.sums} <= set(names)


def test_each_dialect_keeps_its_own_spelling():
    windowed = MetricDefinition(metric_type="mean", window_hours=72, dimensions=("country", "platform"))
    written = {dialect: statistics_query(dialect, EXPOSURE, METRIC, windowed).sql for dialect in DIALECTS}
    # BigQuery: backticks (a double-quoted name is a string there), TIMESTAMP_ADD, FLOAT64, and
    # GROUPING of one column at a time.
    assert "m.`timestamp`" in written["bigquery"] and '"' not in written["bigquery"].split("metric_source AS")[1]
    assert "TIMESTAMP_ADD(" in written["bigquery"] and "AS FLOAT64)" in written["bigquery"]
    assert "GROUPING(d0) * 2 + GROUPING(d1) * 1 AS cell_set" in written["bigquery"]
    # Snowflake stores unquoted names in upper case: the analyst's `amount AS value` is "VALUE".
    assert 'm."TIMESTAMP"' in written["snowflake"] and 'e."COUNTRY"' in written["snowflake"]
    assert "DATEADD(millisecond, " in written["snowflake"]
    assert "date_add('millisecond', " in written["trino"] and "AS DOUBLE)" in written["trino"]
    assert "INTERVAL '1 second'" in written["postgresql"] and "addMilliseconds(" in written["clickhouse"]


def test_an_unknown_dialect_is_refused():
    with pytest.raises(DefinitionError, match="Unknown SQL dialect 'oracle'"):
        statistics_query("oracle", EXPOSURE, METRIC, MetricDefinition())


def test_the_command_lists_the_same_dialects():
    assert SQL_DIALECTS == DIALECTS


def test_the_command_prints_the_query_for_a_dialect_without_a_source(tmp_path):
    (tmp_path / "exposure.sql").write_text(EXPOSURE)
    (tmp_path / "metric.sql").write_text(METRIC)
    printed = subprocess.run(
        [sys.executable, "-m", "learnloop", "experiment", "compute", "--sql-for", "bigquery",
         "--exposure-sql", str(tmp_path / "exposure.sql"), "--metric-sql", str(tmp_path / "metric.sql"),
         "--metric-type", "binomial", "--conversion-window-hours", "48", "--dimension", "country"],
        capture_output=True, text=True, timeout=120, check=False)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith("-- Learnloop experiment statistics, written for bigquery.\n")
    assert "-- :window_seconds = 172800.0" in printed.stdout and "TIMESTAMP_ADD(" in printed.stdout
    body = "\n".join(line for line in printed.stdout.splitlines() if not line.startswith("--"))
    sqlglot.parse_one(_inline(body, {"window_seconds": 172800.0}), read="bigquery")
    missing = subprocess.run(
        [sys.executable, "-m", "learnloop", "experiment", "compute", "--format", "json",
         "--exposure-sql", str(tmp_path / "exposure.sql"), "--metric-sql", str(tmp_path / "metric.sql")],
        capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode == 2 and "--source is required" in missing.stderr
