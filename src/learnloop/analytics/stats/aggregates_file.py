"""Reading per-variant aggregates from CSV or JSON text: `learnloop experiment analyze` and the
experiment results form both read them here.

A file holds one metric: one row (CSV) or object (JSON list) per variation, the control first.
Every problem is reported with the row and column it is in, so an analyst can fix the file.
"""

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from learnloop.analytics.csv_files import csv_reader
from learnloop.input_rules import length_problem, load_json, number_problem, text_problem

if TYPE_CHECKING:  # the statistics (numpy, scipy) load when a file is analysed, not with the app
    from learnloop.analytics.stats import VariantAggregates

REQUIRED = {
    "mean": ("variation", "users", "sum", "sum_squares"),
    "binomial": ("variation", "users", "sum"),
    "ratio": (
        "variation", "users", "sum", "sum_squares",
        "denominator_sum", "denominator_sum_squares", "denominator_sum_product",
    ),
}
COVARIATE = ("covariate_sum", "covariate_sum_squares", "covariate_sum_product")
KNOWN_COLUMNS = (*REQUIRED["ratio"], *COVARIATE, "weight")
MAX_VARIATION_NAME = 200
NUMBER_COLUMNS = tuple(column for column in KNOWN_COLUMNS if column != "variation")


class AggregatesFileError(ValueError):
    """A file that cannot be analysed; the message names the place and the fix."""


@dataclass(frozen=True)
class _Row:
    label: str  # "line 3" (CSV) or "row 2" (JSON), as the analyst would find it
    cells: dict[str, object]


def _read_csv(text: str) -> tuple[list[str], list[_Row]]:
    reader = csv_reader(text)
    try:
        lines = [(number, cells) for number, cells in enumerate(reader, start=1)
                 if any(cell.strip() for cell in cells)]
    except csv.Error as error:
        raise AggregatesFileError(f"line {reader.line_num}: not valid CSV ({error}).") from None
    if not lines:
        raise AggregatesFileError("The file is empty: expected a header row (variation,users,sum,…), then one row "
                                  "per variation, the control first.")
    header_number, header = lines[0]
    columns = [name.strip().lower() for name in header]
    rows = []
    for number, cells in lines[1:]:
        if len(cells) != len(columns):
            raise AggregatesFileError(
                f"line {number}: {len(cells)} values, but the header on line {header_number} names {len(columns)} "
                "columns."
            )
        rows.append(_Row(f"line {number}", {column: cell.strip() for column, cell in zip(columns, cells, strict=True)}))
    return columns, rows


