"""The warehouse computes the same sufficient statistics as pandas does from the raw rows, exactly,
on DuckDB always and on PostgreSQL when DATABASE_URL points at one."""

import duckdb
import pytest

from learnloop.analytics.warehouse.pushdown import compute_statistics, variation_order
from learnloop.analytics.warehouse.query import DefinitionError, MetricDefinition, check_user_sql
from learnloop.analytics.warehouse.sources import SourceError
from tests.analytics.warehouse.events import (
    excluded_units,
    generate,
    load_duckdb,
    loaded_postgres,
    postgres_url,
    reference,
)

CASES = [
    {},
    {"window_hours": 36},
    {"window_hours": 0.25},
    {"metric_type": "binomial", "window_hours": 72},
    {"metric_type": "ratio"},
    {"aggregation": "count"},
    {"aggregation": "count_distinct", "window_hours": 48},
    {"cap": 20.0},
    {"cuped_days": 3},
    {"metric_type": "binomial", "cuped_days": 2},
]
FIELDS = ("users", "sum", "sum_squares", "denominator_sum", "denominator_sum_squares", "denominator_sum_product",
          "covariate_sum", "covariate_sum_squares", "covariate_sum_product")


@pytest.fixture(scope="module")
def log():
    return generate()


@pytest.fixture(scope="module")
def duckdb_source(log, tmp_path_factory):
    return load_duckdb(log, tmp_path_factory.mktemp("warehouse") / "events.duckdb")


def _as_dict(variant) -> dict:
    return {name: getattr(variant, name) for name in FIELDS if getattr(variant, name) is not None}


def _check(statistics, expected: dict, log, dimension=None):
    overall = {variation: sums for (cell, variation), sums in expected.items() if cell is None}
    if dimension is None:
        assert [variant.variation for variant in statistics.variants] == ["control", "a", "treatment"]
        assert {variant.variation: _as_dict(variant) for variant in statistics.variants} == overall
    else:
        cells = {(cell.value, variant.variation): _as_dict(variant)
                 for cell in statistics.cells if cell.dimension == dimension for variant in cell.variants}
        assert cells == expected
    assert statistics.excluded_units == excluded_units(log) > 0


def _name(options: dict) -> str:
    return "-".join(f"{key}={value}" for key, value in options.items()) or "default"


@pytest.mark.parametrize("options", CASES, ids=_name)
def test_duckdb_matches_pandas_exactly(duckdb_source, log, options):
    statistics = compute_statistics(duckdb_source, "SELECT * FROM exposures", "SELECT * FROM events",
                                    MetricDefinition(**options))
    _check(statistics, reference(log, **options), log)


def test_a_binomial_metric_without_values_converts_on_any_row(duckdb_source, log):
    statistics = compute_statistics(duckdb_source, "SELECT * FROM exposures", 'SELECT unit_id, "timestamp" FROM events',
                                    MetricDefinition(metric_type="binomial", window_hours=24))
    _check(statistics, reference(log, metric_type="binomial", aggregation="count", window_hours=24), log)


def test_dimension_cells_in_the_same_pass(duckdb_source, log):
    definition = MetricDefinition(window_hours=48, dimensions=("country", "platform"))
    statistics = compute_statistics(duckdb_source, "SELECT * FROM exposures", "SELECT * FROM events", definition)
    _check(statistics, reference(log, window_hours=48), log)
    for dimension in ("country", "platform"):
        _check(statistics, reference(log, window_hours=48, dimension=dimension), log, dimension)
    # The dimension value that reads like SQL came back as data; the table is still there.
    assert "O'Brien'); DROP TABLE exposures; --" in {cell.value for cell in statistics.cells}
    assert statistics.sql.count("GROUPING SETS") == 1


