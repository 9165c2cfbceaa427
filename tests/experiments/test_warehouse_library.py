"""The library of warehouse metrics (issue 22, item 2): defined once in SQL, versioned with a note,
reused across experiments; an experiment keeps the version it took until it is moved on, and its
refresh computes with that version's SQL."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learnloop.experiments import warehouse, warehouse_library
from learnloop.experiments.models import LibraryMetricVersion, WarehouseMetric
from tests.analytics.warehouse.events import generate, load_duckdb
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def source(running, owner, tmp_path):
    log = generate(seed=3, units=600, variations=("One page", "Control"), rows=4000)
    url = load_duckdb(log, tmp_path / "shop.duckdb")
    warehouse.set_source(by=owner, experiment=running, source=url, exposure_sql="SELECT * FROM exposures")
    return url


def test_define_revise_and_use_a_library_metric(running, owner, source):
    conversion = warehouse_library.define(by=owner, name="Checkout conversion", metric_type="binomial",
                                          metric_sql="SELECT * FROM events", window_hours=48,
                                          description="Ordered within two days of the first visit.")
    metric = running.metrics.get(name="checkout conversion")
    v1 = conversion.versions.get()
    warehouse_library.use_version(by=owner, metric=metric, version=v1)
    stored = WarehouseMetric.objects.get(metric=metric)
    assert (stored.library_version, stored.metric_sql, stored.window_hours) == (v1, "SELECT * FROM events", 48)
    # A new version does not reach the experiment by itself.
    v2 = warehouse_library.revise(by=owner, library_metric=conversion, note="A day is what the funnel needs.",
                                  metric_sql="SELECT * FROM events", window_hours=24)
    assert v2.number == 2 and WarehouseMetric.objects.get(metric=metric).window_hours == 48
    [entry] = warehouse_library.library()
    assert (entry.latest_version, entry.used_by) == (v2, 1)
    warehouse_library.use_version(by=owner, metric=metric, version=v2)
    assert WarehouseMetric.objects.get(metric=metric).window_hours == 24
    snapshot, _ = warehouse.refresh_experiment(by=owner, experiment=running)
    assert snapshot.aggregates.filter(metric=metric).count() == 2
    # Writing the SQL by hand makes it the experiment's own again.
    warehouse.set_metric_definition(by=owner, metric=metric, metric_sql="SELECT * FROM events")
    assert WarehouseMetric.objects.get(metric=metric).library_version is None


def test_library_refusals(running, owner, teammate, outsider):
    conversion = warehouse_library.define(by=owner, name="Checkout conversion", metric_type="binomial",
                                          metric_sql="SELECT * FROM events")
    with pytest.raises(ValidationError, match="already has a metric named"):
        warehouse_library.define(by=teammate, name="Checkout  conversion", metric_type="binomial",
                                 metric_sql="SELECT 1")
    with pytest.raises(PermissionDenied):
        warehouse_library.define(by=outsider, name="Anything", metric_type="mean", metric_sql="SELECT 1")
    with pytest.raises(PermissionDenied):
        warehouse_library.revise(by=teammate, library_metric=conversion, note="Mine now", metric_sql="SELECT 2")
    with pytest.raises(ValidationError, match="Say what changes"):
        warehouse_library.revise(by=owner, library_metric=conversion, note=" ", metric_sql="SELECT 2")
    with pytest.raises(ValidationError, match="Nothing changed"):
        warehouse_library.revise(by=owner, library_metric=conversion, note="Again", metric_sql="SELECT * FROM events")
    with pytest.raises(ValidationError, match="more than one statement"):
        warehouse_library.revise(by=owner, library_metric=conversion, note="Drop",
                                 metric_sql="SELECT 1; DROP TABLE events")
    with pytest.raises(ValidationError, match="Capping applies to mean metrics only"):
        warehouse_library.define(by=owner, name="Capped", metric_type="binomial", metric_sql="SELECT 1", cap=3)
    revenue = warehouse_library.define(by=owner, name="Revenue", metric_type="mean", metric_sql="SELECT 1")
    with pytest.raises(ValidationError, match="is a mean metric"):
        warehouse_library.use_version(by=owner, metric=running.metrics.get(name="checkout conversion"),
                                      version=revenue.versions.get())
    with pytest.raises(PermissionDenied):
        warehouse_library.use_version(by=teammate, metric=running.metrics.get(name="checkout conversion"),
                                      version=conversion.versions.get())
    assert LibraryMetricVersion.objects.count() == 2


def test_the_library_pages(running, owner, teammate, source):
    client = signed_in_client(owner)
    assert "Warehouse metric library" in client.get("/experiments/").content.decode()
    refused = client.post("/experiments/library/new/", {"name": "Conversion", "metric_type": "binomial",
                                                         "metric_sql": "SELECT 1; DELETE FROM events",
                                                         "aggregation": "sum"})
    assert refused.status_code == 400 and "more than one statement" in refused.content.decode()
    client.post("/experiments/library/new/", {"name": "Conversion", "metric_type": "binomial",
                                               "metric_sql": "SELECT * FROM events", "aggregation": "sum",
                                               "window_hours": "48"})
    page = client.get("/experiments/library/").content.decode()
    assert "Conversion" in page and "v1" in page and "Revise (a new version)" in page
    assert "Revise (a new version)" not in signed_in_client(teammate).get("/experiments/library/").content.decode()
    version = LibraryMetricVersion.objects.get()
    client.post(f"/experiments/library/{version.library_metric_id}/versions/", {
        "note": "One day", "metric_sql": "SELECT * FROM events", "aggregation": "sum", "window_hours": "24"})
    metric = running.metrics.get(name="checkout conversion")
    client.post(f"/experiments/{running.pk}/warehouse/library/", {"metric": metric.pk, "library_version": version.pk})
    page = client.get(f"/experiments/{running.pk}/warehouse/").content.decode()
    assert "library: Conversion v1 (v2 available)" in page and "Move to v2" in page


def test_the_library_api(running, owner, teammate, api_as, source):
    api = api_as(owner)
    created = api.post("/api/v1/warehouse-metrics", {"name": "Conversion", "metric_type": "binomial",
                                                     "metric_sql": "SELECT * FROM events"}, content_type=JSON)
    assert created.status_code == 201 and created.json()["latest_version"]["number"] == 1
    library_id = created.json()["id"]
    revised = api.post(f"/api/v1/warehouse-metrics/{library_id}/versions",
                       {"note": "Two days", "metric_sql": "SELECT * FROM events", "window_hours": 48},
                       content_type=JSON)
    assert revised.status_code == 201 and [v["number"] for v in revised.json()["versions"]] == [2, 1]
    assert api_as(teammate).post(f"/api/v1/warehouse-metrics/{library_id}/versions",
                                 {"note": "x", "metric_sql": "SELECT 2"}, content_type=JSON).status_code == 403
    listed = api.get("/api/v1/warehouse-metrics").json()
    assert listed["count"] == 1 and listed["items"][0]["latest_version"]["window_hours"] == 48
    metric = running.metrics.get(name="checkout conversion")
    used = api.put(f"/api/v1/experiments/{running.pk}/metrics/{metric.pk}/warehouse/library",
                   {"library_version_id": revised.json()["latest_version"]["id"]}, content_type=JSON)
    assert used.status_code == 200
    assert used.json()["metrics"][0]["library_version_id"] == revised.json()["latest_version"]["id"]
    assert api.get("/api/v1/warehouse-metrics/999999").status_code == 404
    wrong = api.put(f"/api/v1/experiments/{running.pk}/metrics/{metric.pk}/warehouse/library",
                    {"library_version_id": 999999}, content_type=JSON)
    assert wrong.status_code == 400


def test_the_library_page_and_list_take_as_many_queries_at_ten_times_the_metrics(owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client(owner)

    def counted(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    def add(count, start):
        for number in range(start, start + count):
            found = warehouse_library.define(by=owner, name=f"Metric {number}", metric_type="mean",
                                             metric_sql="SELECT * FROM events")
            warehouse_library.revise(by=owner, library_metric=found, note="Capped", metric_sql="SELECT * FROM events",
                                     cap=100)

    paths = ["/experiments/library/", "/api/v1/warehouse-metrics"]
    add(2, 0)
    small = [counted(path) for path in paths]
    add(18, 2)
    assert [counted(path) for path in paths] == small
