"""From hypothesis to lesson in a real browser: register, start, upload a CSV snapshot, read the
result and decide, with the takeaway kept as a lesson."""

import re

import pytest
from playwright.sync_api import expect

from learnloop.experiments.models import Experiment
from learnloop.knowledge.models import Provenance
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def owner(team):
    person = factories.person(email="olga.owner@example.org", full_name="Olga Owner")
    factories.membership(person, team)
    return person


def test_register_start_upload_read_and_decide(page_as, owner, team, tmp_path):
    page = page_as(owner)
    page.goto("/experiments/")
    page.get_by_role("link", name="Register an experiment").click()
    page.get_by_label("Title").fill("One-page checkout")
    page.get_by_label("We believe…").fill("a one-page checkout")
    page.get_by_label("…will cause…").fill("more completed orders")
    page.get_by_label("…for…").fill("returning customers")
    page.get_by_label("We will know when…").fill("checkout conversion")
    page.get_by_label("…moves by").fill("+2%")
    page.get_by_label("Variants, one a line, the control first").fill("Control\nOne page")
    page.get_by_label("Primary metric").fill("checkout conversion")
    page.get_by_label("Metric type").select_option("binomial")
    page.get_by_label("Guardrail metrics").fill("refund rate; binomial; lower; 5%")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#status")).to_have_text("Draft")
    expect(page.locator("blockquote")).to_have_text(
        "We believe a one-page checkout will cause more completed orders for returning customers; "
        "we will know when checkout conversion moves by +2%.")

    page.get_by_role("button", name="Start the experiment (locks the protocol)").click()
    expect(page.locator("#status")).to_have_text("Running")

    csv = tmp_path / "conversion.csv"
    csv.write_text("variation,users,sum\nControl,12000,1200\nOne page,12000,1380\n")
    page.get_by_text("Enter results").click()
    upload = page.get_by_role("form", name="Upload a CSV")
    upload.get_by_label("CSV file").set_input_files(str(csv))
    upload.get_by_role("button", name="Upload").click()
    results = page.get_by_role("region", name="Results")
    expect(results).to_contain_text("One page raised checkout conversion by 15.0%")
    expect(results).to_contain_text("Recommendation: Ship")

    page.get_by_role("link", name="Full results, chart and results over time").click()
    expect(page).to_have_url(re.compile(r"/results/$"))
    expect(page.get_by_role("img", name=re.compile("checkout conversion: relative effect"))).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("+15.0%")
    page.go_back()

    page.get_by_label("Ship (recommended)").check()
    page.get_by_label("Rationale").fill("A clear win and refunds did not move.")
    page.get_by_label("Lesson title").fill("Fewer checkout steps lift conversion")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#status")).to_have_text("Concluded")
    expect(page.get_by_role("heading", name="Decision: Ship")).to_be_visible()
    page.get_by_role("link", name="Fewer checkout steps lift conversion").first.click()
    expect(page).to_have_url(re.compile(r"/knowledge/"))
    # The portfolio's bars are SVG rectangles (no style="" under the CSP); this month's is the tallest.
    page.goto("/experiments/")
    bars = page.locator("svg.velocity rect")
    expect(bars).to_have_count(12)
    assert bars.last.bounding_box()["height"] > 40
    assert bars.first.bounding_box()["height"] == 0
    experiment = Experiment.objects.get()
    assert Provenance.objects.filter(source_type="experiments.experiment", source_id=str(experiment.pk)).exists()


