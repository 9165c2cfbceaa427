"""The one query per metric that computes an experiment's sufficient statistics in the warehouse.

Default semantics (docs/experiments.md, "Metrics computed in the warehouse"):

* a unit's first exposure is the earliest `first_exposure_at` of its exposure rows; a unit whose
  rows name more than one variation is left out (and counted, for the warning);
* its value for a mean metric is the sum of its metric rows from its first exposure on
  (inclusive) to the end of the conversion window (inclusive; default: no end);
* an exposed unit with no such rows counts as 0 (a ratio metric's unit as 0 / 0);
* binomial: the unit converts when that value is above zero.

The analyst's SQL goes in as two CTEs, unchanged but for escaping colons so that they can't be
read as bind parameters. Nothing else a user typed becomes SQL text: dimension names must be plain
identifiers and are double-quoted, numbers (window, cap, lookback) are bind parameters, and
metric names and dimension values never reach the SQL at all.
"""

import re
from dataclasses import dataclass

METRIC_TYPES = ("mean", "binomial", "ratio")
AGGREGATIONS = ("sum", "count", "count_distinct")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
MAX_DIMENSIONS = 8
STARTS = ("select", "with", "from", "values", "(", "table")


class DefinitionError(ValueError):
    """A definition that can't become a safe query; the message says why."""


@dataclass(frozen=True)
class MetricDefinition:
    metric_type: str = "mean"
    aggregation: str = "sum"  # how a unit's rows in the window become its value (mean and binomial)
    window_hours: float | None = None  # conversion window after the first exposure; None: no end
    cap: float | None = None  # unit values above it count as the cap (mean metrics)
    cuped_days: float | None = None  # covariate: the same metric over this many days before exposure
    dimensions: tuple[str, ...] = ()  # exposure columns to break the results down by

    def __post_init__(self):
        if self.metric_type not in METRIC_TYPES:
            raise DefinitionError(f"Unknown metric type {self.metric_type!r}: use one of {', '.join(METRIC_TYPES)}.")
        if self.aggregation not in AGGREGATIONS:
            raise DefinitionError(f"Unknown aggregation {self.aggregation!r}: use one of {', '.join(AGGREGATIONS)}.")
        if self.metric_type == "ratio" and self.aggregation != "sum":
            raise DefinitionError("A ratio metric sums its numerator and denominator; it takes no other aggregation.")
        for name, value in (("conversion window", self.window_hours), ("CUPED lookback", self.cuped_days)):
            if value is not None and not (0 < value < 1e7):
                raise DefinitionError(f"The {name} must be a positive number.")
        if self.cap is not None and not (abs(self.cap) < 1e30):
            raise DefinitionError("The cap must be a finite number.")
        if self.cap is not None and self.metric_type != "mean":
            raise DefinitionError("Capping applies to mean metrics only.")
        if self.cuped_days is not None and self.metric_type == "ratio":
            raise DefinitionError("CUPED works with mean and binomial metrics, not ratio metrics.")
        check_dimensions(self.dimensions)


def check_dimensions(dimensions) -> None:
    if len(dimensions) > MAX_DIMENSIONS:
        raise DefinitionError(f"At most {MAX_DIMENSIONS} dimensions at once.")
    for name in dimensions:
        if not isinstance(name, str) or not IDENTIFIER.fullmatch(name):
            raise DefinitionError(
                f"Dimension {name!r} is not a plain column name (letters, digits and _, not starting with a digit)."
            )
        if name.lower() in {"unit_id", "variation", "first_exposure_at"}:
            raise DefinitionError(f"Dimension {name!r} is one of the exposure's own columns.")
    if len({name.lower() for name in dimensions}) != len(dimensions):
        raise DefinitionError("A dimension is named twice.")


def _skip_quoted(sql: str, start: int, quote: str) -> int:
    """The index after the literal or quoted name that opens at `start`."""
    index = start + 1
    while True:
        index = sql.find(quote, index)
        if index < 0:
            raise DefinitionError(f"A {quote} quote is never closed.")
        if sql.startswith(quote * 2, index):  # a doubled quote stands for itself
            index += 2
            continue
        return index + 1


