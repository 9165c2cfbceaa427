"""Warehouse refreshes on the task queue (issue 22, item 4): queued on demand or by schedule, run by
the worker with progress, cancellable, the SQL kept for audit, SRM and guardrails checked on
every refresh, a failure keeping the previous snapshot; the page and the API."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from learnloop.experiments import warehouse, warehouse_refresh, warehouse_run
from learnloop.experiments.models import Snapshot, WarehouseRefresh
from learnloop.ops.worker import Worker
from tests.analytics.warehouse.events import generate, load_duckdb
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db
JSON = "application/json"
# The worker checks its connection between tasks as in production, which needs committed
# transactions (on PostgreSQL it would close the test's transaction's connection).
WITH_WORKER = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def defined(running, owner, tmp_path):
    log = generate(seed=3, units=600, variations=("One page", "Control"), rows=4000)
    source = load_duckdb(log, tmp_path / "shop.duckdb")
    warehouse.set_source(by=owner, experiment=running, source=source, exposure_sql="SELECT * FROM exposures")
    warehouse.set_metric_definition(by=owner, metric=running.metrics.get(name="checkout conversion"),
                                    metric_sql="SELECT * FROM events", window_hours=48)
    return running


def run_worker():
    Worker(worker_id="test-worker", batch=True).run()


@WITH_WORKER
def test_a_queued_refresh_runs_in_the_worker_and_keeps_its_sql(defined, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refresh = warehouse_refresh.request_refresh(by=owner, experiment=defined)
    assert refresh.status == "queued" and not defined.snapshots.exists()
    run_worker()
    refresh.refresh_from_db()
    assert (refresh.status, refresh.metrics_done, refresh.metrics_total) == ("done", 1, 1)
    assert refresh.taken_on == timezone.localdate() and refresh.requested_by == owner
    assert defined.snapshots.get().source == Snapshot.Source.WAREHOUSE
    [query] = refresh.queries
    assert query["metric"] == "checkout conversion" and "FROM events" in query["sql"]
    assert query["parameters"] == {"window_seconds": 48 * 3600.0}
    assert refresh.warnings and "left out" in refresh.warnings[0]
    # The sample-ratio check of the results it wrote (the generated split is as planned).
    assert refresh.srm_p_value is not None and refresh.srm_p_value > 0.001 and refresh.breached_guardrails == []


def test_asking_again_while_one_is_open_returns_it(defined, owner, facilitator):
    first = warehouse_refresh.request_refresh(by=owner, experiment=defined)
    again = warehouse_refresh.request_refresh(by=facilitator, experiment=defined)
    assert again.pk == first.pk and WarehouseRefresh.objects.count() == 1


@WITH_WORKER
def test_a_failed_refresh_keeps_the_previous_snapshot_and_says_why(defined, owner, django_capture_on_commit_callbacks):
    yesterday = timezone.localdate() - timedelta(days=1)
    warehouse.refresh_experiment(by=owner, experiment=defined, taken_on=yesterday)
    warehouse.set_metric_definition(by=owner, metric=defined.metrics.get(name="refund rate"),
                                    metric_sql="SELECT * FROM refunds")  # no such table
    with django_capture_on_commit_callbacks(execute=True):
        refresh = warehouse_refresh.request_refresh(by=owner, experiment=defined)
    run_worker()
    refresh.refresh_from_db()
    assert refresh.status == "failed" and "refund rate" in refresh.message
    assert "previous results stay" in refresh.message
    assert list(defined.snapshots.values_list("taken_on", flat=True)) == [yesterday]


def test_cancelling(defined, owner, teammate, django_capture_on_commit_callbacks):
    queued = warehouse_refresh.request_refresh(by=owner, experiment=defined)
    with pytest.raises(PermissionDenied):
        warehouse_refresh.cancel_refresh(by=teammate, refresh=queued)
    assert warehouse_refresh.cancel_refresh(by=owner, refresh=queued).status == "cancelled"
    with pytest.raises(ValidationError, match="already ended"):
        warehouse_refresh.cancel_refresh(by=owner, refresh=queued)
    assert warehouse_run.run_refresh(queued.pk) == "skipped"
    # A running refresh stops at the next metric boundary, before anything is written.
    running = warehouse_refresh.request_refresh(by=owner, experiment=defined)
    WarehouseRefresh.objects.filter(pk=running.pk).update(status="running", cancel_requested=True)
    WarehouseRefresh.objects.filter(pk=running.pk).update(status="queued")  # claimed with the flag already set
    assert warehouse_run.run_refresh(running.pk) == "cancelled"
    assert not defined.snapshots.exists()


def test_a_cancel_during_the_run_writes_nothing(defined, owner, monkeypatch):
    refresh = warehouse_refresh.request_refresh(by=owner, experiment=defined)
    real = warehouse.refresh_experiment

    def cancelled_midway(**kwargs):
        progress = kwargs["progress"]

        def cancelling(metric_name, query, done, total):
            if metric_name is not None:  # after the first query: someone presses Cancel
                WarehouseRefresh.objects.filter(pk=refresh.pk).update(cancel_requested=True)
            progress(metric_name, query, done, total)

        return real(**{**kwargs, "progress": cancelling})

    monkeypatch.setattr(warehouse, "refresh_experiment", cancelled_midway)
    warehouse.set_metric_definition(by=owner, metric=defined.metrics.get(name="refund rate"),
                                    metric_sql="SELECT unit_id, timestamp, value FROM events")
    assert warehouse_run.run_refresh(refresh.pk) == "cancelled"
    assert not defined.snapshots.exists()


def test_refusals(running, owner, teammate, defined):
    with pytest.raises(PermissionDenied):
        warehouse_refresh.request_refresh(by=teammate, experiment=defined)
    with pytest.raises(ValidationError, match="1 to 744 hours"):
        warehouse_refresh.set_schedule(by=owner, experiment=defined, every_hours=0)
    with pytest.raises(PermissionDenied):
        warehouse_refresh.set_schedule(by=teammate, experiment=defined, every_hours=6)


def test_a_refresh_needs_a_source_and_a_defined_metric(experiment, owner):
    from learnloop.experiments import services

    running = services.start_experiment(by=owner, experiment=experiment)
    with pytest.raises(ValidationError, match="no warehouse source"):
        warehouse_refresh.request_refresh(by=owner, experiment=running)


def test_scheduled_refreshes_are_queued_when_due(defined, owner):
    warehouse_refresh.set_schedule(by=owner, experiment=defined, every_hours=6)
    out = StringIO()
    call_command("experiment", "refresh-due", "--run", stdout=out)
    assert "1 refresh due" in out.getvalue() and "→ done" in out.getvalue()
    refresh = WarehouseRefresh.objects.get()
    assert refresh.scheduled and refresh.requested_by is None and refresh.status == "done"
    # Not again until six hours have passed since the last one was asked for.
    assert warehouse_refresh.queue_due_refreshes() == []
    later = timezone.now() + timedelta(hours=6, minutes=1)
    assert len(warehouse_refresh.queue_due_refreshes(now=later)) == 1
    warehouse_refresh.set_schedule(by=owner, experiment=defined, every_hours=None)
    WarehouseRefresh.objects.all().delete()
    assert warehouse_refresh.queue_due_refreshes() == []


@WITH_WORKER
def test_the_page(defined, owner, teammate, django_capture_on_commit_callbacks):
    client = signed_in_client(owner)
    page = client.get(f"/experiments/{defined.pk}/").content.decode()
    assert f"/experiments/{defined.pk}/warehouse/" in page
    page = client.get(f"/experiments/{defined.pk}/warehouse/").content.decode()
    assert "SELECT * FROM exposures" in page and "No refresh yet." in page
    refused = client.post(f"/experiments/{defined.pk}/warehouse/source/", {
        "source": "postgresql://reader:s3cret@db/shop", "exposure_sql": "SELECT * FROM exposures"})
    assert refused.status_code == 400 and "Passwords are not stored" in refused.content.decode()
    assert "SELECT * FROM exposures" in refused.content.decode()  # what was typed is kept
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/experiments/{defined.pk}/warehouse/refresh/")
    assert 'hx-trigger="every 2s"' in client.get(f"/experiments/{defined.pk}/warehouse/refreshes/").content.decode()
    run_worker()
    listing = client.get(f"/experiments/{defined.pk}/warehouse/refreshes/").content.decode()
    assert "Done" in listing and "SQL sent (1)" in listing and "every 2s" not in listing
    assert signed_in_client(teammate).get(f"/experiments/{defined.pk}/warehouse/").status_code == 403


@WITH_WORKER
def test_the_api(defined, owner, teammate, api_as, django_capture_on_commit_callbacks):
    api = api_as(owner)
    base = f"/api/v1/experiments/{defined.pk}/warehouse"
    shown = api.get(base).json()
    assert shown["exposure_sql"] == "SELECT * FROM exposures" and [m["name"] for m in shown["metrics"]] == [
        "checkout conversion"]
    changed = api.put(base, {"source": shown["source"], "exposure_sql": "SELECT * FROM exposures",
                             "refresh_every_hours": 12}, content_type=JSON)
    assert changed.status_code == 200 and changed.json()["refresh_every_hours"] == 12
    bad = api.put(base, {"source": "mysql://x", "exposure_sql": "SELECT 1"}, content_type=JSON)
    assert bad.status_code == 400
    guardrail = defined.metrics.get(name="refund rate")
    defined_metric = api.put(f"/api/v1/experiments/{defined.pk}/metrics/{guardrail.pk}/warehouse",
                             {"metric_sql": "SELECT * FROM refunds", "aggregation": "count"}, content_type=JSON)
    assert defined_metric.status_code == 200 and len(defined_metric.json()["metrics"]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        asked = api.post(f"{base}/refreshes")
    assert asked.status_code == 202 and asked.json()["status"] == "queued"
    run_worker()
    found = api.get(f"{base}/refreshes/{asked.json()['id']}").json()
    assert found["status"] == "failed" and "refund rate" in found["message"]
    listed = api.get(f"{base}/refreshes").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == found["id"]
    ended = api.post(f"{base}/refreshes/{found['id']}/cancel")
    assert ended.status_code == 400 and "already ended" in ended.content.decode()
    assert api_as(teammate).get(base).status_code == 403
    assert api_as(teammate).post(f"{base}/refreshes").status_code == 403
    assert api.get(f"{base}/refreshes/999999").status_code == 404


def test_the_page_and_the_list_take_as_many_queries_at_ten_times_the_refreshes(defined, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from learnloop.experiments import services

    client = signed_in_client(owner)

    def counted(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    def add_refreshes(count, metrics):
        for _ in range(count):
            WarehouseRefresh.objects.create(experiment=defined, requested_by=owner, status="done", metrics_total=1,
                                            metrics_done=1, queries=[{"metric": "m", "sql": "SELECT 1",
                                                                      "parameters": {}}])
        for number in range(metrics):
            metric = services.add_metric(by=owner, experiment=defined, name=f"extra {count} {number}",
                                         metric_type="mean", role="secondary", reason="More to watch")
            warehouse.set_metric_definition(by=owner, metric=metric, metric_sql="SELECT * FROM events")

    paths = [f"/experiments/{defined.pk}/warehouse/", f"/experiments/{defined.pk}/warehouse/refreshes/",
             f"/api/v1/experiments/{defined.pk}/warehouse/refreshes"]
    add_refreshes(2, 1)
    small = [counted(path) for path in paths]
    add_refreshes(20, 9)
    assert [counted(path) for path in paths] == small
