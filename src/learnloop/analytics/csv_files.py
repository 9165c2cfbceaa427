"""One way to read a CSV file's text, for every reader (imports, survey answers, experiment
aggregates): comma, semicolon or tab separated, whichever the header line uses most, since
spreadsheets in comma-decimal locales write semicolons. Pure, no Django."""

import csv
import io

DELIMITERS = ",;\t"


def delimiter_of(text: str) -> str:
    """The separator the first non-blank line uses most (a comma when it has none)."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else ","


def csv_reader(text: str):
    """A csv.reader over `text` with its delimiter; iterate it inside `except csv.Error`."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))


def read_file_bytes(path, error: type[Exception]) -> bytes:
    """A command-line file's bytes, or `error` with one line saying why not (the CLIs exit 2 on it)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise error(f"{path} is a directory, not a file.") from None
    except OSError as problem:
        raise error(f"{path} can't be read: {problem.strerror or problem}.") from None