def _read_json(text: str) -> tuple[list[str], list[_Row]]:
    try:
        data = load_json(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise AggregatesFileError(f"Not valid JSON: {error.msg} at {where}.") from None
    except ValueError as error:  # nested too deep
        raise AggregatesFileError(f"The JSON {error}") from None
    if isinstance(data, dict):
        data = data.get("variations")
    if not isinstance(data, list):
        raise AggregatesFileError('JSON must be a list of objects, one per variation (or {"variations": [...]}).')
    columns: list[str] = []
    rows = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise AggregatesFileError(f"row {number}: expected an object with variation, users, sum, …")
        cells = {str(key).strip().lower(): value for key, value in item.items()}
        columns.extend(column for column in cells if column not in columns)
        rows.append(_Row(f"row {number}", cells))
    return columns, rows


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _number(row: _Row, column: str) -> float:
    value = row.cells[column]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AggregatesFileError(f"{row.label}, column {column}: {value!r} is not a number.")
    try:
        number = float(value)
    except ValueError:
        raise AggregatesFileError(f"{row.label}, column {column}: {value!r} is not a number.") from None
    if problem := number_problem(number):
        raise AggregatesFileError(f"{row.label}, column {column}: {value!r} {problem}")
    return number


def _check_columns(columns: Iterable[str], metric_type: str) -> set[str]:
    present = set(columns)
    unknown = [column for column in columns if column not in KNOWN_COLUMNS]
    if unknown:
        raise AggregatesFileError(
            f"column {unknown[0]}: not a known column. Known columns: {', '.join(KNOWN_COLUMNS)}."
        )
    missing = [column for column in REQUIRED[metric_type] if column not in present]
    if missing:
        raise AggregatesFileError(
            f"column {missing[0]} is missing: a {metric_type} metric needs {', '.join(REQUIRED[metric_type])}."
        )
    covariates = present & set(COVARIATE)
    if covariates:
        if metric_type == "ratio":
            raise AggregatesFileError(f"column {sorted(covariates)[0]}: CUPED covariates work with mean and binomial "
                                      "metrics, not ratio metrics.")
        needed = ["covariate_sum", "covariate_sum_product"]
        if metric_type == "mean":  # a binomial metric may have a 0/1 covariate, which needs no squares
            needed.append("covariate_sum_squares")
        for column in needed:
            if column not in present:
                raise AggregatesFileError(f"column {column} is missing: CUPED needs {', '.join(needed)}.")
    return present


def _variant(row: _Row, present: set[str], metric_type: str) -> "VariantAggregates":
    name = row.cells.get("variation")
    if _blank(name):
        raise AggregatesFileError(f"{row.label}, column variation: the variation needs a name.")
    if problem := text_problem(str(name)) or length_problem(str(name), MAX_VARIATION_NAME):
        raise AggregatesFileError(f"{row.label}, column variation: the name {problem}")
    values: dict[str, float | None] = {}
    for column in NUMBER_COLUMNS:
        if column not in present or column not in row.cells:
            values[column] = None
            continue
        if _blank(row.cells[column]):
            if column in REQUIRED[metric_type] or column in {"covariate_sum", "covariate_sum_product"}:
                raise AggregatesFileError(f"{row.label}, column {column}: empty; every variation needs a value.")
            values[column] = None
            continue
        values[column] = _number(row, column)
    _check_values(row, values, metric_type)
    from learnloop.analytics.stats import VariantAggregates

    return VariantAggregates(variation=str(name).strip(), **values)


def _check_values(row: _Row, values: dict[str, float | None], metric_type: str) -> None:
    users = values["users"]
    if users < 0 or users != int(users):
        raise AggregatesFileError(f"{row.label}, column users: {users:g} is not a whole number of units (0 or more).")
    if metric_type == "binomial" and not 0 <= values["sum"] <= users:
        raise AggregatesFileError(
            f"{row.label}, column sum: {values['sum']:g} conversions is not between 0 and users ({users:g})."
        )
    for total, squares in (("sum", "sum_squares"), ("denominator_sum", "denominator_sum_squares"),
                           ("covariate_sum", "covariate_sum_squares")):
        if values[squares] is None or values[total] is None:
            continue
        if values[squares] < 0:
            raise AggregatesFileError(f"{row.label}, column {squares}: a sum of squares cannot be negative.")
        # Σx² ≥ (Σx)²/n for any data; allow float rounding in exported aggregates.
        if users > 0 and values[squares] < values[total] ** 2 / users * (1 - 1e-9) - 1e-9:
            raise AggregatesFileError(
                f"{row.label}, column {squares}: {values[squares]:g} is smaller than {total}²/users "
                f"({values[total] ** 2 / users:g}), which no data can give — are the columns swapped?"
            )
    if values["weight"] is not None and values["weight"] < 0:
        raise AggregatesFileError(f"{row.label}, column weight: expected traffic weights cannot be negative.")


def read_aggregates(path: Path, metric_type: str) -> list["VariantAggregates"]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise AggregatesFileError(f"{path}: no such file.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise AggregatesFileError(f"{path}: cannot be read as UTF-8 text ({error}).") from None
    return parse_aggregates(text, metric_type, is_json=path.suffix.lower() == ".json")


def parse_aggregates(text: str, metric_type: str, *, is_json: bool = False) -> list["VariantAggregates"]:
    """The same checks as read_aggregates, for text that came from an upload or a form."""
    is_json = is_json or text.lstrip().startswith(("[", "{"))
    columns, rows = _read_json(text) if is_json else _read_csv(text)
    present = _check_columns(columns, metric_type)
    if len(rows) < 2:
        raise AggregatesFileError("A file needs at least two variations: the control (first row) and one other.")
    variants = [_variant(row, present, metric_type) for row in rows]
    seen: dict[str, str] = {}
    for row, variant in zip(rows, variants, strict=True):
        if variant.variation in seen:
            raise AggregatesFileError(
                f"{row.label}, column variation: {variant.variation!r} is already used on {seen[variant.variation]}."
            )
        seen[variant.variation] = row.label
    weights = [variant.weight is None for variant in variants]
    if any(weights) and not all(weights):
        row = rows[weights.index(True)]
        raise AggregatesFileError(f"{row.label}, column weight: give a weight for every variation or for none.")
    return variants
