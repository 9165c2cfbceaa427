import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from scipy import special

from learnloop.actions.models import Action
from learnloop.experiments import decisions, services
from learnloop.experiments.analysis import analyse, recommend
from learnloop.experiments.models import Deviation, Status
from learnloop.knowledge.models import Provenance
from tests.experiments.conftest import binomial_rows, enter, register


def test_registering_keeps_the_hypothesis_parts_and_puts_the_control_first(experiment):
    assert experiment.status == Status.DRAFT
    assert experiment.hypothesis == (
        "We believe a one-page checkout will cause more completed orders for returning web customers; "
        "we will know when checkout conversion moves by +2%."
    )
    assert [v.name for v in experiment.variants.all()] == ["Control", "One page"]
    assert experiment.variants.get(name="Control").is_control
    assert experiment.primary_metric.name == "checkout conversion"


def test_registering_refuses_missing_hypothesis_parts_and_single_variants(owner, team):
    with pytest.raises(ValidationError) as error:
        register(owner, team, population="  ")
    assert "population" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        register(owner, team, variants=["Control"])
    assert "variants" in error.value.message_dict
    with pytest.raises(ValidationError):
        register(owner, team, kind="online", design="before_after")


def test_a_draft_protocol_changes_freely(experiment, owner):
    services.update_protocol(by=owner, experiment=experiment, alpha=0.01, engine="bayesian")
    experiment.refresh_from_db()
    assert (experiment.alpha, experiment.engine) == (0.01, "bayesian")
    assert not Deviation.objects.exists()


def test_a_started_protocol_refuses_silent_edits(running, owner):
    with pytest.raises(ValidationError) as error:
        services.update_protocol(by=owner, experiment=running, alpha=0.1)
    assert "reason" in error.value.message_dict
    running.refresh_from_db()
    assert running.alpha == 0.05


def test_a_started_protocol_records_each_change_as_a_deviation(running, owner):
    services.update_protocol(by=owner, experiment=running, reason="Traffic is lower than planned",
                             planned_sample_per_variant=6000, stopping_rule="Stop at 6,000 per variant.")
    deviations = {d.field: d for d in Deviation.objects.filter(experiment=running)}
    assert set(deviations) == {"planned_sample_per_variant", "stopping_rule"}
    assert (deviations["planned_sample_per_variant"].old_value, deviations["planned_sample_per_variant"].new_value) \
        == ("10000", "6000")
    assert deviations["stopping_rule"].reason == "Traffic is lower than planned"
    assert deviations["stopping_rule"].changed_by == owner


def test_guardrail_changes_and_new_metrics_after_the_start_are_deviations(running, owner):
    refund = running.metrics.get(name="refund rate")
    with pytest.raises(ValidationError):
        services.update_metric(by=owner, metric=refund, threshold=0.2)
    services.update_metric(by=owner, metric=refund, threshold=0.1, reason="Finance agreed to 10%")
    services.add_metric(by=owner, experiment=running, name="page load time", metric_type="mean",
                        lower_is_better=True, threshold=0.1, reason="Ops asked for it")
    fields = list(Deviation.objects.filter(experiment=running).values_list("field", "old_value", "new_value"))
    assert ("refund rate: threshold", "0.05", "0.1") in fields
    assert ("guardrail metric added", "", "page load time") in fields


def test_who_may_manage(running, owner, facilitator, teammate, learning_lead, admin, outsider):
    for person in (owner, facilitator, learning_lead, admin):
        services.update_details(by=person, experiment=running, title=f"Checkout by {person.full_name}")
    for person in (teammate, outsider):
        with pytest.raises(PermissionDenied):
            services.update_details(by=person, experiment=running, title="Mine now")
        with pytest.raises(PermissionDenied):
            enter(person, running, "checkout conversion", binomial_rows())


def test_outsiders_cannot_register_for_a_team(team, outsider, learning_lead):
    with pytest.raises(PermissionDenied):
        register(outsider, team)
    assert register(learning_lead, team).team == team


