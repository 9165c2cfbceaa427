"""`learnloop experiment compute`: the warehouse's sums analysed exactly like `experiment analyze`
analyses the same sums computed by pandas from the raw rows; bad input exits 2 with a message."""

import json
from io import StringIO

import duckdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from learnloop.experiments import analyze_cli, compute_cli
from tests.analytics.warehouse.events import excluded_units, generate, load_duckdb, reference
from tests.experiments.test_analyze_command import write_csv


@pytest.fixture(scope="module")
def log():
    return generate(seed=11, variations=("zebra", "control", "apple"))


@pytest.fixture(scope="module")
def warehouse(log, tmp_path_factory):
    folder = tmp_path_factory.mktemp("compute")
    source = load_duckdb(log, folder / "events.duckdb")
    (folder / "exposure.sql").write_text("SELECT unit_id, variation, first_exposure_at, country FROM exposures\n")
    (folder / "metric.sql").write_text(
        "-- revenue\nSELECT unit_id, timestamp, value, numerator, denominator FROM events;\n"
    )
    return source, folder


def run(*arguments: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    status = compute_cli.main(list(arguments), write=out.write, fail=err.write)
    return status, out.getvalue(), err.getvalue()


def compute_json(warehouse, *options: str) -> dict:
    source, folder = warehouse
    status, out, err = run("--source", source, "--exposure-sql", str(folder / "exposure.sql"),
                           "--metric-sql", str(folder / "metric.sql"), "--format", "json", *options)
    assert status == 0, err
    return json.loads(out)


def analyze_reference(tmp_path, sums: dict, metric_type: str, *options: str) -> dict:
    order = ["control", "apple", "zebra"]
    rows = [{"variation": name, **sums[(None, name)]} for name in order]
    path = write_csv(tmp_path / "reference.csv", rows)
    return json.loads(analyze_cli.analyze(**{
        **vars(_analyze_parser().parse_args([str(path), "--metric-type", metric_type, "--format", "json", *options]))
    }))


def _analyze_parser():
    import argparse

    parser = argparse.ArgumentParser()
    analyze_cli.add_arguments(parser)
    return parser


@pytest.mark.parametrize(("metric_type", "options", "reference_options"), [
    ("mean", [], {}),
    ("mean", ["--conversion-window-hours", "24"], {"window_hours": 24}),
    ("binary", ["--conversion-window-hours", "72"], {"metric_type": "binomial", "window_hours": 72}),
    ("ratio", ["--engine", "bayesian"], {"metric_type": "ratio"}),
    ("mean", ["--cuped-days", "2", "--difference", "absolute"], {"cuped_days": 2}),
])
def test_the_output_is_analyze_on_the_sums_pandas_computes(warehouse, log, tmp_path, metric_type, options,
                                                          reference_options):
    computed = compute_json(warehouse, "--metric-type", metric_type, *options)
    sums = reference(log, **reference_options)
    engine_options = [option for option in options if option in ("--engine", "bayesian", "--difference", "absolute")]
    expected = analyze_reference(tmp_path, sums, reference_options.get("metric_type", "mean"), *engine_options)
    assert {key: computed[key] for key in expected} == expected
    assert computed["control"] == "control"
    assert [row["variation"] for row in computed["variations"]] == ["control", "apple", "zebra"]
    assert computed["excluded_units"] == excluded_units(log) > 0
    assert computed["warnings"] == [f"{excluded_units(log)} units were exposed to more than one variation and are "
                                    "left out."]


def test_dimension_cells_are_analysed_and_corrected_together(warehouse, log):
    computed = compute_json(warehouse, "--dimension", "country", "--metric-name", "revenue'; DROP TABLE events; --")
    assert computed["metric"] == "revenue'; DROP TABLE events; --"
    cells = computed["dimensions"]
    expected = reference(log, dimension="country")
    assert {(cell["value"], row["variation"]): row["users"] for cell in cells for row in cell["variations"]} == {
        key: sums["users"] for key, sums in expected.items()}
    raw = [result["p_value"] for cell in cells for result in cell["results"]]
    adjusted = [result["adjusted_p_value"] for cell in cells for result in cell["results"]]
    from learnloop.analytics.stats import holm

    assert adjusted == holm(raw).tolist()
    assert len(raw) == 3 * 2


def test_parquet_files_are_read_in_place(log, tmp_path):
    connection = duckdb.connect()
    exposures, events = log.exposures, log.events  # noqa: F841 (read by name by DuckDB)
    connection.execute(f"COPY exposures TO '{tmp_path / 'exposures.parquet'}' (FORMAT parquet)")
    connection.execute(f"COPY events TO '{tmp_path / 'events.parquet'}' (FORMAT parquet)")
    (tmp_path / "e.sql").write_text(f"SELECT * FROM read_parquet('{tmp_path / 'exposures.parquet'}')")  # noqa: S608
    (tmp_path / "m.sql").write_text(f"SELECT * FROM '{tmp_path / 'events.parquet'}'")  # noqa: S608
    status, out, err = run("--source", "duckdb:///:memory:", "--exposure-sql", str(tmp_path / "e.sql"),
                           "--metric-sql", str(tmp_path / "m.sql"), "--format", "json")
    assert status == 0, err
    sums = reference(log)
    assert {row["variation"]: row["users"] for row in json.loads(out)["variations"]} == {
        variation: found["users"] for (_, variation), found in sums.items()}


def test_the_source_url_can_come_from_the_environment(warehouse, monkeypatch):
    monkeypatch.setenv("EXPERIMENT_WAREHOUSE", warehouse[0])
    assert compute_json(warehouse, "--source", "env:EXPERIMENT_WAREHOUSE")["control"] == "control"


@pytest.mark.parametrize(("arguments", "message"), [
    (["--dimension", "country; DROP TABLE events"], "not a plain column name"),
    (["--dimension", "browser"], "returns no column browser"),
    (["--source", "mysql://root@localhost/db"], "Unknown data source kind"),
    (["--source", "postgresql://reader:s3cret@127.0.0.1:1/none"], "cannot connect"),
    (["--source", "env:NOT_SET_ANYWHERE"], "is not set"),
    (["--exposure-sql", "/no/such/file.sql"], "no such file"),
    (["--metric-type", "ratio", "--cap", "10"], "Capping applies to mean metrics only"),
])
def test_bad_input_is_one_clear_line_and_exit_status_2(warehouse, arguments, message):
    source, folder = warehouse
    base = {"--source": source, "--exposure-sql": str(folder / "exposure.sql"),
            "--metric-sql": str(folder / "metric.sql")}
    for flag, value in zip(arguments[::2], arguments[1::2], strict=True):
        base[flag] = value
    status, out, err = run(*[item for pair in base.items() for item in pair], "--format", "json")
    assert status == compute_cli.BAD_INPUT
    assert message in err and err.startswith("CommandError: ") and out == ""
    assert "s3cret" not in err


def test_sql_that_is_not_one_query_is_refused(warehouse, tmp_path):
    source, folder = warehouse
    (tmp_path / "evil.sql").write_text("SELECT * FROM exposures; DROP TABLE events")
    status, _, err = run("--source", source, "--exposure-sql", str(tmp_path / "evil.sql"),
                         "--metric-sql", str(folder / "metric.sql"))
    assert status == 2 and "more than one statement" in err
    (tmp_path / "one.sql").write_text("SELECT * FROM exposures WHERE variation = 'control'")
    status, _, err = run("--source", source, "--exposure-sql", str(tmp_path / "one.sql"),
                         "--metric-sql", str(folder / "metric.sql"))
    assert status == 2 and "Only one variation" in err
    assert duckdb.connect(source.removeprefix("duckdb:///"), read_only=True).execute(
        "SELECT count(*) FROM events").fetchone()[0] > 0


def test_the_django_command_runs_the_same(warehouse):
    source, folder = warehouse
    out = StringIO()
    call_command("experiment", "compute", "--source", source, "--exposure-sql", str(folder / "exposure.sql"),
                 "--metric-sql", str(folder / "metric.sql"), "--show-sql", "--format", "json", stdout=out)
    output = json.loads(out.getvalue())
    assert output["sql"].startswith("WITH\nexposure_source AS (")
    with pytest.raises(CommandError, match="no such file") as raised:
        call_command("experiment", "compute", "--source", source, "--exposure-sql", "/none.sql",
                     "--metric-sql", str(folder / "metric.sql"))
    assert raised.value.returncode == 2
