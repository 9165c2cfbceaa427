"""The edge-list file of `learnloop network analyze`: rows `source,target[,weight]`.

- Separator: comma, semicolon or tab, whichever the first row (after # comments) uses most; a
  file whose first row has none of them is split on runs of whitespace (networkx's write_edgelist format).
- Header: the first non-blank row is a header when two of its cells are `source` and `target`
  (any case). Then columns are found by name and --weight names a column. Without a header, the
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
                if "source" in lowered and "target" in lowered:
                    source_column, target_column = lowered.index("source"), lowered.index("target")
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
