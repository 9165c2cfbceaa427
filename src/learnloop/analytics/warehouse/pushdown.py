"""Run the statistics query in the warehouse and return per-variation sufficient statistics.

Only the aggregates come back: one row per variation, plus one per variation and dimension cell.
The output's first variation is the one named `control` if there is one, else the first in sort
order; the others follow in sort order.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from learnloop.analytics.warehouse.query import DefinitionError, MetricDefinition, quote, statistics_query
from learnloop.analytics.warehouse.sources import (
    DEFAULT_DUCKDB_MEMORY,
    DEFAULT_TIMEOUT,
    chdb_runner,
    is_chdb,
    open_engine,
    read_only,
)

CONTROL = "control"
MAX_CELLS = 1000


@dataclass(frozen=True)
class Cell:
    dimension: str
    value: str | None
    variants: list  # VariantAggregates, in the experiment's order; a variation absent from the cell is left out


@dataclass(frozen=True)
class WarehouseStatistics:
    dialect: str
    variants: list  # VariantAggregates, control first
    excluded_units: int  # exposed to more than one variation
    sql: str
    parameters: dict
    cells: list[Cell] = field(default_factory=list)


def _number(value) -> float:
    if value is None:
        return 0.0
    return float(value) if isinstance(value, Decimal | int | float) else float(str(value))


def _label(value) -> str:
    return value if isinstance(value, str) else str(value)


def _sort_key(value):
    # Numbers before text, each in its own order, so variations 2 and 10 sort as numbers.
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


def variation_order(names) -> list:
    ordered = sorted(set(names), key=_sort_key)
    for name in ordered:
        if _label(name) == CONTROL:
            ordered.remove(name)
            return [name, *ordered]
    return ordered


def _required(metric_type: str, aggregation: str) -> tuple[str, ...]:
    if metric_type == "ratio":
        return ("unit_id", "timestamp", "numerator", "denominator")
    if aggregation == "count":
        return ("unit_id", "timestamp")
    return ("unit_id", "timestamp", "value")


def _settled(definition: MetricDefinition, metric_columns: set[str]) -> MetricDefinition:
    """A binomial metric whose SQL returns no value converts on any row in the window."""
    from dataclasses import replace

    if definition.metric_type == "binomial" and definition.aggregation == "sum" and "value" not in metric_columns:
        return replace(definition, aggregation="count")
    return definition


def _probe(sql: str) -> str:
    return f"SELECT * FROM (\n{sql}\n) AS probe WHERE 1 = 0"  # noqa: S608 (the analyst's one checked query)


def _checked(columns_of, exposure_sql: str, metric_sql: str, definition: MetricDefinition) -> MetricDefinition:
    """Both queries return the columns the definition needs (asked with a query returning no rows)."""
    from learnloop.analytics.warehouse.query import check_user_sql

    exposure = columns_of(_probe(check_user_sql(exposure_sql, "exposure")))
    _missing(exposure, ("unit_id", "variation", "first_exposure_at", *definition.dimensions), "exposure")
    metric = columns_of(_probe(check_user_sql(metric_sql, "metric")))
    definition = _settled(definition, metric)
    _missing(metric, _required(definition.metric_type, definition.aggregation), "metric")
    return definition


def _inline(sql: str, parameters: dict) -> str:
    """The query with our own numeric parameters written in (chDB takes no bind parameters); the
    analyst's colons, escaped as \\:, are left alone and unescaped."""
    import re

    def number(match):
        return repr(float(parameters[match.group(1)]))

    return re.sub(r"(?<![\\\w:]):(\w+)", number, sql).replace("\\:", ":")


