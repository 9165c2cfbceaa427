"""`learnloop insights themes FILE`: the contract analysts script against, and clear refusals."""

import json
import subprocess
import sys

import pytest

from learnloop.insights import themes_cli

CARDS = """id,text,team,date
c1,Friday deploys broke production again,Core,2026-01-09
c2,the deploy pipeline failed on Friday,Core,2026-02-06
c3,production deploy failed on a Friday,Payments,2026-03-13
c4,code reviews wait days for a reviewer,Web,2026-01-20
c5,pull requests wait for code review,Web,2026-02-17
c6,code review waits: pull requests stuck,Mobile,2026-03-03
c7,the espresso machine is broken,Ops,2026-03-04
"""


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "learnloop", "insights", "themes", *arguments],
                          capture_output=True, text=True)


def test_json_lists_every_text_once_in_themes_with_labels(tmp_path):
    source = tmp_path / "cards.csv"
    source.write_text(CARDS)
    finished = run(str(source), "--format", "json")
    assert finished.returncode == 0, finished.stderr
    themes = json.loads(finished.stdout)["themes"]
    assert all(set(theme) == {"label", "members"} for theme in themes)
    members = [member for theme in themes for member in theme["members"]]
    assert sorted(members) == ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]
    groups = {frozenset(theme["members"]) for theme in themes}
    assert {frozenset({"c1", "c2", "c3"}), frozenset({"c4", "c5", "c6"}), frozenset({"c7"})} == groups
    labels = {frozenset(theme["members"]): theme["label"] for theme in themes}
    assert "deploy" in labels[frozenset({"c1", "c2", "c3"})].lower()
    assert labels[frozenset({"c7"})] == "the espresso machine is broken"


def test_min_size_leaves_out_texts_alike_to_nothing(tmp_path):
    source = tmp_path / "cards.csv"
    source.write_text(CARDS)
    themes = json.loads(run(str(source), "--format", "json", "--min-size", "2").stdout)["themes"]
    assert len(themes) == 2


def test_semicolons_and_a_byte_order_mark_are_read(tmp_path):
    source = tmp_path / "cards.csv"
    source.write_bytes(("\ufeff" + CARDS.replace(",", ";")).encode("utf-8"))
    themes = json.loads(run(str(source), "--format", "json").stdout)["themes"]
    assert sum(len(theme["members"]) for theme in themes) == 7


@pytest.mark.parametrize(("content", "message"), [
    (b"id,body\n1,x\n", "needs the columns id and text"),
    (b"id,text\n1,ok\n1,again\n", "row 3, column id: '1' appears twice"),
    (b"id,text\n,no id\n", "row 2, column id: empty"),
    (b"id,text\n1,bad\x00text\n", "row 2, column text: contains a NUL"),
    (b"id,text\n1,\xff\xfe broken\n", "not UTF-8"),
    (b"id,text,team\n1\n", "row 2: fewer columns"),
    ("id,text\n1,{}\n".format("x" * (themes_cli.MAX_TEXT_LENGTH + 1)).encode(), "longer than 20,000"),
])
def test_bad_files_stop_with_status_2_and_say_where(tmp_path, content, message):
    source = tmp_path / "bad.csv"
    source.write_bytes(content)
    finished = run(str(source))
    assert finished.returncode == 2
    assert message in finished.stderr
    assert "Traceback" not in finished.stderr


def test_a_missing_file_and_bad_options_are_refused(tmp_path):
    assert "no such file" in run(str(tmp_path / "nope.csv")).stderr
    finished = run(str(tmp_path / "nope.csv"), "--resolution", "-1")
    assert finished.returncode == 2 and "must be above zero" in finished.stderr


def test_the_table_names_the_count_of_texts_and_themes(tmp_path):
    source = tmp_path / "cards.csv"
    source.write_text(CARDS)
    assert run(str(source)).stdout.startswith("7 texts, 3 themes")