@pytest.fixture
def test_database_url(db):
    """The test run's own PostgreSQL database: DATABASE_URL's database need not exist (CI names one
    it never creates; pytest-django creates test_<name> beside it and connects there)."""
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (name,) = cursor.fetchone()
    parts = urlsplit(postgres_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.mark.skipif(postgres_url() is None, reason="DATABASE_URL does not point at PostgreSQL")
def test_postgresql_matches_pandas_exactly(log, test_database_url):
    with loaded_postgres(log, test_database_url) as (url, schema):
        exposure = f'SELECT * FROM "{schema}".exposures'  # noqa: S608 (the test's own schema)
        metric = f'SELECT unit_id, "timestamp", value, numerator, denominator FROM "{schema}".events'  # noqa: S608
        for options in CASES:
            statistics = compute_statistics(url, exposure, metric, MetricDefinition(**options))
            _check(statistics, reference(log, **options), log)
        statistics = compute_statistics(url, exposure, metric, MetricDefinition(dimensions=("country",)))
        _check(statistics, reference(log, dimension="country"), log, "country")
        # Writes are refused by the read-only transaction, and the rows stay.
        with pytest.raises(SourceError, match="read-only"):
            compute_statistics(url, exposure + f" WHERE nextval('\"{schema}\".s') > 0",
                               metric, MetricDefinition())
        with pytest.raises(SourceError, match="longer than"):
            compute_statistics(url, exposure + " WHERE pg_sleep(3) IS NOT NULL",
                               metric, MetricDefinition(), timeout=0.3)
        assert compute_statistics(url, exposure, metric, MetricDefinition()).variants


def test_edge_cases_by_hand(tmp_path):
    source = tmp_path / "edge.duckdb"
    connection = duckdb.connect(str(source))
    connection.execute("""
        CREATE TABLE x AS SELECT * FROM (VALUES
            (1, 'zz', TIMESTAMP '2026-01-01 10:00:00'),
            (1, 'zz', TIMESTAMP '2026-01-01 09:00:00'),  -- exposed twice: 09:00 counts
            (2, 'b',  TIMESTAMP '2026-01-01 10:00:00'),
            (3, 'b',  TIMESTAMP '2026-01-01 10:00:00'),  -- no events: counts as 0
            (4, 'zz', TIMESTAMP '2026-01-01 10:00:00'),
            (4, 'b',  TIMESTAMP '2026-01-01 11:00:00')   -- two variations: left out
        ) AS t(unit_id, variation, first_exposure_at)""")
    connection.execute("""
        CREATE TABLE m AS SELECT * FROM (VALUES
            (1, TIMESTAMP '2026-01-01 08:59:59', 100.0),  -- before exposure
            (1, TIMESTAMP '2026-01-01 09:00:00', 1.0),    -- at exposure: counts
            (1, TIMESTAMP '2026-01-01 11:00:00', 2.0),    -- the window's last instant: counts
            (1, TIMESTAMP '2026-01-01 11:00:01', 4.0),    -- after the window
            (2, TIMESTAMP '2026-01-01 12:00:00', 8.0),    -- 2 h after its exposure: counts
            (3, TIMESTAMP '2026-01-01 12:00:01', 32.0),   -- past its window
            (4, TIMESTAMP '2026-01-01 12:00:00', 16.0)
        ) AS t(unit_id, "timestamp", value)""")
    connection.close()
    url = f"duckdb:///{source}"
    windowed = compute_statistics(url, "SELECT * FROM x", "SELECT * FROM m", MetricDefinition(window_hours=2))
    # No variation is named control: the first in sort order is.
    assert [(v.variation, v.users, v.sum, v.sum_squares) for v in windowed.variants] == [
        ("b", 2, 8.0, 64.0), ("zz", 1, 3.0, 9.0)]
    assert windowed.excluded_units == 1
    endless = compute_statistics(url, "SELECT * FROM x", "SELECT * FROM m", MetricDefinition())
    assert [(v.variation, v.sum) for v in endless.variants] == [("b", 40.0), ("zz", 7.0)]


def test_control_first_then_sort_order():
    assert variation_order(["treatment", "control", "a"]) == ["control", "a", "treatment"]
    assert variation_order(["b", "a"]) == ["a", "b"]
    assert variation_order([10, 2]) == [2, 10]


@pytest.mark.parametrize("dimension", ["country; DROP TABLE x", 'country"', "1country", "a b", "unit_id"])
def test_dimension_names_that_are_not_plain_columns_are_refused(dimension):
    with pytest.raises(DefinitionError):
        MetricDefinition(dimensions=(dimension,))


@pytest.mark.parametrize("sql", [
    "SELECT * FROM exposures; DROP TABLE exposures",
    "SELECT 1; SELECT 2",
    "DROP TABLE exposures",
    "DELETE FROM exposures",
    "SELECT * FROM exposures) AS e, (SELECT 1",
    "SELECT * FROM exposures /* never closed",
    "SELECT 'never closed FROM exposures",
    "",
])
def test_sql_that_is_not_one_read_query_is_refused(sql):
    with pytest.raises(DefinitionError):
        check_user_sql(sql, "exposure")


def test_semicolons_in_literals_and_comments_are_the_analysts(duckdb_source):
    sql = "SELECT * FROM exposures -- keep; all\nWHERE country <> 'a;b' AND first_exposure_at > '2020-01-01 00:00:00';"
    assert check_user_sql(sql, "exposure").endswith("00:00:00'")
    statistics = compute_statistics(duckdb_source, sql, "SELECT * FROM events", MetricDefinition())
    assert len(statistics.variants) == 3


def test_duckdb_files_are_opened_read_only_and_slow_queries_stopped(duckdb_source):
    with pytest.raises(SourceError, match=r"read-only|read only"):
        compute_statistics(duckdb_source, "SELECT * FROM exposures WHERE nextval('s') > 0",
                           "SELECT * FROM events", MetricDefinition())
    slow = ("SELECT a.range AS unit_id, 'x' AS variation, TIMESTAMP '2026-01-01' AS first_exposure_at "
            "FROM range(100000) a, range(100000) b")
    with pytest.raises(SourceError, match="longer than"):
        compute_statistics(duckdb_source, slow, "SELECT * FROM events", MetricDefinition(), timeout=0.5)


def test_missing_columns_and_sources_are_explained(duckdb_source, tmp_path):
    with pytest.raises(DefinitionError, match="no column variation"):
        compute_statistics(duckdb_source, "SELECT unit_id, first_exposure_at FROM exposures",
                           "SELECT * FROM events", MetricDefinition())
    with pytest.raises(DefinitionError, match="no column numerator"):
        compute_statistics(duckdb_source, "SELECT * FROM exposures", "SELECT unit_id, timestamp, value FROM events",
                           MetricDefinition(metric_type="ratio"))
    with pytest.raises(SourceError, match="No DuckDB database"):
        compute_statistics(f"duckdb:///{tmp_path}/absent.duckdb", "SELECT 1", "SELECT 1", MetricDefinition())
    with pytest.raises(SourceError, match="Unknown data source kind"):
        compute_statistics("mysql://root@localhost/x", "SELECT 1", "SELECT 1", MetricDefinition())
    with pytest.raises(SourceError, match="refused the query"):
        compute_statistics(duckdb_source, "SELECT * FROM no_such_table", "SELECT * FROM events", MetricDefinition())


@pytest.fixture(scope="module")
def parquet_files(log, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet")
    connection = duckdb.connect()
    exposures, events = log.exposures, log.events  # noqa: F841 (read by name by DuckDB)
    connection.execute(f"COPY exposures TO '{folder / 'exposures.parquet'}' (FORMAT parquet)")
    connection.execute(f"COPY events TO '{folder / 'events.parquet'}' (FORMAT parquet)")
    return folder


def test_clickhouse_through_chdb_matches_pandas_exactly(log, parquet_files):
    pytest.importorskip("chdb")
    exposure = f"SELECT * FROM file('{parquet_files / 'exposures.parquet'}', Parquet)"  # noqa: S608
    metric = f"SELECT * FROM file('{parquet_files / 'events.parquet'}', Parquet)"  # noqa: S608
    for options in CASES:
        statistics = compute_statistics("chdb://", exposure, metric, MetricDefinition(**options))
        assert statistics.dialect == "clickhouse"
        _check(statistics, reference(log, **options), log)
    statistics = compute_statistics("chdb://", exposure, metric, MetricDefinition(dimensions=("country", "platform")))
    for dimension in ("country", "platform"):
        _check(statistics, reference(log, dimension=dimension), log, dimension)
    with pytest.raises(DefinitionError, match="no column numerator"):
        compute_statistics("chdb://", exposure, "SELECT 1 AS unit_id, now() AS timestamp, 1 AS value",
                           MetricDefinition(metric_type="ratio"))