def test_every_registry_page_labels_its_fields(page_as, owner, team):
    from datetime import timedelta

    from django.utils import timezone

    from learnloop.experiments import decisions, services
    from tests.browser.test_accessibility import label_problems

    def register(title):
        return services.register_experiment(
            by=owner, team=team, title=title, change="a change", effect="an effect", population="everyone",
            success_metric="conversion", expected_delta="+1%", variants=["Control", "B"],
            primary_metric={"name": "conversion", "metric_type": "binomial"},
            guardrails=[{"name": "refunds", "metric_type": "binomial", "lower_is_better": True, "threshold": 0.1}])

    draft, running, decided = register("Draft one"), register("Running one"), register("Decided one")
    for experiment in (running, decided):
        services.start_experiment(by=owner, experiment=experiment, on=timezone.localdate() - timedelta(days=7))
        for day in (3, 0):
            services.record_snapshot(
                by=owner, experiment=experiment, metric=experiment.metrics.get(role="primary"),
                taken_on=timezone.localdate() - timedelta(days=day), aggregates=services.aggregates_from_rows(
                    [{"variation": "Control", "users": 5000, "sum": 500}, {"variation": "B", "users": 5000,
                                                                            "sum": 620}], "binomial"))
    decisions.decide(by=owner, experiment=decided, decision="ship", rationale="Won")
    page = page_as(owner)
    problems = []
    for path in ("/experiments/", "/experiments/new/", f"/experiments/{draft.pk}/", f"/experiments/{running.pk}/",
                 f"/experiments/{running.pk}/results/", f"/experiments/{decided.pk}/"):
        problems += label_problems(page, path)
    assert problems == []


def test_register_sees_the_earlier_experiment_then_the_decision_becomes_a_record(page_as, owner, team, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from learnloop.analytics.stats import VariantAggregates
    from learnloop.experiments import decisions, services

    earlier = services.register_experiment(
        by=owner, team=team, title="Guest checkout", change="guest checkout", effect="more orders",
        population="new customers", success_metric="checkout conversion", expected_delta="+2%",
        variants=["Control", "Guest"], primary_metric={"name": "checkout conversion", "metric_type": "binomial"})
    services.start_experiment(by=owner, experiment=earlier, on=timezone.localdate() - timedelta(days=20))
    services.record_snapshot(by=owner, experiment=earlier, metric=earlier.metrics.get(),
                             taken_on=timezone.localdate(), aggregates=[
                                 VariantAggregates("Control", 8000, 800), VariantAggregates("Guest", 8000, 790)])
    decisions.decide(by=owner, experiment=earlier, decision="stop", rationale="No difference.")

    page = page_as(owner)
    page.goto("/experiments/new/")
    page.get_by_label("Title").fill("One-page checkout")
    page.get_by_label("We believe…").fill("a one-page checkout")
    page.get_by_label("…will cause…").fill("more completed orders")
    page.get_by_label("…for…").fill("returning customers")
    page.get_by_label("We will know when…").fill("checkout conversion")
    page.get_by_label("…moves by").fill("+2%")
    page.get_by_label("Variants, one a line, the control first").fill("Control\nOne page")
    page.get_by_label("Primary metric").fill("Checkout conversion")
    page.get_by_label("Primary metric").press("Tab")
    panel = page.get_by_role("complementary", name="What we already know")
    expect(panel).to_contain_text("Earlier experiments on the same metric")
    # It lost nothing but won nothing either: listed as a failure and as an earlier experiment on the metric.
    expect(panel.get_by_role("link", name="Guest checkout", exact=True)).to_have_count(2)
    expect(panel.get_by_role("link", name="Stop: Guest checkout")).to_be_visible()  # its decision record
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#status")).to_have_text("Draft")

    page.get_by_role("button", name="Start the experiment (locks the protocol)").click()
    csv = tmp_path / "conversion.csv"
    csv.write_text("variation,users,sum\nControl,12000,1200\nOne page,12000,1380\n")
    page.get_by_text("Enter results").click()
    upload = page.get_by_role("form", name="Upload a CSV")
    upload.get_by_label("CSV file").set_input_files(str(csv))
    upload.get_by_role("button", name="Upload").click()
    page.get_by_label("Ship (recommended)").check()
    page.get_by_label("Rationale").fill("A clear win.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#status")).to_have_text("Concluded")
    page.locator("#decision-record").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/knowledge/\d+/$"))
    expect(page.get_by_role("heading", name="Ship: One-page checkout")).to_be_visible()
    page.get_by_role("link", name="Experiment: One-page checkout").click()
    expect(page).to_have_url(re.compile(r"/experiments/\d+/$"))
