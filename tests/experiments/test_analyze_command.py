"""`learnloop experiment analyze FILE`: the analyst's command, on good files and bad ones."""

import csv
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.analytics.stats.cases import generated_cases

COLUMNS = (
    "variation", "users", "sum", "sum_squares", "denominator_sum", "denominator_sum_squares",
    "denominator_sum_product", "covariate_sum", "covariate_sum_squares", "covariate_sum_product",
)


def write_csv(path: Path, rows: list[dict]) -> Path:
    columns = [column for column in COLUMNS if any(column in row for row in rows)]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def analyze(path: Path, *options: str) -> str:
    out = StringIO()
    call_command("experiment", "analyze", str(path), *options, stdout=out)
    return out.getvalue()


def analyze_json(path: Path, *options: str) -> dict:
    return json.loads(analyze(path, "--format", "json", *options))


def bad_file_message(path: Path, *options: str) -> str:
    with pytest.raises(CommandError) as raised:
        analyze(path, *options)
    assert raised.value.returncode == 2
    return str(raised.value)


@pytest.fixture
def checkout_test(tmp_path):
    return write_csv(tmp_path / "checkout.csv", [
        {"variation": "control", "users": 10_000, "sum": 52_000, "sum_squares": 620_000},
        {"variation": "one-page", "users": 10_050, "sum": 55_300, "sum_squares": 665_000},
        {"variation": "express", "users": 9_950, "sum": 51_600, "sum_squares": 612_000},
    ])


def test_frequentist_json_has_one_result_per_variation_and_the_srm_p_value(checkout_test):
    report = analyze_json(checkout_test, "--engine", "frequentist", "--difference", "absolute")
    assert [result["variation"] for result in report["results"]] == ["one-page", "express"]
    one_page = report["results"][0]
    assert one_page["effect"] == pytest.approx(55_300 / 10_050 - 5.2)
    assert one_page["ci_low"] < one_page["effect"] < one_page["ci_high"]
    assert 0 < one_page["p_value"] < 0.05
    assert "chance_to_win" not in one_page
    assert 0.5 < report["srm_p_value"] <= 1


def test_bayesian_json_reports_chance_to_win_and_expected_loss(checkout_test):
    report = analyze_json(checkout_test, "--engine", "bayesian")
    one_page, express = report["results"]
    assert one_page["chance_to_win"] > 0.95 > express["chance_to_win"]
    assert one_page["expected_loss"] < express["expected_loss"]
    assert "p_value" not in one_page


def test_alpha_widens_the_interval_and_sequential_is_wider_still(checkout_test):
    def width(*options):
        result = analyze_json(checkout_test, *options)["results"][0]
        return result["ci_high"] - result["ci_low"]

    assert width("--alpha", "0.01") > width("--alpha", "0.05") > width("--alpha", "0.2")
    assert width("--engine", "sequential") > width()


def test_table_shows_every_variation_and_warns_about_a_sample_ratio_mismatch(tmp_path):
    path = write_csv(tmp_path / "skewed.csv", [
        {"variation": "control", "users": 50_000, "sum": 2_500},
        {"variation": "treatment", "users": 47_000, "sum": 2_600},
    ])
    table = analyze(path, "--metric-type", "binomial")
    assert "treatment" in table and "47000" in table
    assert "WARNING" in table and "traffic split" in table


def test_json_files_and_holm_correction(tmp_path):
    path = tmp_path / "signup.json"
    path.write_text(json.dumps([
        {"variation": "control", "users": 4000, "sum": 400},
        {"variation": "short form", "users": 4000, "sum": 470},
        {"variation": "social login", "users": 4000, "sum": 455},
    ]))
    report = analyze_json(path, "--metric-type", "binomial", "--correction", "holm")
    for result in report["results"]:
        assert result["adjusted_p_value"] >= result["p_value"]


def test_cuped_columns_narrow_the_interval(tmp_path):
    rng = np.random.default_rng(5)
    rows_plain, rows_cuped = [], []
    for name, lift in (("control", 0.0), ("treatment", 0.5)):
        pre = rng.normal(20, 5, 2000)
        post = pre + rng.normal(lift, 2, 2000)
        base = {"variation": name, "users": 2000, "sum": post.sum(), "sum_squares": (post**2).sum()}
        rows_plain.append(base)
        rows_cuped.append(base | {"covariate_sum": pre.sum(), "covariate_sum_squares": (pre**2).sum(),
                                  "covariate_sum_product": (post * pre).sum()})
    plain = analyze_json(write_csv(tmp_path / "plain.csv", rows_plain))
    cuped = analyze_json(write_csv(tmp_path / "cuped.csv", rows_cuped))
    assert cuped["cuped"] and not plain["cuped"]
    narrow = cuped["results"][0]["ci_high"] - cuped["results"][0]["ci_low"]
    assert narrow < 0.6 * (plain["results"][0]["ci_high"] - plain["results"][0]["ci_low"])


