"""Harbourline's knowledge decay model: built from the demo's real knowledge base, its starting
values are the base's live numbers, and its two scenarios run and differ from the baseline."""

import pytest
from django.core.management import call_command
from django.db import connection

from learnloop.demo import build_demo
from learnloop.systems import stockflow_services as services
from learnloop.systems.stockflow_bindings import live_values
from learnloop.systems.stockflow_models import StockFlowModel

pytestmark = pytest.mark.django_db
PARTS = ("org", "knowledge", "systems")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        name = str(connection.settings_dict["NAME"])
        assert name.startswith("test") or "memory" in name or "/test_" in name, name
        try:
            build_demo(seed=7, only=PARTS)
            model = StockFlowModel.objects.get(name="Knowledge decay")
            live = live_values(None, list(model.bindings.values()))
            sliders = {slider.name: slider for slider in services.sliders(model)}
            scenarios = list(model.scenarios.order_by("name"))
            comparison = services.compare(model, scenarios, "Stale lessons")
            job = model.sensitivity_runs.get()
            facts = {"models": StockFlowModel.objects.count(), "state": model.state, "live": live,
                     "sliders": sliders, "job": job,
                     "scenarios": [scenario.name for scenario in scenarios], "comparison": comparison}
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return facts


def test_the_model_starts_from_the_knowledge_bases_live_numbers(demo):
    assert demo["models"] == 1 and demo["state"] == "ready"  # translated by the demo itself, no worker
    live, sliders = demo["live"], demo["sliders"]
    assert live["knowledge.lessons_written_per_month"] > 1  # a believable knowledge base
    assert live["knowledge.fresh_lessons"] > 0
    assert sliders["lessons written per month"].value == live["knowledge.lessons_written_per_month"]
    assert sliders["initial fresh lessons"].value == live["knowledge.fresh_lessons"]
    assert sliders["initial stale lessons"].value == live["knowledge.stale_lessons"]


def test_two_scenarios_are_saved_and_change_the_outcome(demo):
    assert demo["scenarios"] == ["A lesson from every postmortem", "Monthly review hour"]
    baseline, more_writing, reviewing = demo["comparison"].series
    assert baseline["values"][0] == more_writing["values"][0] == reviewing["values"][0]
    assert reviewing["values"][-1] < baseline["values"][-1]  # reviewing drains the stale stock
    assert more_writing["values"][-1] > baseline["values"][-1]  # more lessons, more going stale later


def test_a_finished_sensitivity_run_shows_bands(demo):
    job = demo["job"]
    assert job.status == "done" and job.done == job.runs == 100 and job.sampling == "latin_hypercube"
    band = job.result["bands"]["Stale lessons"]
    assert all(low <= high for low, high in zip(band["p5"], band["p95"], strict=True))
    assert band["p5"][-1] < band["p95"][-1]  # the ranges matter by the end
