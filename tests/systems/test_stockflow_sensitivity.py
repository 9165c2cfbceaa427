"""Sensitivity runs go through the task queue: the request only queues them, the page polls the
progress (htmx), the worker stores percentile bands equal to the pure function's."""

import pytest

from learnloop.analytics.systems.sensitivity import sensitivity
from learnloop.ops.worker import Worker
from learnloop.systems import stockflow_services as services
from learnloop.systems.stockflow_files import model_path
from learnloop.systems.stockflow_models import SensitivityRun
from tests.conftest import signed_in_client

# The worker checks its connection between tasks as in production: committed transactions.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_sensitivity_run_is_queued_polled_and_drawn_as_bands(decay_model, people):
    client = signed_in_client(people.lead)
    sliders = services.sliders(decay_model)
    index = [slider.name for slider in sliders].index("share of stale lessons reviewed per month")
    response = client.post(f"/systems/models/{decay_model.pk}/sensitivity/", {
        f"vary_{index}": "1", f"low_{index}": "0.02", f"high_{index}": "0.4",
        "runs": "20", "sampling": "latin_hypercube", "seed": "5"})
    job = SensitivityRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/sensitivity/{job.pk}/")
    assert job.status == "queued" and job.done == 0
    waiting = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in waiting and "waiting for the worker" in waiting
    state = client.get(f"/systems/models/{decay_model.pk}/sensitivity/{job.pk}/state/")
    assert "HX-Refresh" not in state and "0 of 20 runs" in state.content.decode()

    Worker(worker_id="test-worker", batch=True).run()

    job.refresh_from_db()
    assert job.status == "done" and job.done == 20
    state = client.get(f"/systems/models/{decay_model.pk}/sensitivity/{job.pk}/state/")
    assert state["HX-Refresh"] == "true" and "hx-trigger" not in state.content.decode()
    page = client.get(f"/systems/models/{decay_model.pk}/sensitivity/{job.pk}/?variable=Stale+lessons")
    assert 'id="stockflow-bands-data"' in page.content.decode()
    # the stored bands are the pure function's, run here on the same file with the same inputs
    expected = sensitivity(model_path(decay_model), {"share of stale lessons reviewed per month": (0.02, 0.4)},
                           runs=20, seed=5, sampling="latin_hypercube", params=job.params,
                           return_columns=["Stale lessons"])
    assert job.result["bands"]["Stale lessons"]["p50"] == pytest.approx(list(expected.bands["Stale lessons"][50.0]))
    assert job.result["bands"]["Stale lessons"]["p95"] == pytest.approx(list(expected.bands["Stale lessons"][95.0]))


def test_members_outside_the_models_team_cannot_queue_runs(decay_model, people):
    response = signed_in_client(people.member).post(f"/systems/models/{decay_model.pk}/sensitivity/", {
        "vary_0": "1", "low_0": "1", "high_0": "2", "runs": "5", "sampling": "uniform", "seed": "0"})
    assert response.status_code == 403 and not SensitivityRun.objects.exists()


def test_a_bad_range_is_a_message_not_a_queued_run(decay_model, people):
    response = signed_in_client(people.lead).post(f"/systems/models/{decay_model.pk}/sensitivity/", {
        "vary_0": "1", "low_0": "5", "high_0": "1", "runs": "5", "sampling": "uniform", "seed": "0"}, follow=True)
    assert "low &lt;= high" in response.content.decode() and not SensitivityRun.objects.exists()