def test_results_need_a_started_experiment_and_every_variant(experiment, owner, running):
    with pytest.raises(ValidationError) as error:
        enter(owner, running, "checkout conversion", [
            *binomial_rows()[:1], {"variation": "Two page", "users": 10, "sum": 1}])
    assert "Two page" in str(error.value)
    with pytest.raises(ValidationError) as error:
        enter(owner, running, "checkout conversion", [{"variation": "Control", "users": 10, "sum": 11},
                                                      {"variation": "One page", "users": 10, "sum": 1}])
    assert "row 1, column sum" in str(error.value)


def test_a_draft_takes_no_results(experiment, owner):
    with pytest.raises(ValidationError):
        enter(owner, experiment, "checkout conversion", binomial_rows())


def test_analysis_reads_a_clear_win_in_plain_language(running, owner):
    enter(owner, running, "checkout conversion", binomial_rows((10000, 1000), (10000, 1150)))
    latest = analyse(running)[-1]
    result = latest.primary.variants[0]
    assert result.verdict == "better"
    assert result.effect == pytest.approx(0.15)
    assert result.reading.startswith("One page raised checkout conversion by 15.0% (95% CI ")
    assert result.p_value < 0.05
    assert result.reading.endswith("; this is unlikely to be chance (p < 0.001).")
    assert recommend(latest).decision == "ship"


def test_a_rate_that_fell_sharply_reads_with_an_interval_above_minus_one_hundred_percent(running, owner):
    # 20 % against 4 % on small samples: the ratio-scale (delta method) interval reaches below −100 %,
    # which a rate cannot do. The reading uses the log-ratio interval: exp(log(p_B/p_A) ± t·se) − 1.
    enter(owner, running, "checkout conversion", binomial_rows((30, 6), (25, 1)))
    result = analyse(running)[-1].primary.variants[0]
    p_a, p_b = 6 / 30, 1 / 25
    se = math.sqrt(p_b * (1 - p_b) / (25 * p_b**2) + p_a * (1 - p_a) / (30 * p_a**2))
    parts = (p_b * (1 - p_b) / (25 * p_b**2), p_a * (1 - p_a) / (30 * p_a**2))
    dof = se**4 / (parts[0] ** 2 / 24 + parts[1] ** 2 / 29)
    critical = special.stdtrit(dof, 0.975)
    assert result.scale == "log"
    assert result.effect == pytest.approx(p_b / p_a - 1)
    assert result.ci_low == pytest.approx(math.expm1(math.log(p_b / p_a) - critical * se))
    assert result.ci_high == pytest.approx(math.expm1(math.log(p_b / p_a) + critical * se))
    assert result.ci_low > -1
    delta_se = math.sqrt(p_b * (1 - p_b) / (p_a**2 * 25) + p_a * (1 - p_a) * p_b**2 / (p_a**4 * 30))
    assert (p_b / p_a - 1) - critical * delta_se < -1  # the old interval would have crossed the bound


def test_a_tiny_p_value_reads_as_below_a_thousandth(running, owner):
    enter(owner, running, "checkout conversion", binomial_rows((20000, 2000), (20000, 2400)))
    result = analyse(running)[-1].primary.variants[0]
    assert result.p_value < 0.001
    assert result.reading.endswith("(p < 0.001).")


def test_a_null_result_is_not_enough_evidence_and_recommends_stopping(running, owner):
    enter(owner, running, "checkout conversion", binomial_rows((10000, 1000), (10000, 1010)))
    latest = analyse(running)[-1]
    result = latest.primary.variants[0]
    assert result.reading == (
        f"One page raised checkout conversion by 1.0% (95% CI −{abs(result.ci_low) * 100:.1f}% to "
        f"{result.ci_high * 100:.1f}%); there is not enough evidence that this is more than chance "
        f"(p = {result.p_value:.2g})."
    )
    assert recommend(latest).decision == "stop"
    assert recommend(latest).outcome == "inconclusive"


def test_a_breached_guardrail_turns_a_win_into_iterate(running, owner):
    enter(owner, running, "checkout conversion", binomial_rows((10000, 1000), (10000, 1150)))
    enter(owner, running, "refund rate", binomial_rows((10000, 200), (10000, 300)))
    latest = analyse(running)[-1]
    assert [(m.metric.name, v.variation) for m, v in latest.breaches] == [("refund rate", "One page")]
    assert recommend(latest).decision == "iterate"


