"""Deciding an experiment, and what it leaves behind: a decision record and lessons in the knowledge
base, actions in the action engine, all pointing back at the experiment.

The decision record (a knowledge entry of kind "decision") is written in the same transaction as
the decision: context (the hypothesis and what the statistics said, with the method), options,
the decision with its rationale, and consequences (override, follow-ups). The experiment keeps a
link to it (Experiment.decision_record) and the record carries the experiment as provenance.

The recommendation is computed from the latest snapshot when the decision is made (analysis.py)
and stored next to it; a decision that goes against it is refused without a reason.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from learnloop.actions import selectors as action_selectors
from learnloop.actions import services as action_services
from learnloop.activity.services import record_activity
from learnloop.experiments import periods
from learnloop.experiments.analysis import analyse, recommend
from learnloop.experiments.models import Decision, Experiment, ExperimentLesson, Status
from learnloop.experiments.permissions import can_manage, require

SOURCE_TYPE = "experiments.experiment"


def source_label(experiment: Experiment) -> str:
    return f"Experiment: {experiment.title}"[:300]



def current_recommendation(experiment: Experiment):
    if periods.is_process(experiment):
        return periods.recommend(periods.analyse(experiment))
    results = analyse(experiment)
    return recommend(results[-1] if results else None)


def _evidence(experiment: Experiment) -> str:
    """What the statistics said at the time, in the words of the results page."""
    if periods.is_process(experiment):
        return "\n".join(f"- {result.reading}" for result in periods.analyse(experiment))
    results = analyse(experiment)
    if not results:
        return ""
    latest = results[-1]
    return "\n".join(f"- {variant.reading}" for metric in latest.metrics for variant in metric.variants)


def write_decision_record(*, by, experiment: Experiment, recommendation, follow_ups=(), at=None):
    """The decision as a knowledge entry of kind decision, accepted when the decider may curate it."""
    from learnloop.knowledge import services as knowledge
    from learnloop.knowledge.permissions import can_curate

    method = {periods.DID: "difference in differences", periods.ITS: "interrupted time series"}.get(
        periods.method_of(experiment) if periods.is_process(experiment) else "", f"{experiment.engine} engine")
    context = (f"{experiment.hypothesis}\n\nDesign: {experiment.get_design_display()}; analysed with {method}, "
               f"alpha {experiment.alpha:g}.\n\n{_evidence(experiment)}").strip()
    consequences = [f"Outcome: {experiment.get_outcome_display().lower()}."]
    if experiment.override_reason:
        consequences.append(f"Decided against the recommendation ({recommendation.decision}): "
                            f"{experiment.override_reason}")
    consequences += [f"Follow-up: {title}" for title in follow_ups]
    entry = knowledge.create_entry(
        by=by, kind="decision", title=f"{experiment.get_decision_display()}: {experiment.title}"[:300],
        context=context, options="Ship the change; iterate on it and test again; stop and keep how it was.",
        decision=f"{experiment.get_decision_display()}. {experiment.rationale}",
        consequences="\n".join(consequences), owner_team=experiment.team, teams=[experiment.team],
        provenance=[(SOURCE_TYPE, str(experiment.pk), source_label(experiment))], at=at,
    )
    if can_curate(by, entry):
        knowledge.set_decision_status(by=by, entry=entry, status="accepted", at=at)
    return entry


def decide(*, by, experiment: Experiment, decision: str, rationale: str, override_reason: str = "",
           takeaways=(), follow_ups=(), at: datetime | None = None) -> Experiment:
    """Ship, iterate or stop, with a rationale. Takeaways become lessons; follow-ups become actions."""
    experiment = Experiment.objects.select_related("team").get(pk=experiment.pk)
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads decide.")
    if experiment.status not in {Status.RUNNING, Status.ANALYSING}:
        raise ValidationError({"status": "Only a started, undecided experiment can be decided."})
    if decision not in Decision.values:
        raise ValidationError({"decision": "Decide to ship, iterate or stop."})
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError({"rationale": "Say why: the rationale is what others will learn from."})
    recommendation = current_recommendation(experiment)
    if recommendation is None:
        raise ValidationError({"decision": "There are no results for the primary metric yet: enter a snapshot "
                                           "before deciding."})
    override_reason = (override_reason or "").strip()
    if decision != recommendation.decision and not override_reason:
        raise ValidationError({"override_reason": f"The statistics recommend “{recommendation.decision}” "
                                                  f"({recommendation.reason}) Give a reason for deciding "
                                                  f"“{decision}” instead."})
    now = at or timezone.now()
    with transaction.atomic():
        experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if experiment.status not in {Status.RUNNING, Status.ANALYSING}:
            raise ValidationError({"status": "This experiment has already been decided."})
        if experiment.status == Status.RUNNING:
            experiment.ended_on = timezone.localdate(now)
        experiment.status = Status.CONCLUDED
        experiment.decision = decision
        experiment.recommendation = recommendation.decision
        experiment.outcome = recommendation.outcome
        experiment.primary_lift = recommendation.lift
        experiment.rationale = rationale
        experiment.override_reason = override_reason if decision != recommendation.decision else ""
        experiment.decided_by = by
        experiment.decided_at = now
        experiment.updated_at = now
        experiment.save()
        record_activity(verb="decided", subject=experiment, actor=by, team=experiment.team, at=now,
                        data={"decision": decision, "recommendation": recommendation.decision})
        for takeaway in takeaways:
            add_lesson(by=by, experiment=experiment, **takeaway, at=now)
        for follow_up in follow_ups:
            add_follow_up(by=by, experiment=experiment, **follow_up, at=now)
        experiment.decision_record = write_decision_record(
            by=by, experiment=experiment, recommendation=recommendation,
            follow_ups=[follow_up["title"] for follow_up in follow_ups], at=now)
        experiment.save(update_fields=["decision_record"])
    return experiment


def add_lesson(*, by, experiment: Experiment, title: str, body: str = "", at: datetime | None = None):
    """A takeaway kept as a knowledge lesson owned by the team, with provenance back to the experiment."""
    from learnloop.knowledge import services as knowledge

    experiment = Experiment.objects.select_related("team").get(pk=experiment.pk)
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads record lessons.")
    if experiment.status != Status.CONCLUDED:
        raise ValidationError({"status": "Lessons are recorded with the decision."})
    if not (title or "").strip():
        raise ValidationError({"title": "A lesson needs a title."})
    body = (body or "").strip() or (f"From the experiment “{experiment.title}” ({experiment.get_decision_display()}"
                                    f"): {experiment.hypothesis}")
    with transaction.atomic():
        entry = knowledge.create_entry(
            by=by, kind="lesson", title=title.strip(), body=body, owner_team=experiment.team,
            teams=[experiment.team], created_at=at,
            provenance=[(SOURCE_TYPE, str(experiment.pk), source_label(experiment))],
        )
        ExperimentLesson.objects.create(experiment=experiment, entry=entry, created_at=at or timezone.now())
        record_activity(verb="lesson_recorded", subject=experiment, actor=by, team=experiment.team,
                        data={"entry": entry.pk}, at=at)
    return entry


def add_follow_up(*, by, experiment: Experiment, title: str, owner=None, due_on: date | None = None,
                  description: str = "", at: datetime | None = None):
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads add follow-ups.")
    return action_services.create_action(
        by=by, title=title, owner=owner, team=experiment.team, due_on=due_on, description=description,
        source_type=SOURCE_TYPE, source_id=str(experiment.pk), source_label=source_label(experiment),
        source_url=reverse("experiments:detail", args=[experiment.pk]), at=at,
    )


def follow_ups_of(experiment: Experiment) -> list:
    return list(action_selectors.actions_for_source(SOURCE_TYPE, str(experiment.pk)))