def _chdb_rows(source: str, exposure_sql: str, metric_sql: str, definition: MetricDefinition, timeout: float):
    statistics_query("clickhouse", exposure_sql, metric_sql, definition)  # refuses bad SQL before connecting
    run, connection = chdb_runner(source, timeout=timeout)
    try:
        def columns_of(probe: str) -> set[str]:
            return {str(column["name"]).lower() for column in run(probe).get("meta", [])}

        definition = _checked(columns_of, exposure_sql, metric_sql, definition)
        query = statistics_query("clickhouse", exposure_sql, metric_sql, definition)
        return query, run(_inline(query.sql, query.parameters)).get("data", [])
    finally:
        connection.close()


def _missing(columns: set[str], needed: tuple[str, ...], what: str) -> None:
    missing = [name for name in needed if name.lower() not in columns]
    if missing:
        raise DefinitionError(
            f"The {what} SQL returns no column {missing[0]} (it returns {', '.join(sorted(columns)) or 'none'}); "
            f"it must return {', '.join(needed)}."
        )


def compute_statistics(source: str, exposure_sql: str, metric_sql: str, definition: MetricDefinition, *,
                       timeout: float = DEFAULT_TIMEOUT, memory_limit: str = DEFAULT_DUCKDB_MEMORY,
                       threads: int | None = None) -> WarehouseStatistics:
    """Per-variation (and per-cell) sums computed in the warehouse behind `source`.

    DefinitionError for definitions that can't be run, SourceError for the warehouse's refusals."""
    from sqlalchemy import text

    from learnloop.analytics.stats import VariantAggregates

    if is_chdb(source):
        dialect = "clickhouse"
        query, rows = _chdb_rows(source, exposure_sql, metric_sql, definition, timeout)
    else:
        engine, _ = open_engine(source, memory_limit=memory_limit, threads=threads)
        dialect = engine.dialect.name
        statistics_query(dialect, exposure_sql, metric_sql, definition)  # refuses bad SQL before connecting
        try:
            with read_only(engine, timeout=timeout) as connection:
                def columns_of(probe: str) -> set[str]:
                    return {str(name).lower() for name in connection.execute(text(probe.replace(":", "\\:"))).keys()}  # noqa: SIM118

                definition = _checked(columns_of, exposure_sql, metric_sql, definition)
                query = statistics_query(dialect, exposure_sql, metric_sql, definition)
                rows = [row._mapping for row in connection.execute(text(query.sql), query.parameters).all()]
        finally:
            engine.dispose()

    dimensions = query.dimensions
    everything = (1 << len(dimensions)) - 1
    overall: dict = {}
    cells: dict[tuple[int, object], dict] = {}
    excluded = 0
    for values in rows:
        excluded = int(values["excluded_units"] or 0)
        sums = {name: _number(values[name]) for name in query.sums}
        entry = (int(values["n"]), sums)
        cell_set = int(values["cell_set"])
        if cell_set == everything:
            overall[values["variation"]] = entry
            continue
        for index in range(len(dimensions)):
            if cell_set == everything - (1 << (len(dimensions) - 1 - index)):
                cells.setdefault((index, values[f"d{index}"]), {})[values["variation"]] = entry
    order = variation_order(overall)

    def aggregates(found: dict) -> list:
        return [VariantAggregates(variation=_label(name), users=float(found[name][0]), **found[name][1])
                for name in order if name in found]

    cell_list = []
    for (index, value), found in sorted(cells.items(), key=lambda item: (item[0][0], item[0][1] is None,
                                                                           _sort_key(item[0][1]))):
        cell_list.append(Cell(dimensions[index], None if value is None else _label(value), aggregates(found)))
    if len(cell_list) > MAX_CELLS:
        raise DefinitionError(f"The dimensions make {len(cell_list)} cells; at most {MAX_CELLS} can be analysed.")
    return WarehouseStatistics(
        dialect=dialect,
        variants=aggregates(overall),
        excluded_units=excluded,
        sql=query.readable(),
        parameters=query.parameters,
        cells=cell_list,
    )


__all__ = ["Cell", "WarehouseStatistics", "compute_statistics", "quote", "variation_order"]
