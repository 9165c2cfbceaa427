"""The edge-list file of `learnloop network analyze`: rows `source,target[,weight]`.

- Separator: comma, semicolon or tab, whichever the first row (after # comments) uses most; a
  file whose first row has none of them is split on runs of whitespace (networkx's write_edgelist format).
- Header: the first non-blank row is a header when two of its cells are `source` and `target`
  (or `from`/`to`, `src`/`dst`; any case), or when --weight names one of its cells (then the
  first two columns are source and target). Columns are found by name; --weight names a column. Without a header, the
  columns are source, target, weight in that order and --weight may be given as `weight` or `3`.
- Blank rows and rows whose first cell starts with `#` are skipped; extra columns are ignored.
- Weights (only read with --weight) must be finite numbers above zero.
Any other problem raises EdgesFileError naming the row (1-based line number of the file).
"""

from __future__ import annotations

import csv
import io
import math

from learnloop.analytics.csv_files import DELIMITERS


class EdgesFileError(ValueError):
    """The file can't be read as an edge list; the message names the row."""


def _rows(text: str):
    first_line = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    if first_line and not any(delimiter in first_line for delimiter in DELIMITERS):
        for line in text.splitlines():
            yield line.split()
        return
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=max(DELIMITERS, key=counts.__getitem__))


SOURCE_NAMES = ("source", "from", "src")
TARGET_NAMES = ("target", "to", "dst")


def _header_names(lowered: list[str], weight: str | None) -> tuple[int, int] | None:
    """(source column, target column) when the row is a header, else None."""
    source = next((lowered.index(name) for name in SOURCE_NAMES if name in lowered), None)
    target = next((lowered.index(name) for name in TARGET_NAMES if name in lowered), None)
    if source is not None and target is not None:
        return source, target
    if weight is not None and weight.lower() in lowered and weight.lower() != "3" and len(lowered) >= 3:
        return 0, 1  # the weight column's name marks a header whose first two columns are the ends
    return None


def read_edges(text: str, *, weight: str | None, name: str = "the file") -> list[tuple[str, str, float]]:
    """(source, target, weight) per row; weight 1 when `weight` is None."""
    edges: list[tuple[str, str, float]] = []
    source_column, target_column, weight_column = 0, 1, None
    header_seen = False
    number = 0
    rows = _rows(text)
    try:
        for number, row in enumerate(rows, start=1):
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if not header_seen:
                header_seen = True
                lowered = [cell.lower() for cell in cells]
                names = _header_names(lowered, weight)
                if names is not None:
                    source_column, target_column = names
                    if weight is not None:
                        if weight.lower() not in lowered:
                            raise EdgesFileError(f"{name} row {number}: no column {weight!r} in the header "
                                                 f"({', '.join(cells)}).")
                        weight_column = lowered.index(weight.lower())
                    continue
                if weight is not None:
                    if weight.lower() not in ("weight", "3"):
                        raise EdgesFileError(f"{name} row {number}: the file has no header row (source,target,"
                                             f"...), so --weight must be 'weight' or 3 (the third column).")
                    weight_column = 2
            needed = max(source_column, target_column, weight_column if weight_column is not None else 0)
            if len(cells) <= needed:
                raise EdgesFileError(f"{name} row {number}: {len(cells)} column(s), needs {needed + 1} "
                                     f"(source, target{', weight' if weight_column is not None else ''}).")
            source, target = cells[source_column], cells[target_column]
            if not source or not target:
                raise EdgesFileError(f"{name} row {number}: empty {'source' if not source else 'target'}.")
            value = 1.0
            if weight_column is not None:
                raw = cells[weight_column]
                try:
                    value = float(raw)
                except ValueError:
                    raise EdgesFileError(f"{name} row {number}: weight {raw!r} is not a number.") from None
                if not math.isfinite(value) or value <= 0:
                    raise EdgesFileError(f"{name} row {number}: weight {raw!r} must be a finite number above 0.")
            edges.append((source, target, value))
    except csv.Error as error:
        raise EdgesFileError(f"{name} row {number + 1}: {error}.") from None
    if not edges:
        raise EdgesFileError(f"{name}: no edges (rows of source,target[,weight]).")
    return edges