def test_a_small_guardrail_harm_within_its_threshold_is_no_breach(running, owner):
    services.update_metric(by=owner, metric=running.metrics.get(name="refund rate"), threshold=0.9,
                           reason="Refunds matter less than we thought")
    enter(owner, running, "checkout conversion", binomial_rows((10000, 1000), (10000, 1150)))
    enter(owner, running, "refund rate", binomial_rows((10000, 200), (10000, 300)))
    assert analyse(running)[-1].breaches == []


def test_a_sample_ratio_mismatch_is_flagged_and_recommends_iterating(running, owner):
    enter(owner, running, "checkout conversion", binomial_rows((10000, 1000), (9000, 1050)))
    latest = analyse(running)[-1]
    assert latest.srm_warning
    assert recommend(latest).decision == "iterate"


def test_snapshots_over_time_are_kept_per_day(running, owner):
    enter(owner, running, "checkout conversion", binomial_rows((3000, 300), (3000, 320)), days_ago=7)
    enter(owner, running, "checkout conversion", binomial_rows((10000, 1000), (10000, 1150)))
    enter(owner, running, "checkout conversion", binomial_rows((10000, 1000), (10000, 1160)))  # same day: replaced
    results = analyse(running)
    assert len(results) == 2
    assert results[0].primary.variants[0].verdict == "inconclusive"
    assert results[1].primary.variants[0].effect == pytest.approx(0.16)


def test_deciding_with_the_recommendation_needs_only_a_rationale(running, owner, facilitator, teammate):
    enter(owner, running, "checkout conversion", binomial_rows((10000, 1000), (10000, 1150)))
    decided = decisions.decide(
        by=facilitator, experiment=running, decision="ship", rationale="Clear win, refunds unchanged.",
        takeaways=[{"title": "Fewer steps lift checkout", "body": "Cutting steps raised conversion 15%."}],
        follow_ups=[{"title": "Roll out to mobile", "owner": teammate}],
    )
    assert (decided.status, decided.decision, decided.recommendation, decided.outcome) == \
        ("concluded", "ship", "ship", "won")
    assert decided.primary_lift == pytest.approx(0.15)
    provenance = Provenance.objects.get(source_type="experiments.experiment", source_id=str(running.pk),
                                        entry__kind="lesson")
    assert provenance.entry.title == "Fewer steps lift checkout"
    action = Action.objects.get(source_type="experiments.experiment", source_id=str(running.pk))
    assert (action.title, action.owner, action.team) == ("Roll out to mobile", teammate, running.team)
    # The decision itself is a decision record, linked both ways.
    record = decided.decision_record
    assert (record.kind, record.status, record.owner_team) == ("decision", "accepted", running.team)
    assert record.decision.startswith("Ship. Clear win, refunds unchanged.")
    assert "Welch" in record.context or "frequentist" in record.context
    assert "Follow-up: Roll out to mobile" in record.consequences
    assert record.provenance.get().source_id == str(running.pk)
    assert record.decided_experiment == decided


def test_deciding_against_the_recommendation_requires_a_reason(running, owner):
    enter(owner, running, "checkout conversion", binomial_rows((10000, 1000), (10000, 1010)))
    with pytest.raises(ValidationError) as error:
        decisions.decide(by=owner, experiment=running, decision="ship", rationale="We like it.")
    assert "override_reason" in error.value.message_dict
    running.refresh_from_db()
    assert running.status == Status.RUNNING
    decided = decisions.decide(by=owner, experiment=running, decision="ship", rationale="We like it.",
                               override_reason="Brand consistency matters more than a flat metric.")
    assert decided.override_reason.startswith("Brand")
    assert decided.recommendation == "stop"


def test_deciding_needs_results_and_a_manager(running, owner, teammate):
    with pytest.raises(ValidationError):
        decisions.decide(by=owner, experiment=running, decision="stop", rationale="No data")
    enter(owner, running, "checkout conversion", binomial_rows())
    with pytest.raises(PermissionDenied):
        decisions.decide(by=teammate, experiment=running, decision="ship", rationale="Go")


def test_a_concluded_protocol_is_final(running, owner):
    enter(owner, running, "checkout conversion", binomial_rows((10000, 1000), (10000, 1150)))
    decisions.decide(by=owner, experiment=running, decision="ship", rationale="Win")
    with pytest.raises(ValidationError):
        services.update_protocol(by=owner, experiment=running, alpha=0.1, reason="After the fact")