def _code_only(sql: str) -> str:
    """The SQL with literals, quoted names and comments blanked, to look at its structure."""
    kept = []
    index = 0
    while index < len(sql):
        char = sql[index]
        if char in "'\"`":
            end = _skip_quoted(sql, index, char)
            kept.append(" ")
            index = end
        elif sql.startswith("--", index):
            end = sql.find("\n", index)
            index = len(sql) if end < 0 else end
            kept.append(" ")
        elif sql.startswith("/*", index):
            end = sql.find("*/", index + 2)
            if end < 0:
                raise DefinitionError("A /* comment is never closed.")
            index = end + 2
            kept.append(" ")
        elif char == "$" and (match := re.match(r"\$([A-Za-z_]\w*)?\$", sql[index:])):  # PostgreSQL $tag$ text $tag$
            tag = match.group(0)
            end = sql.find(tag, index + len(tag))
            if end < 0:
                raise DefinitionError("A dollar-quoted string is never closed.")
            kept.append(" ")
            index = end + len(tag)
        else:
            kept.append(char)
            index += 1
    return "".join(kept)


def check_user_sql(sql: str, what: str) -> str:
    """One read query (SELECT, WITH, …), without its trailing semicolons; else DefinitionError."""
    if not isinstance(sql, str) or "\x00" in sql:
        raise DefinitionError(f"The {what} SQL is not text.")
    text = sql.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    if not text:
        raise DefinitionError(f"The {what} SQL is empty: give one SELECT query.")
    try:
        code = _code_only(text)
    except DefinitionError as error:
        raise DefinitionError(f"The {what} SQL: {error}") from None
    if ";" in code:
        raise DefinitionError(f"The {what} SQL holds more than one statement: give one SELECT query.")
    if not code.strip().lower().startswith(STARTS):
        raise DefinitionError(f"The {what} SQL must be one read query (SELECT or WITH …).")
    depth = 0
    for char in code:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise DefinitionError(f"The {what} SQL closes a parenthesis it never opened.")
    if depth:
        raise DefinitionError(f"The {what} SQL leaves a parenthesis open.")
    return text


def _embedded(sql: str) -> str:
    # A colon in the analyst's SQL is theirs (PostgreSQL casts, times in literals), not a parameter.
    return sql.replace(":", "\\:")


# The dialects the query is written for: the three the suite runs against (DuckDB, PostgreSQL,
# ClickHouse through chDB), and three it is only written and checked for (tests parse every
# shape of the query with sqlglot in that dialect; docs/experiments.md, "Other warehouses").
DIALECTS = ("duckdb", "postgresql", "clickhouse", "bigquery", "snowflake", "trino")


