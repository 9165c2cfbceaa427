"""`learnloop experiment refresh`: stored warehouse definitions become the day's result snapshot,
with the sums pandas computes from the raw rows; a failed refresh keeps the previous snapshot."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from learnloop.experiments import warehouse
from learnloop.experiments.models import Aggregate, Snapshot
from tests.analytics.warehouse.events import generate, load_duckdb, reference


@pytest.fixture
def log():
    return generate(seed=3, units=600, variations=("One page", "Control"), rows=4000)


@pytest.fixture
def source(log, tmp_path):
    return load_duckdb(log, tmp_path / "shop.duckdb")


def _stored(snapshot, metric) -> dict:
    return {row.variant.name: {"users": row.users, "sum": row.sum}
            for row in Aggregate.objects.filter(snapshot=snapshot, metric=metric).select_related("variant")}


def test_refresh_stores_the_warehouse_sums_as_the_days_snapshot(running, owner, source, log):
    metric = running.metrics.get(name="checkout conversion")
    warehouse.set_source(by=owner, experiment=running, source=source, exposure_sql="SELECT * FROM exposures")
    warehouse.set_metric_definition(by=owner, metric=metric, metric_sql="SELECT * FROM events", window_hours=48)
    snapshot, warnings = warehouse.refresh_experiment(by=owner, experiment=running)
    assert snapshot.source == Snapshot.Source.WAREHOUSE and snapshot.taken_on == timezone.localdate()
    expected = reference(log, metric_type="binomial", window_hours=48)
    assert _stored(snapshot, metric) == {name: {"users": sums["users"], "sum": sums["sum"]}
                                         for (_, name), sums in expected.items()}
    assert len(warnings) == 1 and "left out" in warnings[0]


def test_a_failed_refresh_keeps_the_previous_snapshot_and_says_why(running, owner, source):
    metric = running.metrics.get(name="checkout conversion")
    warehouse.set_source(by=owner, experiment=running, source=source, exposure_sql="SELECT * FROM exposures")
    warehouse.set_metric_definition(by=owner, metric=metric, metric_sql="SELECT * FROM events")
    yesterday = timezone.localdate() - timedelta(days=1)
    before, _ = warehouse.refresh_experiment(by=owner, experiment=running, taken_on=yesterday)
    kept = _stored(before, metric)
    guardrail = running.metrics.get(name="refund rate")
    warehouse.set_metric_definition(by=owner, metric=guardrail, metric_sql="SELECT * FROM refunds")
    with pytest.raises(ValidationError, match="refund rate: The warehouse refused the query"):
        warehouse.refresh_experiment(by=owner, experiment=running)
    assert list(running.snapshots.values_list("taken_on", flat=True)) == [yesterday]
    assert _stored(before, metric) == kept


def test_definitions_are_checked_and_never_hold_a_password(running, owner, outsider, source):
    with pytest.raises(ValidationError, match="Passwords are not stored"):
        warehouse.set_source(by=owner, experiment=running, source="postgresql://reader:s3cret@db/shop",
                             exposure_sql="SELECT * FROM exposures")
    with pytest.raises(ValidationError, match="more than one statement"):
        warehouse.set_source(by=owner, experiment=running, source=source,
                             exposure_sql="SELECT * FROM exposures; DROP TABLE events")
    with pytest.raises(PermissionDenied):
        warehouse.set_source(by=outsider, experiment=running, source=source, exposure_sql="SELECT 1")
    metric = running.metrics.get(name="checkout conversion")
    with pytest.raises(ValidationError, match="Capping applies to mean metrics only"):
        warehouse.set_metric_definition(by=owner, metric=metric, metric_sql="SELECT * FROM events", cap=3)
    stored = warehouse.set_source(by=owner, experiment=running, source="env:SHOP_WAREHOUSE",
                                  exposure_sql="SELECT * FROM exposures")
    assert stored.source == "env:SHOP_WAREHOUSE"


def test_the_command_stores_definitions_and_refreshes(running, owner, source, tmp_path, monkeypatch):
    (tmp_path / "exposure.sql").write_text("SELECT * FROM exposures")
    (tmp_path / "conversion.sql").write_text("SELECT * FROM events")
    monkeypatch.setenv("SHOP_WAREHOUSE", source)
    out = StringIO()
    call_command("experiment", "refresh", str(running.pk), "--as", owner.email, "--source", "env:SHOP_WAREHOUSE",
                 "--exposure-sql", str(tmp_path / "exposure.sql"),
                 "--metric-sql", f"checkout conversion={tmp_path / 'conversion.sql'}", stdout=out)
    assert "refreshed from the warehouse (1 metrics)" in out.getvalue()
    assert running.snapshots.get().source == Snapshot.Source.WAREHOUSE
    with pytest.raises(CommandError, match="no active person") as raised:
        call_command("experiment", "refresh", running.title, "--as", "nobody@example.org")
    assert raised.value.returncode == 2
    monkeypatch.delenv("SHOP_WAREHOUSE")
    with pytest.raises(CommandError, match=r"previous snapshot stays.*SHOP_WAREHOUSE"):
        call_command("experiment", "refresh", running.title, "--as", owner.email)
