from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from learnloop.experiments import decisions
from learnloop.experiments.models import Experiment
from tests.conftest import signed_in_client
from tests.experiments.conftest import binomial_rows, enter, register

FORM = {
    "title": "Shorter sign-up form", "kind": "online", "design": "randomised", "change": "a three-field sign-up",
    "effect": "more sign-ups", "population": "mobile visitors", "success_metric": "sign-up rate",
    "expected_delta": "+3%", "variants": "Control\nThree fields", "primary_name": "sign-up rate",
    "primary_type": "binomial", "guardrails": "support tickets; mean; lower; 10%", "engine": "frequentist",
    "alpha": "0.05", "planned_sample_per_variant": "5000", "stopping_rule": "Two weeks",
}


def test_registering_by_form(team, owner):
    client = signed_in_client(owner)
    response = client.post("/experiments/new/", {**FORM, "team": team.pk})
    experiment = Experiment.objects.get()
    assert response.url == f"/experiments/{experiment.pk}/"
    guardrail = experiment.metrics.get(role="guardrail")
    assert (guardrail.name, guardrail.metric_type, guardrail.lower_is_better, guardrail.threshold) == \
        ("support tickets", "mean", True, 0.1)


def test_a_bad_registration_keeps_what_was_typed(team, owner):
    client = signed_in_client(owner)
    response = client.post("/experiments/new/", {**FORM, "team": team.pk, "guardrails": "tickets; median"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "the type is mean, binomial or ratio" in page
    assert "a three-field sign-up" in page
    assert not Experiment.objects.exists()


def test_uploading_a_csv_snapshot_and_reading_the_results(running, owner):
    client = signed_in_client(owner)
    metric = running.metrics.get(role="primary")
    csv = SimpleUploadedFile("day.csv", b"variation,users,sum\nControl,10000,1000\nOne page,10000,1150\n")
    response = client.post(f"/experiments/{running.pk}/snapshots/", {
        "metric": metric.pk, "taken_on": str(timezone.localdate()), "file": csv})
    assert response.status_code == 302
    page = client.get(f"/experiments/{running.pk}/results/").content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "One page raised checkout conversion by 15.0%" in page
    assert "+15.0%" in page  # the same effect in the table


def test_a_bad_csv_says_where_and_saves_nothing(running, owner):
    client = signed_in_client(owner)
    metric = running.metrics.get(role="primary")
    csv = SimpleUploadedFile("day.csv", b"variation,users,sum\nControl,10000,1000\nOne page,ten,1150\n")
    response = client.post(f"/experiments/{running.pk}/snapshots/", {
        "metric": metric.pk, "taken_on": str(timezone.localdate()), "file": csv})
    assert response.status_code == 400
    assert "line 3, column users" in response.content.decode()
    assert not running.snapshots.exists()


def test_typed_results_and_a_decision_against_the_recommendation(running, owner):
    client = signed_in_client(owner)
    metric = running.metrics.get(role="primary")
    control, treatment = running.variants.all()
    client.post(f"/experiments/{running.pk}/snapshots/", {
        "metric": metric.pk, "taken_on": str(timezone.localdate()), f"users_{control.pk}": "5000",
        f"sum_{control.pk}": "500", f"users_{treatment.pk}": "5000", f"sum_{treatment.pk}": "505"})
    refused = client.post(f"/experiments/{running.pk}/decision/", {"decision": "ship", "rationale": "We like it"})
    assert refused.status_code == 400
    assert "recommend" in refused.content.decode()
    running.refresh_from_db()
    assert running.status == "running"
    client.post(f"/experiments/{running.pk}/decision/", {
        "decision": "ship", "rationale": "We like it", "override_reason": "Legal requires the shorter form",
        "lesson_title": "Form length did not matter"})
    running.refresh_from_db()
    assert (running.decision, running.recommendation) == ("ship", "stop")
    assert "Form length did not matter" in client.get(f"/experiments/{running.pk}/").content.decode()


def test_the_portfolio_filters_and_keeps_a_failure_library(team, owner, facilitator):
    won, lost = register(owner, team, title="Winner"), register(owner, team, title="Null result")
    for experiment, treatment in ((won, 1200), (lost, 1000)):
        from learnloop.experiments import services

        services.start_experiment(by=owner, experiment=experiment)
        enter(owner, experiment, "checkout conversion", binomial_rows((10000, 1000), (10000, treatment)))
    decisions.decide(by=owner, experiment=won, decision="ship", rationale="Won")
    decisions.decide(by=owner, experiment=lost, decision="stop", rationale="Nothing moved",
                     takeaways=[{"title": "Checkout copy is not the bottleneck"}])
    client = signed_in_client(facilitator)
    page = client.get("/experiments/?outcome=won").content.decode()
    assert "Winner" in page.split("Failure library")[0] and "Null result" not in page.split("Failure library")[0]
    library = page.split("Failure library")[1]
    assert "Null result" in library and "Checkout copy is not the bottleneck" in library
    everything = client.get("/experiments/?sort=lift").content.decode()
    assert everything.index("Winner") < everything.index("Null result")
    assert "50%" in everything  # win rate: one of two concluded


def test_someone_outside_the_team_can_read_but_not_act(running, outsider):
    client = signed_in_client(outsider)
    page = client.get(f"/experiments/{running.pk}/")
    assert page.status_code == 200 and "Enter results" not in page.content.decode()
    assert client.post(f"/experiments/{running.pk}/end/").status_code == 403
    running.refresh_from_db()
    assert running.status == "running"


def test_running_experiments_show_on_the_home_page(running, teammate):
    page = signed_in_client(teammate).get("/").content.decode()
    assert "Running experiments" in page and f'/experiments/{running.pk}/' in page


def test_adding_a_guardrail_after_the_start_asks_why_and_records_it(running, owner):
    client = signed_in_client(owner)
    refused = client.post(f"/experiments/{running.pk}/metrics/", {"name": "page weight", "metric_type": "mean",
                                                                   "threshold": "10", "lower_is_better": "on"})
    assert refused.status_code == 400 and "say why" in refused.content.decode()
    assert 'value="page weight"' in refused.content.decode()
    client.post(f"/experiments/{running.pk}/metrics/", {"name": "page weight", "metric_type": "mean",
                                                        "threshold": "10%", "lower_is_better": "on",
                                                        "reason": "Ops asked"})
    metric = running.metrics.get(name="page weight")
    assert (metric.role, metric.threshold, metric.lower_is_better) == ("guardrail", 0.1, True)
    assert "Ops asked" in client.get(f"/experiments/{running.pk}/").content.decode()


def test_the_portfolio_pages_through_every_experiment_and_says_how_many(team, owner, facilitator, monkeypatch):
    from learnloop.experiments import views

    monkeypatch.setattr(views, "PORTFOLIO_PER_PAGE", 2)
    for number in range(1, 6):
        register(owner, team, title=f"Experiment number {number}")
    client = signed_in_client(facilitator)
    shown = []
    for page in (1, 2, 3):
        html = client.get(f"/experiments/?sort=title&page={page}").content.decode()
        assert "5 experiments" in html
        shown += [f"Experiment number {n}" for n in range(1, 6) if f"Experiment number {n}<" in html]
    assert shown == [f"Experiment number {n}" for n in range(1, 6)]  # none dropped, none twice
    assert 'rel="next"' not in html and "sort=title&amp;page=2" in html


def test_changing_a_locked_protocol_by_form_needs_a_reason_and_keeps_what_was_typed(running, owner):
    client = signed_in_client(owner)
    refused = client.post(f"/experiments/{running.pk}/protocol/", {"alpha": "0.01", "stopping_rule": "Three weeks"})
    assert refused.status_code == 400
    assert "Three weeks" in refused.content.decode()
    running.refresh_from_db()
    assert running.alpha == 0.05
    saved = client.post(f"/experiments/{running.pk}/protocol/", {"alpha": "0.01", "stopping_rule": "Three weeks",
                                                                 "reason": "Legal asked for more certainty"})
    assert saved.status_code == 302
    running.refresh_from_db()
    assert (running.alpha, running.stopping_rule) == (0.01, "Three weeks")
    assert "Legal asked for more certainty" in client.get(f"/experiments/{running.pk}/").content.decode()


def test_a_bad_results_date_is_a_form_error_on_the_typed_results(running, owner):
    client = signed_in_client(owner)
    metric = running.metrics.get(role="primary")
    variants = list(running.variants.all())
    refused = client.post(f"/experiments/{running.pk}/snapshots/", {
        "metric": metric.pk, "taken_on": "soon", **{f"users_{v.pk}": "100" for v in variants}})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'id="typed_taken_on_error"' in page and "not a date" in page
    assert 'value="100"' in page
    assert not running.snapshots.exists()
