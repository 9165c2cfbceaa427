"""Numerical libraries get a thread limit before they load (learnloop/numeric_threads.py)."""

import json
import os
import subprocess
import sys

import pytest

from learnloop import numeric_threads


def environment_seen_by_a_new_process(**settings: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in {*numeric_threads.LIBRARY_VARIABLES, numeric_threads.SETTING}}
    env.update(settings)
    probe = "import json, os, learnloop; print(json.dumps(dict(os.environ)))"
    finished = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    return json.loads(finished.stdout)


def test_a_learnloop_process_limits_numerical_libraries_to_one_thread_by_default():
    seen = environment_seen_by_a_new_process()
    assert all(seen[name] == "1" for name in numeric_threads.LIBRARY_VARIABLES)


def test_the_limit_is_configurable_and_zero_means_the_libraries_own_default():
    assert environment_seen_by_a_new_process(LEARNLOOP_NUMERIC_THREADS="4")["OPENBLAS_NUM_THREADS"] == "4"
    unlimited = environment_seen_by_a_new_process(LEARNLOOP_NUMERIC_THREADS="0")
    assert not set(numeric_threads.LIBRARY_VARIABLES) & set(unlimited)


def test_a_librarys_own_variable_wins():
    environ = {"OMP_NUM_THREADS": "3"}
    assert numeric_threads.limit(environ) == 1
    assert environ["OMP_NUM_THREADS"] == "3"
    assert environ["OPENBLAS_NUM_THREADS"] == "1"


@pytest.mark.parametrize("value", ["many", "-1", "1.5"])
def test_a_bad_setting_is_refused_with_its_name(value):
    with pytest.raises(ValueError, match="LEARNLOOP_NUMERIC_THREADS"):
        numeric_threads.configured_threads({"LEARNLOOP_NUMERIC_THREADS": value})
