"""Crafted models that would run code on the server through PySD's translation are refused, and
the code never runs (docs/systems.md, "Safety of model files").

Each attack was first checked to work against plain `pysd.read_vensim`/`read_xmile` + load (the
first test shows it for the documentation attack), so these tests can fail."""

import textwrap
from pathlib import Path

import pytest

from learnloop.analytics.systems.model_safety import UnsafeModel, check_generated_code
from learnloop.analytics.systems.simulation import SimulationError, simulate

CONTROL = textwrap.dedent("""
    FINAL TIME = 4
    \t~\tMonth
    \t~\tThe final time.
    \t|
    INITIAL TIME = 0
    \t~\tMonth
    \t~\tThe initial time.
    \t|
    SAVEPER = 1
    \t~\tMonth
    \t~\tThe save period.
    \t|
    TIME STEP = 1
    \t~\tMonth
    \t~\tThe time step.
    \t|
    """)


def vensim(tmp_path: Path, body: str, name: str = "model.mdl") -> Path:
    path = tmp_path / name
    path.write_text("{UTF-8}\n" + textwrap.dedent(body) + CONTROL, encoding="utf-8")
    return path


def docstring_attack(tmp_path: Path, marker: Path) -> Path:
    # Vensim's backslash becomes a line break in PySD's docstring; three quotes end it.
    return vensim(tmp_path, f"""
        x = 1
        \t~\tDmnl
        \t~\t\"\"\"\\import pathlib\\pathlib.Path({str(marker)!r}).write_text("owned")\\\"\"\"
        \t|
        """)


def test_the_documentation_attack_runs_code_in_plain_pysd(tmp_path):
    """The attack is real: PySD alone writes and imports it (so the refusals below mean something)."""
    import pysd

    marker = tmp_path / "PWNED"
    model = docstring_attack(tmp_path, marker)
    pysd.read_vensim(str(model)).run()
    assert marker.read_text() == "owned"


@pytest.mark.parametrize("untrusted", [False, True])
def test_a_documentation_that_closes_the_docstring_is_refused_before_any_code_runs(tmp_path, untrusted):
    marker = tmp_path / "PWNED"
    model = docstring_attack(tmp_path, marker)
    with pytest.raises(UnsafeModel, match="documentation of 'x' holds three double quotes"):
        simulate(model, untrusted=untrusted)
    assert not marker.exists()


def test_an_xmile_documentation_attack_is_refused(tmp_path):
    marker = tmp_path / "PWNED"
    path = tmp_path / "model.xmile"
    path.write_text(textwrap.dedent(f"""\
        <?xml version="1.0" encoding="utf-8"?>
        <xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
          <header><vendor>x</vendor><product version="1">x</product></header>
          <sim_specs><start>0</start><stop>4</stop><dt>1</dt></sim_specs>
          <model><variables>
            <aux name="x"><eqn>1</eqn>
              <doc>\"\"\"
        import pathlib; pathlib.Path({str(marker)!r}).write_text("owned")
        \"\"\"</doc></aux>
          </variables></model>
        </xmile>
        """), encoding="utf-8")
    with pytest.raises(UnsafeModel):
        simulate(path, untrusted=True)
    assert not marker.exists()


def test_a_quote_in_an_external_data_file_name_is_caught_in_the_generated_code(tmp_path):
    """GET XLS DATA's file name is pasted inside r'...' quotes; a quote breaks out. Trusted models
    (the command line) may read data files, so only the check of the generated code stops it."""
    marker = tmp_path / "PWNED"
    model = vensim(tmp_path, f"""
        data := GET XLS DATA('x', __import__('pathlib').Path({str(marker)!r}).write_text('owned'), 'a', 'b', 'c')
        \t~\tDmnl
        \t~\t
        \t|
        """)
    with pytest.raises(SimulationError):
        simulate(model)
    assert not marker.exists()


def test_uploaded_models_may_not_read_files(tmp_path):
    (tmp_path / "secrets.csv").write_text("time,value\n0,42\n")
    model = vensim(tmp_path, """
        leak = GET DIRECT CONSTANTS('secrets.csv', ',', 'B2')
        \t~\tDmnl
        \t~\t
        \t|
        """)
    assert simulate(model, return_columns=["leak"]).column("leak")[0] == 42  # the command line may
    with pytest.raises(UnsafeModel, match="reads an external file"):
        simulate(model, untrusted=True)


def test_uploaded_models_names_are_whitelisted(tmp_path):
    model = vensim(tmp_path, """
        "a\\\\b;c" = 1
        \t~\tDmnl
        \t~\t
        \t|
        """)
    with pytest.raises(UnsafeModel, match="variable name"):
        simulate(model, untrusted=True)


def test_an_ordinary_model_passes_both_checks(tmp_path):
    model = vensim(tmp_path, """
        Lessons = INTEG(written - going stale, 10)
        \t~\tlessons
        \t~\tLessons in use. "Quoted" words and a \\ continuation are fine.
        \t|
        written = 3
        \t~\tlessons/Month
        \t~\t
        \t|
        going stale = Lessons * 0.1
        \t~\tlessons/Month
        \t~\t
        \t|
        """)
    table = simulate(model, return_columns=["Lessons"], untrusted=True)
    assert table.column("Lessons")[:2] == [10.0, 12.0]


@pytest.mark.parametrize("code, found", [
    ("import os\n", "an import of os"),
    ("def f():\n    return eval('1')\n", "the name eval"),
    ("def f():\n    return ().__class__\n", "the attribute __class__"),
    ("x = 1\nif x:\n    pass\n", "module-level If"),
    ("print('hi')\n", "module-level expression"),
    ("def f():\n    import shutil\n    return 1\n", "import of shutil"),
])
def test_the_generated_code_check_refuses_what_a_translation_never_holds(tmp_path, code, found):
    folder = tmp_path / "translation"
    folder.mkdir()
    (folder / "model.py").write_text('"""A model."""\nfrom pysd.py_backend.statefuls import Integ\n' + code)
    with pytest.raises(UnsafeModel, match=found):
        check_generated_code(folder / "model.py", file_name="model.mdl")


def test_uploaded_xmile_files_may_not_declare_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    path = tmp_path / "model.xmile"
    path.write_text(textwrap.dedent(f"""\
        <?xml version="1.0" encoding="utf-8"?>
        <!DOCTYPE xmile [<!ENTITY leak SYSTEM "file://{secret}">]>
        <xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
          <header><vendor>x</vendor><product version="1">x</product></header>
          <sim_specs><start>0</start><stop>4</stop><dt>1</dt></sim_specs>
          <model><variables><aux name="x"><eqn>1</eqn><doc>&leak;</doc></aux></variables></model>
        </xmile>
        """), encoding="utf-8")
    with pytest.raises(UnsafeModel, match="DOCTYPE and ENTITY"):
        simulate(path, untrusted=True)
