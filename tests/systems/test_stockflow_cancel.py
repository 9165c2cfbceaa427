"""Sensitivity runs can be cancelled: a queued one at once (the worker skips it), a running one
at its next progress report, keeping no partial bands (docs/systems.md, "Sensitivity")."""

import pytest

from learnloop.ops.worker import Worker
from learnloop.systems import stockflow_compute
from learnloop.systems import stockflow_services as services
from learnloop.systems.stockflow_models import SensitivityRun
from tests import factories
from tests.conftest import signed_in_client

RANGES = {"share of stale lessons reviewed per month": [0.02, 0.4]}


def _queue(decay_model, people, runs=20):
    return services.start_sensitivity(people.lead, decay_model, ranges=RANGES, runs=runs, seed=1)


@pytest.mark.django_db(transaction=True)
def test_a_queued_run_cancelled_on_the_page_is_never_computed(decay_model, people):
    job = _queue(decay_model, people)
    client = signed_in_client(people.lead)
    page = client.get(f"/systems/models/{decay_model.pk}/sensitivity/{job.pk}/").content.decode()
    assert "Cancel the runs" in page
    response = client.post(f"/systems/models/{decay_model.pk}/sensitivity/{job.pk}/cancel/", follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "Cancelled: 0 of 20 runs" in body and "hx-trigger" not in body
    Worker(worker_id="test-worker", batch=True).run()
    job.refresh_from_db()
    assert job.status == "cancelled" and job.result is None and job.done == 0 and job.finished_at is not None


def test_a_running_run_stops_at_its_next_progress_report_and_keeps_no_bands(decay_model, people, monkeypatch):
    job = _queue(decay_model, people, runs=50)
    monkeypatch.setattr(stockflow_compute, "PROGRESS_EVERY_SECONDS", 0)  # a report after every run
    real = stockflow_compute.sensitivity
    reports = []

    def cancelled_after_three(*args, progress, **kwargs):
        def report(done, total):
            reports.append(done)
            if done == 3:
                services.cancel_sensitivity(people.lead, SensitivityRun.objects.get(pk=job.pk))
            progress(done, total)
        return real(*args, progress=report, **kwargs)

    monkeypatch.setattr(stockflow_compute, "sensitivity", cancelled_after_three)
    assert stockflow_compute.compute_sensitivity(job.pk) == "cancelled"
    job.refresh_from_db()
    assert reports == [1, 2, 3] and job.status == "cancelled" and job.result is None and job.done == 2


def test_cancel_through_the_api_and_who_may(decay_model, people):
    job = _queue(decay_model, people)
    url = f"/api/v1/systems/models/{decay_model.pk}/sensitivity/{job.pk}/cancel"
    assert factories.token_client(people.outsider).post(url).status_code == 403
    assert factories.token_client(people.member).post(url).status_code == 403  # not the model's team
    answer = factories.token_client(people.lead).post(url)
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    again = factories.token_client(people.lead).post(url)
    assert again.status_code == 400 and "already cancelled" in again.json()["detail"]
    assert SensitivityRun.objects.get().status == "cancelled"


def test_a_finished_run_cannot_be_cancelled(decay_model, people):
    job = _queue(decay_model, people, runs=3)
    assert stockflow_compute.compute_sensitivity(job.pk) == "done"
    page = signed_in_client(people.lead).get(f"/systems/models/{decay_model.pk}/sensitivity/{job.pk}/")
    assert "Cancel the runs" not in page.content.decode()
    response = signed_in_client(people.lead).post(
        f"/systems/models/{decay_model.pk}/sensitivity/{job.pk}/cancel/", follow=True)
    assert "already done" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "done" and job.result is not None
