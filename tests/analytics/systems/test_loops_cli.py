"""`learnloop systems loops MODEL.json`: loops and archetypes of a diagram, without Django."""

import json
import subprocess
import sys

from learnloop.analytics.systems import loops_cli

FIXES_THAT_FAIL = {
    "variables": ["Problem symptom", {"name": "Fix"}, "Unintended consequence"],
    "links": [
        {"source": "Problem symptom", "target": "Fix", "polarity": "+"},
        {"source": "Fix", "target": "Problem symptom", "polarity": "-"},
        {"source": "Fix", "target": "Unintended consequence", "polarity": "+", "delay": True},
        {"source": "Unintended consequence", "target": "Problem symptom", "polarity": "+"},
    ],
}


def _run(argv):
    out, err = [], []
    status = loops_cli.main(argv, write=out.append, fail=err.append)
    return status, "".join(out), "".join(err)


def test_json_lists_loops_with_polarity_and_the_archetype(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(FIXES_THAT_FAIL))
    status, out, err = _run([str(path), "--format", "json"])
    assert status == 0 and err == ""
    result = json.loads(out)
    loops = {tuple(loop["variables"]): loop for loop in result["loops"]["loops"]}
    assert loops[("Problem symptom", "Fix")]["polarity"] == "balancing"
    delayed = loops[("Problem symptom", "Fix", "Unintended consequence")]
    assert delayed["polarity"] == "reinforcing" and delayed["delayed"] is True
    assert [match["archetype"] for match in result["archetypes"]["matches"]] == ["fixes_that_fail"]


def test_text_format_and_bad_input(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(FIXES_THAT_FAIL))
    status, out, _ = _run([str(path)])
    assert status == 0 and "1 reinforcing, 1 balancing" in out and "Fixes that fail" in out
    assert _run([str(tmp_path / "missing.json")])[0] == 2
    path.write_text("{not json")
    status, _, err = _run([str(path)])
    assert status == 2 and "not a JSON diagram" in err
    path.write_text(json.dumps({"variables": ["A"], "links": [{"source": "A", "target": "B"}]}))
    status, _, err = _run([str(path), "--format", "json"])
    assert status == 2 and err.startswith("CommandError:") and "B" in err


def test_the_entry_point_runs_it_without_django(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(FIXES_THAT_FAIL))
    done = subprocess.run([sys.executable, "-m", "learnloop", "systems", "loops", str(path), "--format", "json"],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["loops"]["reinforcing"] == 1
