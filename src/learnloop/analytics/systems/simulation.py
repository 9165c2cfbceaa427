"""Stock-and-flow simulation of Vensim (.mdl) and XMILE (.xmile, .xml, .stmx) models through PySD.

`simulate(path, params=..., return_columns=...)` translates the model (once per process and file
content), runs it and returns a `SimulationTable`: a `TIME` column, then one column per variable,
one row per saved time step, as PySD's own output files and the SDXorg test-models canonical
outputs are laid out. Subscripted variables come out one column per element, `Name[a1,b1]`.

PySD, pandas and numpy are imported inside the functions, never at module level, so the
`learnloop` command and Django's start-up don't pay for them.

Every problem with the input raises `SimulationError` (a ValueError) with a message naming what
is wrong; `UnsupportedFunctions` names the functions PySD cannot translate or run.
"""

import atexit
import hashlib
import math
import re
import shutil
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from learnloop.analytics.systems.errors import SimulationError

VENSIM_SUFFIXES = (".mdl",)
XMILE_SUFFIXES = (".xmile", ".xml", ".stmx")
TIME_COLUMN = "TIME"
MAX_MODEL_BYTES = 20_000_000
MAX_SIBLINGS = 500  # files beside the model linked into the translation folder (external data)
_UNSUPPORTED_WARNING = re.compile(r"Trying to translate '([^']+)' which it is not implemented on PySD")
_UNSUPPORTED_AT_RUN = re.compile(r"Not implemented function '([^']+)'")


class UnsupportedFunctions(SimulationError):
    def __init__(self, path: Path, names: list[str]):
        self.names = sorted(set(names))
        super().__init__(f"{path.name} uses functions PySD does not support: {', '.join(self.names)}.")


