"""`learnloop survey reliability`: the analysts' command, from a CSV of answers to a report."""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ITEMS = ["q1", "q2", "q3", "q4"]


def _answers(rng, respondents=120):
    """Four 1–5 items driven by one trait; q3 is worded the other way round."""
    trait = rng.normal(size=respondents)
    answers = np.clip(np.rint(3 + trait[:, None] * 0.9 + rng.normal(scale=0.8, size=(respondents, 4))), 1, 5)
    answers[:, 2] = 6 - answers[:, 2]
    return answers


def _write(path, answers, teams=None, blanks=()):
    header = ["id", *ITEMS, *(["team"] if teams is not None else [])]
    lines = [",".join(header)]
    for row, values in enumerate(answers):
        cells = ["" if (row, column) in blanks else str(int(value)) for column, value in enumerate(values)]
        lines.append(",".join([f"r{row}", *cells, *([teams[row]] if teams is not None else [])]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(*arguments):
    output = io.StringIO()
    call_command("survey", "reliability", *map(str, arguments), stdout=output)
    return output.getvalue()


def _alpha(answers):
    k = answers.shape[1]
    return k / (k - 1) * (1 - answers.var(axis=0, ddof=1).sum() / answers.sum(axis=1).var(ddof=1))


def test_json_report_for_a_scale_with_a_reverse_keyed_item(tmp_path):
    answers = _answers(np.random.default_rng(11))
    path = _write(tmp_path / "answers.csv", answers)

    result = json.loads(_run(path, "--items", ",".join(ITEMS), "--reverse", "q3", "--scale", "1-5", "--format", "json"))

    keyed = answers.copy()
    keyed[:, 2] = 6 - keyed[:, 2]
    assert result["n"] == len(answers)
    assert result["alpha"] == pytest.approx(_alpha(keyed))
    low, high = result["alpha_ci"]
    assert low < result["alpha"] < high
    assert 0 < result["omega_total"] <= 1
    assert [item["item"] for item in result["items"]] == ITEMS
    for column, item in enumerate(result["items"]):
        rest = np.delete(keyed, column, axis=1)
        assert item["item_total_r"] == pytest.approx(np.corrcoef(keyed[:, column], rest.sum(axis=1))[0, 1])
        assert item["alpha_if_deleted"] == pytest.approx(_alpha(rest))
    assert [item["reversed"] for item in result["items"]] == [False, False, True, False]


def test_forgetting_to_reverse_an_item_shows_in_its_item_total_correlation(tmp_path):
    path = _write(tmp_path / "answers.csv", _answers(np.random.default_rng(12)))

    result = json.loads(_run(path, "--items", ",".join(ITEMS), "--scale", "1-5", "--format", "json"))

    by_item = {item["item"]: item for item in result["items"]}
    assert by_item["q3"]["item_total_r"] < 0
    assert by_item["q3"]["alpha_if_deleted"] > result["alpha"]


def test_grouped_report_has_iccs_and_each_teams_agreement(tmp_path):
    rng = np.random.default_rng(13)
    answers = _answers(rng, respondents=61)
    teams = [f"team-{row % 6}" for row in range(60)] + ["solo"]
    path = _write(tmp_path / "answers.csv", answers, teams=teams)

    result = json.loads(_run(
        path, "--items", ",".join(ITEMS), "--reverse", "q3", "--scale", "1-5", "--group", "team", "--format", "json"
    ))

    assert {"icc1", "icc2", "rwg_j_mean"} <= result.keys()
    groups = {group["group"]: group for group in result["groups"]}
    assert set(groups) == {*(f"team-{index}" for index in range(6)), "solo"}
    assert groups["solo"]["rwg_j"] is None  # agreement needs two people
    team_values = [groups[f"team-{index}"]["rwg_j"] for index in range(6)]
    assert all(0 <= value <= 1 for value in team_values)
    assert result["rwg_j_mean"] == pytest.approx(np.mean(team_values))
    assert result["icc2"] > result["icc1"] or result["icc1"] <= 0


def test_missing_answers_are_scored_by_the_half_answered_rule(tmp_path):
    answers = _answers(np.random.default_rng(14), respondents=30)
    blanks = {(0, 0), (1, 0), (1, 1), (2, 0), (2, 1), (2, 2)}  # row 0: 3 of 4 answered; row 1: 2; row 2: 1
    path = _write(tmp_path / "answers.csv", answers, blanks=blanks)

    result = json.loads(_run(path, "--items", ",".join(ITEMS), "--scale", "1-5", "--format", "json"))

    assert result["n"] == 30
    assert result["n_scored"] == 29
    assert result["items"][0]["n"] == 27


def test_table_format_lists_every_item_and_group(tmp_path):
    answers = _answers(np.random.default_rng(15), respondents=40)
    path = _write(tmp_path / "answers.csv", answers, teams=["north", "south"] * 20)

    table = _run(path, "--items", ",".join(ITEMS), "--reverse", "q3", "--scale", "1-5", "--group", "team")

    assert "Cronbach's alpha" in table and "Omega total" in table and "ICC(1)" in table
    assert "q3 (R)" in table
    assert all(name in table for name in [*ITEMS, "north", "south"])


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        (None, [], "no such file"),
        (b"q1,q2\n\xff\xfe,1\n", [], "not UTF-8"),
        (b"", [], "empty"),
        (b"q1,q2,q3\n1,2,3\n2,3,4\n", [], "not in the file: q4"),
        (b"q1,q2,q3,q4\n1,2,3,4\n2,three,3,4\n", [], "line 3, column q2"),
        (b"q1,q2,q3,q4\n1,2,3,4\n2,9,3,4\n", [], "outside the scale"),
        (b"q1,q2,q3,q4\n1,2,3,4\n2,3,3,4,5,6\n", [], "line 3: 6 cells"),
        (b"q1,q2,q3,q4\n1,2,3,4\n", [], "at least two respondents"),
        (b"q1,q2,q3,q4\n1,2,3,4\n2,2,3,4\n3,2,4,5\n", [], "No variation to analyse in q2"),
        (b"q1,q2,q3,q4\n1,2,3,4\n2,3,3,4\n", ["--reverse", "q9"], "--reverse names q9"),
        (b"q1,q2,q3,q4\n1,2,3,4\n2,3,3,4\n", ["--group", "team"], "not in the file: team"),
    ],
)
def test_bad_input_stops_with_a_message_and_status_2(tmp_path, content, arguments, message):
    path = tmp_path / "answers.csv"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(CommandError) as raised:
        _run(path, "--items", ",".join(ITEMS), "--scale", "1-5", *arguments)

    assert raised.value.returncode == 2
    assert message in str(raised.value)


