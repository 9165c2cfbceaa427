"""Results from the warehouse in a real browser: the owner defines the source and a metric's SQL,
refreshes, watches the refresh finish (the page polls while it runs) and reads the SQL it sent."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learnloop.experiments import services
from learnloop.ops.worker import Worker
from tests import factories
from tests.analytics.warehouse.events import generate, load_duckdb

pytestmark = pytest.mark.browser


def test_define_refresh_and_read_the_sql(page_as, team, tmp_path):
    owner = factories.person(email="olga.owner@example.org", full_name="Olga Owner")
    factories.membership(owner, team)
    experiment = services.register_experiment(
        by=owner, team=team, title="One-page checkout", change="a one-page checkout", effect="more orders",
        population="returning customers", success_metric="checkout conversion", expected_delta="+2%",
        variants=["Control", "One page"],
        primary_metric={"name": "checkout conversion", "metric_type": "binomial", "lower_is_better": False})
    services.start_experiment(by=owner, experiment=experiment, on=timezone.localdate() - timedelta(days=7))
    source = load_duckdb(generate(seed=3, units=600, variations=("One page", "Control"), rows=4000),
                         tmp_path / "shop.duckdb")

    page = page_as(owner)
    page.goto(f"/experiments/{experiment.pk}/")
    page.get_by_role("link", name="Results from the warehouse: definitions and refreshes").click()
    form = page.get_by_role("form", name="Warehouse source")
    form.get_by_label("Source").fill("postgresql://reader:s3cret@db/shop")
    form.get_by_label("Exposure SQL").fill("SELECT * FROM exposures")
    form.get_by_role("button", name="Save source").click()
    expect(page.get_by_text("Passwords are not stored")).to_be_visible()
    form = page.get_by_role("form", name="Warehouse source")
    form.get_by_label("Source").fill(source)
    form.get_by_role("button", name="Save source").click()
    expect(page.get_by_text("Warehouse source saved.")).to_be_visible()

    page.get_by_text("checkout conversion").first.click()
    metric = page.get_by_role("form", name="Warehouse SQL for checkout conversion")
    metric.get_by_label("Metric SQL").fill("SELECT * FROM events")
    metric.get_by_label("Conversion window, hours (optional)").fill("48")
    metric.get_by_role("button", name="Save checkout conversion").click()
    expect(page.get_by_text("Metric definition saved.")).to_be_visible()

    page.get_by_role("button", name="Refresh now").click()
    expect(page.get_by_test_id("refresh-queued")).to_be_visible()
    Worker(worker_id="browser-test", batch=True).run()
    # The list polls every two seconds while a refresh is open: no reload needed.
    expect(page.get_by_test_id("refresh-done")).to_be_visible()
    expect(page.get_by_test_id("refresh-done")).to_contain_text("1/1 metrics")
    page.get_by_text("SQL sent (1)").click()
    expect(page.get_by_test_id("refresh-done").locator("pre")).to_contain_text("FROM events")
    assert experiment.snapshots.get().source == "warehouse"
