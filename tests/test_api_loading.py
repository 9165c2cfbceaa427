"""Loading the API: its models build on first use, and the collector is left as it was found."""

import gc
import json
import subprocess
import sys

import pytest

from learnloop.api_loading import garbage_collection_paused

# After the URLconf is loaded: how many of the API's pydantic models are built, and how many exist.
PROBE = """
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
import gc, pydantic
def models(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from models(sub)
made = set(models(pydantic.BaseModel))
built = [model for model in made if model.__pydantic_complete__]
print(json.dumps({"made": len(made), "built": len(built), "gc_enabled": gc.isenabled()}))
"""


def test_loading_the_urls_builds_almost_none_of_the_api_models(tmp_path):
    environment = {"LEARNLOOP_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    finished = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True,
                              env=environment)
    counts = json.loads(finished.stdout.strip().splitlines()[-1])
    assert counts["made"] > 1000  # the whole API was imported
    # Built now: ninja's own bases and settings (14 of about 1,800).
    assert counts["built"] < 0.02 * counts["made"], counts
    assert counts["gc_enabled"]


def test_the_collector_runs_again_after_the_block():
    assert gc.isenabled()
    with garbage_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_paused_block_that_fails_still_turns_the_collector_back_on():
    with pytest.raises(RuntimeError), garbage_collection_paused():
        raise RuntimeError("import failed")
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off():
    gc.disable()
    try:
        with garbage_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
