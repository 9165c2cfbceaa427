"""Models from the SDXorg test-models suite, run through `simulate` and through
`learnloop systems simulate`, against the suite's canonical outputs.

test_models/ holds a selection of github.com/SDXorg/test-models (MIT licence, LICENSE and
AUTHORS beside them; commit 21aab02 of 2025-03-14): each model file with its folder's canonical
output (output.csv, else output.tab, the order PySD's test runner picks) and README.

Tolerance: PySD's own integration tests (tests/pytest_integration/pytest_integration_vensim_pathway.py
and ..._xmile_pathway.py) compare every canonical column with pysd.tools.benchmarking.assert_frames_close,
whose default is |expected - actual| <= atol + rtol * |actual| with rtol = atol = 1e-5, looser only
where that list says (test_arguments.mdl: rtol 1e-2). Columns Vensim writes only in the first row
(constants) are filled down first, as PySD's harness does.
"""

import csv
import math
from pathlib import Path

import pytest

from learnloop import cli
from learnloop.analytics.systems.simulation import SimulationError, UnsupportedFunctions, simulate

MODELS = Path(__file__).parent / "test_models"
DEFAULT_TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}
TOLERANCES = {"tests/arguments/test_arguments.mdl": {"rtol": 1e-2, "atol": 1e-5}}
# Shipped to show what PySD cannot do; each is skipped with the reason and counted.
CANNOT_RUN = {
    "tests/macro_stock/test_macro_stock.xmile": "PySD's XMILE translator has no macros (parse error at MACRO)",
    "tests/subscript_1d_arrays/test_subscript_1d_arrays.xmile": "PySD cannot parse this XMILE's array equations",
    "tests/active_initial/test_active_initial.xmile": "PySD's own suite marks it xfail (differs from the "
                                                      "canonical output)",
}
CPU_HEAVY = {"tests/subscript_2d_arrays/test_subscript_2d_arrays.mdl"}


def _model_files() -> list[str]:
    found = [path for path in MODELS.rglob("*") if path.suffix.lower() in (".mdl", ".xmile")]
    return sorted(str(path.relative_to(MODELS)) for path in found)


