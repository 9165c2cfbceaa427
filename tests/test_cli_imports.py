"""The `learnloop` command starts fast: what a command loads is what it needs.

Each case runs the real entry point in a fresh interpreter and looks at sys.modules when it is
done, so an import added at the top of a module on a command's path shows up here."""

import json
import subprocess
import sys

import pytest

HEAVY = {"scipy", "numpy", "statsmodels", "snowballstemmer", "tantivy", "igraph", "pysd", "pandas", "xarray",
         "sqlalchemy", "duckdb"}

PROBE = """
import io, json, sys
from contextlib import redirect_stderr, redirect_stdout
from learnloop.cli import main
output = io.StringIO()
with redirect_stdout(output), redirect_stderr(output):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def modules_loaded_by(*arguments: str) -> set[str]:
    finished = subprocess.run([sys.executable, "-c", PROBE, *arguments], capture_output=True, text=True, check=True)
    return set(json.loads(finished.stdout.strip().splitlines()[-1]))


def loaded_by(*arguments: str) -> set[str]:
    """The top-level packages loaded."""
    return {name.split(".")[0] for name in modules_loaded_by(*arguments)}


@pytest.mark.parametrize("arguments", [
    ["--help"], ["--version"], ["experiment", "analyze", "--help"], ["experiment", "compute", "--help"],
    ["survey", "reliability", "--help"],
    ["insights", "themes", "--help"], ["growth", "match", "--help"],
    ["systems", "simulate", "--help"], ["systems", "loops", "--help"], ["network", "analyze", "--help"],
    # Django's commands, answered from cli_help.json
    ["search", "--help"], ["survey", "close", "--help"], ["serve", "-h"], ["migrate", "--help"],
])
def test_help_loads_neither_django_nor_numerical_libraries(arguments):
    loaded = loaded_by(*arguments)
    assert not loaded & (HEAVY | {"django", "ninja", "pydantic"})


# "-v 1" before "--help" takes these past the stored help (cli_help.py) into Django itself.
@pytest.mark.parametrize("arguments", [["check"], ["survey", "remind", "-v", "1", "--help"],
                                       ["migrate", "-v", "1", "--help"], ["systems", "-v", "1", "--help"]])
def test_django_commands_leave_the_numerical_libraries_unloaded(arguments):
    loaded = loaded_by(*arguments)
    assert "django" in loaded
    assert not loaded & HEAVY


@pytest.mark.parametrize("arguments", [["survey", "remind", "-v", "1", "--help"], ["migrate", "-v", "1", "--help"]])
def test_commands_that_serve_nothing_leave_the_api_framework_unloaded(arguments):
    # ninja and pydantic are most of Django's start-up when they load; only the URLs need them.
    assert not loaded_by(*arguments) & {"ninja", "pydantic"}


def test_django_start_up_imports_no_form_module():
    # Forms get their input bounds as their classes are made (web/input_checks.py); importing
    # every form module at start-up to bound them cost each command about 0.1 s.
    loaded = modules_loaded_by("survey", "remind", "-v", "1", "--help")
    assert "learnloop.web.input_checks" in loaded  # the web app was set up
    assert not {name for name in loaded if name.startswith("learnloop.") and name.endswith("forms")}


def test_analysing_a_file_needs_no_django(tmp_path):
    aggregates = tmp_path / "checkout.csv"
    aggregates.write_text("variation,users,sum,sum_squares\ncontrol,1000,5000,30000\nB,1000,5200,31000\n")
    answers = tmp_path / "answers.csv"
    answers.write_text("q1,q2,q3\n" + "".join(f"{a},{b},{c}\n" for a, b, c in
                                               [(1, 2, 2), (3, 3, 4), (5, 4, 5), (2, 2, 1), (4, 5, 4)]))
    analysed = loaded_by("experiment", "analyze", str(aggregates), "--format", "json")
    scored = loaded_by("survey", "reliability", str(answers), "--items", "q1,q2,q3", "--scale", "1-5",
                       "--omega-factors", "1")
    texts = tmp_path / "texts.csv"
    texts.write_text("id,text\n1,deploys broke on Friday\n2,Friday deploys broke again\n")
    grouped = loaded_by("insights", "themes", str(texts), "--format", "json")
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target\na,b\nb,c\nc,a\n")
    measured = loaded_by("network", "analyze", str(edges), "--format", "json")
    assert "numpy" in analysed and "numpy" in scored and "igraph" in grouped  # the analysis really ran
    assert "igraph" in measured
    assert "django" not in analysed | scored | grouped | measured


def test_matching_mentors_needs_no_django(tmp_path):
    document = tmp_path / "people.json"
    document.write_text('{"mentors": [{"id": "a", "capacity": 1, "skills": {"sql": 3}}], '
                        '"mentees": [{"id": "b", "wants": {"sql": 2}}]}')
    matched = loaded_by("growth", "match", str(document), "--format", "json")
    assert "scipy" in matched  # the solver really ran
    assert not matched & {"django", "ninja", "pydantic"}


def test_computing_in_a_warehouse_needs_no_django(tmp_path):
    (tmp_path / "e.sql").write_text("SELECT i AS unit_id, CASE WHEN i % 2 = 0 THEN 'control' ELSE 'b' END "
                                    "AS variation, TIMESTAMP '2026-01-01' AS first_exposure_at FROM range(100) t(i)")
    (tmp_path / "m.sql").write_text("SELECT i % 50 AS unit_id, TIMESTAMP '2026-01-02' AS timestamp, i AS value "
                                    "FROM range(300) t(i)")
    computed = loaded_by("experiment", "compute", "--source", "duckdb:///:memory:", "--exposure-sql",
                         str(tmp_path / "e.sql"), "--metric-sql", str(tmp_path / "m.sql"), "--format", "json")
    assert {"duckdb", "sqlalchemy", "numpy"} <= computed
    assert "django" not in computed