@dataclass(frozen=True)
class SimulationTable:
    """columns[0] is "TIME"; each row holds that time and the values of the other columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[float, ...], ...]

    def column(self, name: str) -> list[float]:
        position = self.columns.index(name)
        return [row[position] for row in self.rows]

    def to_csv(self) -> str:
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows([[_number_text(value) for value in row] for row in self.rows])
        return out.getvalue()

    def to_json_data(self) -> dict:
        """{"columns": [...], "rows": [[...], ...]}; NaN and infinities become null."""
        return {"columns": list(self.columns),
                "rows": [[value if math.isfinite(value) else None for value in row] for row in self.rows]}


def _number_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def model_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in VENSIM_SUFFIXES:
        return "vensim"
    if suffix in XMILE_SUFFIXES:
        return "xmile"
    raise SimulationError(f"{path.name}: a model file ends in .mdl (Vensim) or .xmile/.xml/.stmx (XMILE), "
                          f"not {path.suffix or 'nothing'}.")


# --- translation, once per process and content -------------------------------------------------

_translated: dict[tuple[str, str], Path] = {}
_lock = threading.Lock()
_workspace: list[Path] = []


def _workspace_dir() -> Path:
    if not _workspace:
        folder = Path(tempfile.mkdtemp(prefix="learnloop-pysd-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _workspace.append(folder)
    return _workspace[0]


def translate(path: Path, *, untrusted: bool = False) -> Path:
    """The Python file PySD made from the model (made once per process for the same content).

    PySD writes its translation beside the model, so the model is copied into a private temporary
    folder first, with links to the files beside it (external data a model may read).

    Every translation is checked so that the model cannot run code of its own (model_safety.py);
    `untrusted` (models uploaded through the web or the API) also refuses external data, macros
    and names outside a whitelist of characters."""
    path = Path(path)
    kind = model_kind(path)
    if not path.is_file():
        raise SimulationError(f"{path}: no such model file.")
    if path.stat().st_size > MAX_MODEL_BYTES:
        raise SimulationError(f"{path.name}: larger than {MAX_MODEL_BYTES // 1_000_000} MB.")
    content = path.read_bytes()
    if untrusted and kind == "xmile":
        from learnloop.analytics.systems.model_safety import check_xml_declarations

        check_xml_declarations(content, file_name=path.name)
    key = (hashlib.sha256(content).hexdigest(), str(path.resolve().parent), untrusted)
    with _lock:
        if key in _translated:
            return _translated[key]
        folder = Path(tempfile.mkdtemp(dir=_workspace_dir()))
        for number, sibling in enumerate(sorted(path.resolve().parent.iterdir())):
            if number >= MAX_SIBLINGS:
                break
            if sibling.name != path.name and sibling.is_file() and sibling.suffix.lower() != ".py":
                (folder / sibling.name).symlink_to(sibling)
        copy = folder / path.name
        copy.write_bytes(content)
        _translated[key] = _translate_copy(path, copy, kind, untrusted=untrusted)
        return _translated[key]


def _translate_copy(original: Path, copy: Path, kind: str, *, untrusted: bool) -> Path:
    """PySD's read_vensim/read_xmile without the final load, with the safety checks between
    parsing and building and after building (the load imports the translation: it must be safe
    by then)."""
    from pysd.builders.python.python_model_builder import ModelBuilder

    from learnloop.analytics.systems.model_safety import check_abstract_model, check_generated_code

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            abstract_model = _parse(copy, kind)
        except Exception as error:  # PySD's parsers raise many kinds; all mean "can't translate"
            raise SimulationError(f"{original.name}: PySD could not translate the model: "
                                  f"{_one_line(error)}") from None
        check_abstract_model(abstract_model, untrusted=untrusted, file_name=original.name)
        try:
            python_file = Path(ModelBuilder(abstract_model).build_model())
        except Exception as error:
            raise SimulationError(f"{original.name}: PySD could not translate the model: "
                                  f"{_one_line(error)}") from None
    unsupported = [match.group(1) for warning in caught
                   for match in [_UNSUPPORTED_WARNING.search(str(warning.message))] if match]
    if unsupported:
        raise UnsupportedFunctions(original, unsupported)
    check_generated_code(python_file, file_name=original.name)
    return python_file


def _parse(copy: Path, kind: str):
    if kind == "vensim":
        from pysd.translators.vensim.vensim_file import VensimFile

        parsed = VensimFile(str(copy))
    else:
        from pysd.translators.xmile.xmile_file import XmileFile

        parsed = XmileFile(str(copy))
    parsed.parse()
    return parsed.get_abstract_model()


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 300 else text[:299] + "…"


# --- running ------------------------------------------------------------------------------------


def load(path: Path, *, untrusted: bool = False):
    """A fresh PySD model object for the file (parameters set on one run don't leak to the next)."""
    import pysd

    python_file = translate(path, untrusted=untrusted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pysd.load(str(python_file))
        except Exception as error:
            raise SimulationError(f"{Path(path).name}: PySD could not load the model: {_one_line(error)}") from None


def parse_params(pairs: list[str]) -> dict[str, float]:
    """["Name=1.5", ...] as {"Name": 1.5}; SimulationError on a malformed pair or value."""
    params: dict[str, float] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        name = name.strip()
        if not equals or not name:
            raise SimulationError(f"--param {pair!r}: write NAME=VALUE.")
        try:
            number = float(value)
        except ValueError:
            raise SimulationError(f"--param {name}: {value.strip()!r} is not a number.") from None
        if not math.isfinite(number):
            raise SimulationError(f"--param {name}: the value must be a finite number.")
        params[name] = number
    return params


def model_names(model) -> dict[str, str]:
    """Original name -> PySD's Python name, for every element the model has."""
    return dict(model.namespace)


def check_names(path: Path, model, params: dict, return_columns: list[str] | None) -> None:
    names = model_names(model)
    lowered = {name.lower(): name for name in names}
    python_names = set(names.values())
    for name in params:
        if name not in names and name.lower() not in lowered and name not in python_names:
            raise SimulationError(f"--param {name}: {path.name} has no variable of that name.")
    for column in return_columns or ():
        base = column.split("[", 1)[0].strip()
        if base not in names and base.lower() not in lowered and base not in python_names:
            raise SimulationError(f"--return-columns {column}: {path.name} has no variable of that name.")


def run_loaded(path: Path, model, params: dict[str, float], return_columns: list[str] | None):
    """Run an already loaded model; returns PySD's DataFrame (index: time)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return model.run(params=params or None, return_columns=return_columns or None)
        except NotImplementedError as error:
            found = _UNSUPPORTED_AT_RUN.findall(str(error))
            if found:
                raise UnsupportedFunctions(path, found) from None
            raise SimulationError(f"{path.name}: PySD cannot run this model: {_one_line(error)}") from None
        except (KeyError, NameError) as error:
            raise SimulationError(f"{path.name}: {_one_line(error).strip(repr(chr(39)))}") from None
        except Exception as error:
            raise SimulationError(f"{path.name}: the simulation failed: {_one_line(error)}") from None


def table_from_frame(frame) -> SimulationTable:
    import numpy as np

    columns = [str(name) for name in frame.columns]
    if TIME_COLUMN in columns:
        raise SimulationError("the model has a variable named TIME besides the time column.")
    try:
        values = frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise SimulationError("a returned column is not numeric (ask for it by element, e.g. Name[a1]).") from None
    times = np.asarray(frame.index, dtype=float)
    rows = tuple(tuple([float(time), *map(float, row)]) for time, row in zip(times, values, strict=True))
    return SimulationTable(columns=(TIME_COLUMN, *columns), rows=rows)


def simulate(path, *, params: dict[str, float] | None = None,
             return_columns: list[str] | None = None, untrusted: bool = False) -> SimulationTable:
    """Run the model at `path` with constants changed by `params` (name -> value) and return the
    table of `return_columns` (default: every variable PySD reports)."""
    path = Path(path)
    params = dict(params or {})
    model = load(path, untrusted=untrusted)
    check_names(path, model, params, return_columns)
    frame = run_loaded(path, model, params, return_columns)
    return table_from_frame(frame)