def _canonical(model: Path) -> tuple[list[str], list[list[float]]]:
    """(header, rows) of the folder's canonical output, rows as floats (NaN for blanks)."""
    file = model.parent / "output.csv"
    if not file.exists():
        file = model.parent / "output.tab"
    raw = file.read_bytes()
    for encoding in ("utf-8-sig", "utf-16", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(lines.splitlines(), delimiter="\t" if file.suffix == ".tab" else ",")
    header = [name.strip() for name in next(reader)]
    rows = []
    for row in reader:
        if not row or not row[0].strip():
            continue
        rows.append([_float(cell) for cell in row])
    rows = [row for row in rows if not math.isnan(row[0])]
    for column in range(1, len(header)):  # Vensim writes constants in the first row only
        if rows and all(math.isnan(row[column]) for row in rows[1:]):
            for row in rows[1:]:
                row[column] = rows[0][column]
    return header, rows


def _float(cell: str) -> float:
    try:
        return float(cell.strip())
    except ValueError:
        return math.nan


def _assert_close(model_name: str, header, expected_rows, columns, actual_rows):
    tolerance = TOLERANCES.get(model_name, DEFAULT_TOLERANCE)
    assert columns[0] == "TIME"
    assert len(actual_rows) == len(expected_rows), "different number of saved times"
    position = {name: number for number, name in enumerate(columns)}
    for expected, actual in zip(expected_rows, actual_rows, strict=True):
        assert math.isclose(expected[0], actual[0], rel_tol=1e-9, abs_tol=1e-9)
    wrong = []
    for number, name in enumerate(header[1:], start=1):
        column = position[name]
        for expected, actual in zip(expected_rows, actual_rows, strict=True):
            want, got = expected[number], actual[column]
            if math.isnan(want) and math.isnan(got):
                continue
            if not abs(want - got) <= tolerance["atol"] + tolerance["rtol"] * abs(got):
                wrong.append(f"{name} at {expected[0]:g}: canonical {want!r}, simulated {got!r}")
                break
    assert not wrong, "; ".join(wrong[:5])


def _params(model_name: str):
    marks = []
    if model_name in CANNOT_RUN:
        marks.append(pytest.mark.skip(reason=CANNOT_RUN[model_name]))
    return pytest.param(model_name, marks=marks, id=model_name)


SUITE = [_params(name) for name in _model_files()]


def test_the_shipped_selection_is_tens_of_models_in_both_formats():
    names = _model_files()
    assert len([name for name in names if name.endswith(".mdl")]) >= 40
    assert len([name for name in names if name.endswith(".xmile")]) >= 20
    assert (MODELS / "LICENSE").read_text().startswith("Copyright 2015 The test-models Authors")


@pytest.mark.parametrize("model_name", SUITE)
def test_simulate_matches_the_canonical_output(model_name):
    model = MODELS / model_name
    header, expected = _canonical(model)
    table = simulate(model, return_columns=header[1:])
    assert list(table.columns) == ["TIME", *header[1:]]
    _assert_close(model_name, header, expected, table.columns, table.rows)


@pytest.mark.parametrize("model_name", [name for name in SUITE if name.values[0] not in CPU_HEAVY])
def test_the_command_prints_the_canonical_output_as_csv(model_name, capsys):
    # No --return-columns: every variable comes out, and the canonical ones are among them.
    model = MODELS / model_name
    header, expected = _canonical(model)
    cli.main(["systems", "simulate", str(model), "--format", "csv"])
    rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    columns, values = rows[0], [[_float(cell) for cell in row] for row in rows[1:]]
    assert columns[0] == "TIME"
    assert set(header[1:]) <= set(columns)
    _assert_close(model_name, header, expected, columns, values)


def test_params_change_a_constant_and_json_has_columns_and_rows(capsys):
    import json

    teacup = MODELS / "samples/teacup/teacup.mdl"
    cli.main(["systems", "simulate", str(teacup), "--param", "Characteristic Time=5",
              "--return-columns", "Teacup Temperature,Heat Loss to Room", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["columns"] == ["TIME", "Teacup Temperature", "Heat Loss to Room"]
    assert data["rows"][0] == [0, 180, 22]  # heat loss = (180 - 70) / 5
    base = simulate(teacup, return_columns=["Teacup Temperature"])  # the parameter did not stick
    assert base.rows[1][1] == pytest.approx(180 - 0.125 * 11)


def test_subscripted_columns_are_named_by_element(capsys):
    model = MODELS / "tests/subscript_1d_arrays/test_subscript_1d_arrays.mdl"
    header, _ = _canonical(model)
    element = next(name for name in header if "[" in name)
    cli.main(["systems", "simulate", str(model), "--return-columns", element])
    header_line = capsys.readouterr().out.splitlines()[0]
    assert next(csv.reader([header_line])) == ["TIME", element]


@pytest.mark.parametrize("arguments, message", [
    (["missing.mdl"], "missing.mdl: no such model file."),
    (["model.txt"], "ends in .mdl (Vensim) or .xmile"),
    (["TEACUP", "--param", "Characteristic Time"], "write NAME=VALUE"),
    (["TEACUP", "--param", "Characteristic Time=hot"], "'hot' is not a number"),
    (["TEACUP", "--param", "Kettle=3"], "--param Kettle: teacup.mdl has no variable of that name."),
    (["TEACUP", "--return-columns", "Teacup Temperature,Saucer"],
     "--return-columns Saucer: teacup.mdl has no variable of that name."),
])
def test_bad_input_exits_2_with_a_clear_message(arguments, message, capsys, tmp_path):
    teacup = str(MODELS / "samples/teacup/teacup.mdl")
    (tmp_path / "model.txt").write_text("x")
    arguments = [teacup if item == "TEACUP" else str(tmp_path / item) if item.startswith(("missing", "model"))
                 else item for item in arguments]
    with pytest.raises(SystemExit) as stopped:
        cli.main(["systems", "simulate", *arguments])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_unsupported_functions_are_named_and_exit_2(tmp_path, capsys):
    model = tmp_path / "unsupported.mdl"
    model.write_text(
        "{UTF-8}\nStock = INTEG(Inflow, 1)\n\t~\t~\t|\n"
        "Inflow = RANDOM POISSON(0, 10, 2, 0, 1, 0) + MAGIC WAND(Stock)\n\t~\t~\t|\n"
        "FINAL TIME = 5\n\t~\t~\t|\nINITIAL TIME = 0\n\t~\t~\t|\n"
        "SAVEPER = 1\n\t~\t~\t|\nTIME STEP = 1\n\t~\t~\t|\n\\\\\\---/// Sketch information\n")
    with pytest.raises(UnsupportedFunctions) as refused:
        simulate(model)
    assert "MAGIC WAND" in refused.value.names
    with pytest.raises(SystemExit) as stopped:
        cli.main(["systems", "simulate", str(model)])
    assert stopped.value.code == 2
    assert "uses functions PySD does not support: " in capsys.readouterr().err


def test_a_file_pysd_cannot_parse_is_a_simulation_error(tmp_path):
    model = tmp_path / "broken.xmile"
    model.write_text("<xmile><not really")
    with pytest.raises(SimulationError, match=r"broken\.xmile: PySD could not translate"):
        simulate(model)


def test_the_installed_command_runs_without_django(tmp_path):
    import json
    import subprocess
    import sys

    probe = ("import sys, json\nfrom learnloop.cli import main\nmain(sys.argv[1:])\n"
             "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))")
    teacup = MODELS / "samples/teacup/teacup.xmile"
    done = subprocess.run([sys.executable, "-c", probe, "systems", "simulate", str(teacup), "--return-columns",
                           "Teacup Temperature"], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[0] == "TIME,Teacup Temperature" and lines[1] == "0,180"
    loaded = set(json.loads(lines[-1]))
    assert "pysd" in loaded and "django" not in loaded
