"""Lists as files: the CSV and JSON exports of the lists a lead works with (docs/exports.md).

Every export is a list some page shows, read through the same selector with the same filters, so
a file holds nothing the viewer can't see on the page. The rows stream out as they are written
(a generator over the selector's rows, which the caller reads in chunks), so a large list never
sits in memory whole.

CSV: written with the csv module, UTF-8 with a byte order mark (Excel on Windows reads a file
without one in the local code page and garbles "Müller" or "José"; LibreOffice, Numbers, pandas
(`encoding="utf-8-sig"`) and Python's csv skip it), and protected against formula injection: a
text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return, which a spreadsheet
would run as a formula, gets a leading `'` (numbers are written as numbers). JSON: a list of
objects with the same keys as the CSV's header, values typed and unescaped.
"""

import csv
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse

FORMATS = ("csv", "json")
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float:
    """A value as a spreadsheet should see it: text that would start a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object csv.writer writes one line into, handed straight back."""

    def write(self, text: str) -> str:
        return text


def csv_lines(columns: list[str], rows: Iterable[Mapping]) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow(columns)
    for row in rows:
        yield writer.writerow([safe_cell(row.get(column)) for column in columns])


def _json_value(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def json_chunks(columns: list[str], rows: Iterable[Mapping]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        yield ("" if first else ",") + "\n" + json.dumps({column: _json_value(row.get(column)) for column in columns},
                                                         cls=DjangoJSONEncoder, ensure_ascii=False)
        first = False
    yield "\n]\n"


def export_response(*, fmt: str, filename: str, columns: list[str], rows: Iterable[Mapping]) -> StreamingHttpResponse:
    """The rows as a download named `filename`.csv or .json (fmt is one of FORMATS, already checked)."""
    if fmt == "json":
        response = StreamingHttpResponse(json_chunks(columns, rows), content_type="application/json; charset=utf-8")
    else:
        response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
