"""Uploads are translated off the request path: stored as "translating", translated by the worker
in a child process held to a wall-clock timeout and a memory limit, then ready or failed with the
reason (docs/systems.md, "Translation")."""

import pytest

from learnloop.analytics.systems.errors import SimulationError
from learnloop.analytics.systems.simulate_cli import main as simulate_main
from learnloop.analytics.systems.translate_child import outline_in_child
from learnloop.ops.worker import Worker
from learnloop.systems.demo_models import MODEL_FILE
from learnloop.systems.stockflow_models import StockFlowModel
from tests import factories
from tests.conftest import signed_in_client

# The worker checks its connection between tasks as in production: committed transactions.
worker_test = pytest.mark.django_db(transaction=True)


def _upload(people):
    api = factories.token_client(people.member)
    created = api.post("/api/v1/systems/models", {
        "name": "Decay", "team_id": people.team.pk, "file_name": "decay.mdl", "content": MODEL_FILE.read_text()},
        content_type="application/json")
    assert created.status_code == 201, created.content
    return api, created.json()


@worker_test
def test_an_upload_is_ready_after_the_worker_ran(people):
    api, created = _upload(people)
    assert created["state"] == "translating" and created["constants"] == []
    Worker(worker_id="test-worker", batch=True).run()
    model = api.get(f"/api/v1/systems/models/{created['id']}").json()
    assert model["state"] == "ready" and model["stocks"] == ["Fresh lessons", "Stale lessons"]
    assert api.post(f"/api/v1/systems/models/{created['id']}/run", {"params": {}},
                    content_type="application/json").status_code == 200
    page = signed_in_client(people.member).get(f"/systems/models/{created['id']}/").content.decode()
    assert 'type="range"' in page and "Translating" not in page


@worker_test
def test_a_translation_past_the_time_limit_is_stopped_and_marked_failed(people, settings):
    settings.SYSTEMS_TRANSLATE_SECONDS = 0.05  # far less than starting PySD takes: stands for a slow model
    api, created = _upload(people)
    Worker(worker_id="test-worker", batch=True).run()
    model = StockFlowModel.objects.get(pk=created["id"])
    assert model.state == "failed" and model.outline == {}
    assert "decay.mdl: translating the model took longer than 0.05 seconds and was stopped" in model.state_error
    shown = api.get(f"/api/v1/systems/models/{created['id']}").json()
    assert shown["state"] == "failed" and "took longer than 0.05 seconds" in shown["state_error"]
    page = signed_in_client(people.member).get(f"/systems/models/{created['id']}/").content.decode()
    assert "Failed: " in page and "took longer than 0.05 seconds" in page


def test_a_translation_over_the_memory_limit_is_stopped():
    with pytest.raises(SimulationError, match="more than 64 MB of memory"):
        outline_in_child(MODEL_FILE, memory_mb=64)


def test_the_child_gives_the_same_outline_as_translating_here():
    from learnloop.analytics.systems.outline import outline

    assert outline_in_child(MODEL_FILE) == outline(MODEL_FILE, untrusted=True).as_dict()


def test_the_cli_stops_a_run_past_its_time_limit(tmp_path):
    failures = []
    status = simulate_main([str(MODEL_FILE), "--timeout", "0.001"], write=lambda text: None, fail=failures.append)
    assert status == 2 and "longer than 0.001 seconds" in failures[0]
    written = []
    assert simulate_main([str(MODEL_FILE), "--timeout", "120", "--return-columns", "Stale lessons"],
                         write=written.append, fail=failures.append) == 0
    assert written[0].startswith("TIME,Stale lessons")