@pytest.mark.parametrize(
    ("content", "options", "expected"),
    [
        ("variation,users,sum,sum_squares\ncontrol,100,50,40\nB,1o0,55,45\n", (), "line 3, column users: '1o0'"),
        ("variation,users,sum,sum_squares\ncontrol,100,50,40\nB,100,55\n", (), "line 3: 3 values"),
        ("variation,users,sum\ncontrol,100,50\nB,100,55\n", (), "column sum_squares is missing"),
        ("variation,users,sum,sum_squares,colour\ncontrol,100,50,40,red\nB,100,55,45,blue\n", (), "column colour"),
        ("variation,users,sum,sum_squares\ncontrol,100,50,40\nB,100,55,2\n", (), "line 3, column sum_squares"),
        ("variation,users,sum,sum_squares\ncontrol,100,50,40\ncontrol,100,55,45\n", (), "'control' is already used"),
        ("variation,users,sum\ncontrol,100,50\nB,100,150\n", ("--metric-type", "binomial"), "line 3, column sum"),
        ("variation,users,sum,sum_squares\ncontrol,100.5,50,40\nB,100,55,45\n", (), "line 2, column users"),
        ("variation,users,sum,sum_squares\ncontrol,100,50,40\n", (), "at least two variations"),
        ("variation,users,sum,sum_squares\ncontrol,100,50,40\n,100,55,45\n", (), "line 3, column variation"),
        ("", (), "empty"),
        ('[{"variation": "a", "users": 10, "sum": 5, "sum_squares": 4}, {"variation": "b", "users": "x"}]',
         (), "row 2, column users"),
        ('[{"variation": "a", "users": 10, ', (), "Not valid JSON"),
        ("variation,users,sum,sum_squares,weight\ncontrol,100,50,40,0.5\nB,100,55,45,\n", (), "column weight"),
    ],
)
def test_bad_files_name_the_row_and_column_and_exit_with_status_2(tmp_path, content, options, expected):
    path = tmp_path / ("bad.json" if content.startswith("[") else "bad.csv")
    path.write_text(content)
    assert expected in bad_file_message(path, *options)


def test_a_missing_file_is_a_clear_error(tmp_path):
    assert "no such file" in bad_file_message(tmp_path / "nowhere.csv")


def test_the_learnloop_entry_point_exits_with_status_2_on_a_bad_file(tmp_path):
    bad_path = tmp_path / "bad.csv"
    bad_path.write_text("variation,users,sum,sum_squares\ncontrol,100,50,40\nB,-3,55,45\n")
    command = [sys.executable, "-m", "learnloop.cli", "experiment", "analyze", str(bad_path)]
    bad = subprocess.run(command, capture_output=True, text=True)
    assert bad.returncode == 2
    assert "line 3, column users" in bad.stderr


@pytest.mark.gbstats
def test_command_output_matches_gbstats_on_generated_files(gbstats, tmp_path):
    cases = generated_cases(seed=99, count=60)
    peer = gbstats(cases)["results"]
    for index, (case, theirs) in enumerate(zip(cases, peer, strict=True)):
        options = ["--metric-type", case["metric"], "--engine", case["engine"], "--difference", case["difference"],
                   "--alpha", str(case["alpha"])]
        if "tuning" in case:
            options += ["--sequential-tuning", str(case["tuning"])]
        if case.get("prior"):
            options += ["--prior-mean", repr(case["prior"]["mean"]), "--prior-stddev", repr(case["prior"]["stddev"])]
        if case.get("lower_is_better"):
            options.append("--lower-is-better")
        path = write_csv(tmp_path / f"case{index}.csv", [
            {"variation": "control", **case["control"]}, {"variation": "treatment", **case["treatment"]}
        ])
        ours = analyze_json(path, *options)["results"][0]
        fields = ["effect", "ci_low", "ci_high"] + (
            ["chance_to_win", "expected_loss"] if case["engine"] == "bayesian" else ["p_value"]
        )
        for field in fields:
            assert ours[field] == pytest.approx(theirs[field], rel=1e-6, abs=1e-9), (index, field, case)