def check_dialect(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise DefinitionError(f"Unknown SQL dialect {dialect!r}: use one of {', '.join(DIALECTS)}.")
    return dialect


def quote(name: str, dialect: str = "duckdb") -> str:
    """A column name as the dialect quotes it. BigQuery quotes with backticks (a double-quoted name
    would be a string); Snowflake stores unquoted names in upper case, so the analyst's
    `SELECT amount AS value` is the column "VALUE"."""
    if not IDENTIFIER.fullmatch(name):
        raise DefinitionError(f"{name!r} is not a plain column name.")
    if dialect == "bigquery":
        return f"`{name}`"
    if dialect == "snowflake":
        return f'"{name.upper()}"'
    return f'"{name}"'


def _add_seconds(dialect: str, expression: str, parameter: str) -> str:
    milliseconds = f"CAST(ROUND(:{parameter} * 1000) AS {'INT64' if dialect == 'bigquery' else 'BIGINT'})"
    if dialect == "clickhouse":
        return f"addMilliseconds({expression}, toInt64(:{parameter} * 1000))"
    if dialect == "bigquery":
        return f"TIMESTAMP_ADD({expression}, INTERVAL {milliseconds} MILLISECOND)"
    if dialect == "snowflake":
        return f"DATEADD(millisecond, {milliseconds}, {expression})"
    if dialect == "trino":
        return f"date_add('millisecond', {milliseconds}, {expression})"
    return f"({expression} + CAST(:{parameter} AS DOUBLE PRECISION) * INTERVAL '1 second')"


def _double(dialect: str, expression: str) -> str:
    if dialect == "clickhouse":
        return f"toFloat64({expression})"
    return f"CAST({expression} AS {DOUBLE_TYPES.get(dialect, 'DOUBLE PRECISION')})"


DOUBLE_TYPES = {"bigquery": "FLOAT64", "trino": "DOUBLE", "snowflake": "DOUBLE"}


def _grouping(dialect: str, dims: list[str]) -> str:
    """The bit mask of the dimensions a grouping set leaves out (1 = left out, first = highest
    bit). BigQuery's GROUPING takes one column, so there it is added up bit by bit."""
    if dialect != "bigquery":
        return f"GROUPING({', '.join(dims)})"
    return " + ".join(f"GROUPING({dim}) * {1 << (len(dims) - 1 - index)}" for index, dim in enumerate(dims))


@dataclass(frozen=True)
class StatisticsQuery:
    sql: str  # SQLAlchemy text(): :name parameters, colons of the analyst's SQL escaped
    parameters: dict
    dimensions: tuple[str, ...]
    sums: tuple[str, ...]  # the statistic columns after variation, the dimensions and cell_set

    def readable(self) -> str:
        """The query as an auditor reads it: parameters named, the analyst's colons as typed."""
        return self.sql.replace("\\:", ":")


def _sum_columns(definition: MetricDefinition) -> list[tuple[str, str]]:
    if definition.metric_type == "ratio":
        return [("sum", "SUM(x)"), ("sum_squares", "SUM(x * x)"), ("denominator_sum", "SUM(y)"),
                ("denominator_sum_squares", "SUM(y * y)"), ("denominator_sum_product", "SUM(x * y)")]
    columns = [("sum", "SUM(x)"), ("sum_squares", "SUM(x * x)")]
    if definition.cuped_days is not None:
        columns += [("covariate_sum", "SUM(c)"), ("covariate_sum_squares", "SUM(c * c)"),
                    ("covariate_sum_product", "SUM(x * c)")]
    return columns


def _unit_value(definition: MetricDefinition, window: str, column: str = "value", *, dialect: str) -> str:
    value = f"m.{quote(column, dialect)}"
    if definition.aggregation == "count":
        return f"SUM(CASE WHEN {window} THEN 1 ELSE 0 END)"
    if definition.aggregation == "count_distinct":
        return f"COUNT(DISTINCT CASE WHEN {window} THEN {value} END)"
    return f"SUM(CASE WHEN {window} THEN {value} END)"


def statistics_query(dialect: str, exposure_sql: str, metric_sql: str, definition: MetricDefinition) -> StatisticsQuery:
    """The query returning one row per (variation[, dimension cell]) with n and the sums."""
    check_dialect(dialect)
    exposure_sql = check_user_sql(exposure_sql, "exposure")
    metric_sql = check_user_sql(metric_sql, "metric")
    dimensions = definition.dimensions
    parameters: dict = {}
    dims = [f"d{index}" for index in range(len(dimensions))]
    not_null = "e.unit_id IS NOT NULL AND e.variation IS NOT NULL AND e.first_exposure_at IS NOT NULL"

    ctes = [
        f"exposure_source AS (\n{_embedded(exposure_sql)}\n)",
        f"metric_source AS (\n{_embedded(metric_sql)}\n)",
        "exposure_units AS (\n"  # noqa: S608 (our own fragments; identifiers quoted, values bound)
        "  SELECT e.unit_id AS unit_id, MIN(e.first_exposure_at) AS first_exposure_at,\n"
        "         MIN(e.variation) AS variation, COUNT(DISTINCT e.variation) AS variation_count\n"
        f"  FROM exposure_source AS e\n  WHERE {not_null}\n  GROUP BY e.unit_id\n)",
    ]
    if dimensions:
        # A unit's dimension values are those of its earliest exposure row.
        picked = ", ".join(f"e.{quote(name, dialect)} AS {dim}" for name, dim in zip(dimensions, dims, strict=True))
        order = ", ".join(["e.first_exposure_at", *(f"e.{quote(name, dialect)}" for name in dimensions)])
        ctes.append(
            "first_rows AS (\n"  # noqa: S608 (our own fragments; identifiers quoted, values bound)
            f"  SELECT e.unit_id AS unit_id, {picked},\n"
            f"         ROW_NUMBER() OVER (PARTITION BY e.unit_id ORDER BY {order}) AS position\n"
            f"  FROM exposure_source AS e\n  WHERE {not_null}\n)"
        )
        ctes.append(
            "units AS (\n"  # noqa: S608 (our own fragments; identifiers quoted, values bound)
            f"  SELECT u.unit_id, u.variation, u.first_exposure_at, {', '.join(f'f.{dim}' for dim in dims)}\n"
            "  FROM exposure_units AS u JOIN first_rows AS f ON f.unit_id = u.unit_id AND f.position = 1\n"
            "  WHERE u.variation_count = 1\n)"
        )
    else:
        ctes.append("units AS (\n  SELECT unit_id, variation, first_exposure_at FROM exposure_units"
                    " WHERE variation_count = 1\n)")

    at = f"m.{quote('timestamp', dialect)}"
    start = f"{at} >= u.first_exposure_at"
    window = start
    if definition.window_hours is not None:
        parameters["window_seconds"] = definition.window_hours * 3600.0
        window += f" AND {at} <= {_add_seconds(dialect, 'u.first_exposure_at', 'window_seconds')}"
    lower = start
    if definition.metric_type == "ratio":
        values = [f"{_unit_value(definition, window, 'numerator', dialect=dialect)} AS post_value",
                  f"{_unit_value(definition, window, 'denominator', dialect=dialect)} AS post_denominator"]
    else:
        values = [f"{_unit_value(definition, window, dialect=dialect)} AS post_value"]
    if definition.cuped_days is not None:
        parameters["lookback_seconds"] = -definition.cuped_days * 86400.0
        lookback_start = _add_seconds(dialect, "u.first_exposure_at", "lookback_seconds")
        before = f"{at} >= {lookback_start} AND {at} < u.first_exposure_at"
        values.append(f"{_unit_value(definition, before, dialect=dialect)} AS pre_value")
        lower = f"{at} >= {lookback_start}"
    ctes.append(
        "unit_values AS (\n"  # noqa: S608 (our own fragments; identifiers quoted, values bound)
        f"  SELECT u.unit_id AS unit_id, {', '.join(values)}\n"
        "  FROM units AS u JOIN metric_source AS m ON m.unit_id = u.unit_id\n"
        f"  WHERE {lower}\n  GROUP BY u.unit_id\n)"
    )

    post = "COALESCE(v.post_value, 0)"
    if definition.metric_type == "binomial":
        x = f"CASE WHEN {post} > 0 THEN 1 ELSE 0 END"
    elif definition.cap is not None:
        parameters["cap"] = float(definition.cap)
        x = f"CASE WHEN {_double(dialect, post)} > :cap THEN :cap ELSE {_double(dialect, post)} END"
    else:
        x = post
    unit_columns = [f"{_double(dialect, x)} AS x"]
    if definition.metric_type == "ratio":
        unit_columns.append(f"{_double(dialect, 'COALESCE(v.post_denominator, 0)')} AS y")
    if definition.cuped_days is not None:
        pre = "COALESCE(v.pre_value, 0)"
        if definition.metric_type == "binomial":
            pre = f"CASE WHEN {pre} > 0 THEN 1 ELSE 0 END"
        unit_columns.append(f"{_double(dialect, pre)} AS c")
    ctes.append(
        "per_unit AS (\n"  # noqa: S608 (our own fragments; identifiers quoted, values bound)
        f"  SELECT u.variation AS variation, {''.join(f'u.{dim}, ' for dim in dims)}{', '.join(unit_columns)}\n"
        "  FROM units AS u LEFT JOIN unit_values AS v ON v.unit_id = u.unit_id\n)"
    )

    sums = _sum_columns(definition)
    excluded = "(SELECT COUNT(*) FROM exposure_units WHERE variation_count > 1) AS excluded_units"
    if dimensions:
        sets = ", ".join(["(variation)", *(f"(variation, {dim})" for dim in dims)])
        select = ["variation", *dims, f"{_grouping(dialect, dims)} AS cell_set"]
        group = f"GROUPING SETS ({sets})"
    else:
        select = ["variation", "0 AS cell_set"]
        group = "variation"
    select += ["COUNT(*) AS n", *(f"{expression} AS {name}" for name, expression in sums), excluded]
    sql = (
        "WITH\n" + ",\n".join(ctes) + "\n"
        f"SELECT {', '.join(select)}\nFROM per_unit\nGROUP BY {group}"
    )
    return StatisticsQuery(sql, parameters, dimensions, tuple(name for name, _ in sums))
