"""`learnloop growth match FILE --format json`: the output contract, stdin, and exit status 2 with a
message on standard error for a document that can't be matched."""

import io
import json
import subprocess
import sys

import pytest

from learnloop.analytics import mentor_matching_cli
from learnloop.cli import main as learnloop

DOCUMENT = {
    "mentors": [{"id": "ana", "capacity": 1, "skills": {"python": 5, "sql": 2}},
                {"id": 7, "capacity": 1, "skills": {"sql": 4}}],
    "mentees": [{"id": "bo", "wants": {"python": 4, "sql": 4}}, {"id": "cy", "wants": {"sql": 2}},
                {"id": "dee", "wants": {"go": 3}}],
    "forbidden": [[7, "bo"]],
}


def run(argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    status = mentor_matching_cli.main(argv, write=out.write, fail=err.write)
    return status, out.getvalue(), err.getvalue()


def test_a_document_gives_the_optimal_assignment_as_json(tmp_path):
    path = tmp_path / "people.json"
    path.write_text(json.dumps(DOCUMENT))
    status, out, err = run([str(path), "--format", "json"])
    assert (status, err) == (0, "")
    assert json.loads(out) == {
        "total_score": 2.5,
        "pairs": [{"mentor": "ana", "mentee": "bo", "score": 1.5}, {"mentor": 7, "mentee": "cy", "score": 1.0}],
        "unmatched": ["dee"],
    }


def test_the_learnloop_command_runs_it_and_reads_standard_input():
    finished = subprocess.run([sys.executable, "-m", "learnloop.cli", "growth", "match", "-", "--format", "json"],
                              input=json.dumps(DOCUMENT), capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["total_score"] == 2.5


@pytest.mark.parametrize(("content", "message"), [
    ('{"mentors": [{"id": 1, "capacity": -2, "skills": {}}], "mentees": []}', "capacity must be 0 or more"),
    ('{"mentors": [], "mentees": [{"id": 1, "wants": {"a": 1}}, {"id": 1, "wants": {}}]}', "appears twice"),
    ('{"mentors": [], "mentees": [], "forbidden": [["x", "y"]]}', "'x' is not the id of a mentor"),
    ("not json", "not valid JSON"),
])
def test_bad_documents_exit_2_with_a_message_on_standard_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    finished = subprocess.run([sys.executable, "-m", "learnloop.cli", "growth", "match", str(path)],
                              capture_output=True, text=True) if message == "not valid JSON" else None
    if finished is not None:
        assert finished.returncode == 2 and finished.stdout == ""
        assert message in finished.stderr
    status, out, err = run([str(path)])
    assert status == 2 and out == ""
    assert str(path) in err and message in err


def test_a_missing_file_exits_2(tmp_path):
    status, _, err = run([str(tmp_path / "nowhere.json")])
    assert status == 2 and "nowhere.json" in err


def test_unknown_formats_are_refused_by_the_parser():
    with pytest.raises(SystemExit) as stopped:
        learnloop(["growth", "match", "x.json", "--format", "csv"])
    assert stopped.value.code == 2