@pytest.mark.parametrize("scale", ["5", "5-1", "1-x", "1.5-5"])
def test_a_bad_scale_is_refused(tmp_path, scale):
    path = _write(tmp_path / "answers.csv", _answers(np.random.default_rng(16), respondents=10))
    with pytest.raises(CommandError, match="--scale") as raised:
        _run(path, "--items", ",".join(ITEMS), "--scale", scale)
    assert raised.value.returncode == 2


def test_the_command_line_exits_with_status_2_on_a_bad_file(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("q1,q2\n1,oops\n2,3\n", encoding="utf-8")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "learnloop.settings"}

    finished = subprocess.run(
        [sys.executable, "-m", "learnloop", "survey", "reliability", str(path), "--items", "q1,q2", "--scale", "1-5"],
        capture_output=True, text=True, env=environment, check=False, timeout=60,
    )

    assert finished.returncode == 2
    assert "line 2, column q2" in finished.stderr
    assert finished.stdout == ""


def test_semicolon_separated_files_and_scales_below_zero_are_read(tmp_path):
    answers = _answers(np.random.default_rng(17), respondents=50) - 3  # now on -2..2
    lines = [";".join(ITEMS), *(";".join(str(int(value)) for value in row) for row in answers)]
    path = tmp_path / "answers.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")

    result = json.loads(
        _run(path, "--items", ",".join(ITEMS), "--reverse", "q3", "--scale=-2-2", "--format", "json")
    )

    keyed = answers.copy()
    keyed[:, 2] = -keyed[:, 2]
    assert result["n"] == 50
    assert result["alpha"] == pytest.approx(_alpha(keyed))
