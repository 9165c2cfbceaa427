"""API for the experiment registry at /api/v1/experiments: register, the locked protocol and its
deviations, lifecycle, dated result snapshots (JSON rows or the analyst CLI's CSV), the analysis
and the decision. Every write goes through the same services as the pages."""

import math

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Router, Status
from ninja.pagination import paginate

from learnloop.api_base import (
    EXPORT_OPENAPI,
    ExportFormat,
    Id,
    Int32,
    Pagination,
    Shown,
    errors,
    person_ref,
    request_fields,
    team_ref,
)
from learnloop.experiments import decisions, periods, planning, related, selectors, services
from learnloop.experiments.analysis import analyse, recommend
from learnloop.experiments.api_schemas import (
    DecisionIn,
    ExperimentDetailOut,
    ExperimentIn,
    ExperimentOut,
    MetricOut,
    MetricPatch,
    NewMetricIn,
    PeriodsCsvIn,
    PeriodsIn,
    PowerOut,
    ProtocolPatch,
    RelatedOut,
    ResultsOut,
    SnapshotCsvIn,
    SnapshotIn,
)
from learnloop.experiments.models import Snapshot
from learnloop.links.api_schemas import lessons_here
from learnloop.org.models import Person, Team
from learnloop.web.tables import export_response

router = Router(tags=["experiments"])


def _team(team_id: int) -> Team:
    return team_ref(team_id, field="team_id", current=True)


def _person(person_id: int | None, field: str) -> Person | None:
    return None if person_id is None else person_ref(person_id, field=field, active=True)


def _out(experiment, *, refresh: bool = True) -> dict:
    if refresh:  # after a write, or when the caller's object lacks the related rows
        experiment = selectors.experiment_for_api(experiment.pk)
    fields = {name: getattr(experiment, name) for name in ExperimentOut.model_fields
              if name not in {"url", "variants", "metrics", "deviations", *DETAIL_FIELDS}}
    return {
        **fields,
        "url": reverse("experiments:detail", args=[experiment.pk]),
        "variants": [{**{f: getattr(v, f) for f in ("id", "name", "description", "weight")},
                      "is_control": v.is_control} for v in experiment.variants.all()],
        "metrics": list(experiment.metrics.all()),
        "deviations": list(experiment.deviations.all()),
    }


DETAIL_FIELDS = {"decision_record", "lessons", "follow_ups"}


def _entry_ref(entry) -> dict:
    return {"id": entry.pk, "kind": entry.kind, "title": entry.title, "status": entry.status,
            "url": reverse("knowledge:entry", args=[entry.pk])}


def _detail(experiment, viewer) -> dict:
    """One experiment with what it left behind: its decision record, lessons and follow-up actions."""
    from learnloop.knowledge.permissions import can_view as can_view_entry

    out = _out(experiment)
    record = selectors.decision_record_of(viewer, selectors.experiment_for_api(experiment.pk))
    out["decision_record"] = None if record is None else _entry_ref(record)
    out["lessons"] = [_entry_ref(entry) for entry in selectors.lessons_of(experiment) if can_view_entry(viewer, entry)]
    out["follow_ups"] = [{"id": a.pk, "title": a.title, "status": a.status, "owner_id": a.owner_id,
                          "due_on": a.due_on} for a in decisions.follow_ups_of(experiment)]
    return out


def _experiment_ref(experiment) -> dict:
    return {"id": experiment.pk, "title": experiment.title, "team_id": experiment.team_id, "status": experiment.status,
            "outcome": experiment.outcome, "decision": experiment.decision,
            "url": reverse("experiments:detail", args=[experiment.pk])}


def _finite(value):
    return value if not isinstance(value, float) or math.isfinite(value) else None


@router.get("", response={200: list[ExperimentOut], **errors(400)},
            summary="Experiments, newest first, filtered like the portfolio")
@paginate(Pagination)
def list_experiments(request, status: str = "", outcome: str = "", team_id: Id | None = None, metric: str = "",
                     sort: str = "newest"):
    team = _team(team_id) if team_id is not None else None
    experiments = selectors.portfolio(request.user, status=status, outcome=outcome, team=team, metric=metric,
                                      sort=sort).prefetch_related("deviations")
    return Shown(experiments, lambda experiment: _out(experiment, refresh=False))


@router.get("/export", response={200: None, **errors(400)}, openapi_extra=EXPORT_OPENAPI,
            summary="The portfolio, filtered like the list, as a CSV or JSON file")
def export_experiments(request, format: ExportFormat = "csv", status: str = "", outcome: str = "",
                       team_id: Id | None = None, metric: str = "", sort: str = "newest", q: str = ""):
    """Every experiment `GET /experiments` lists with these filters (not a page). See docs/exports.md."""
    team = _team(team_id) if team_id is not None else None
    experiments = selectors.portfolio(request.user, status=status, outcome=outcome, team=team, metric=metric,
                                      sort=sort, query=q.strip())
    return export_response(fmt=format, filename="experiments", columns=selectors.EXPORT_COLUMNS,
                           rows=selectors.export_rows(experiments))


@router.post("", response={201: ExperimentOut}, summary="Register an experiment (a draft)")
def register(request, payload: ExperimentIn):
    data = payload.dict()
    with request_fields(team="team_id", owner="owner_id"):
        experiment = services.register_experiment(
            by=request.user, team=_team(data.pop("team_id")), owner=_person(data.pop("owner_id"), "owner_id"),
            **data,
        )
    return Status(201, _out(experiment))


@router.get("/related", response=RelatedOut,
            summary="Lessons, failed experiments and earlier experiments on a metric, for a draft's text")
def related_knowledge(request, q: str = "", metric: str = "", exclude_id: Id | None = None):
    found = related.related(request.user, text=q, metric=metric, exclude_id=exclude_id)
    return {"lessons": [_entry_ref(entry) for entry in found.lessons],
            "failures": [_experiment_ref(experiment) for experiment, _ in found.failures],
            "same_metric": [_experiment_ref(experiment) for experiment in found.same_metric]}


@router.get("/{experiment_id}", response=ExperimentDetailOut,
            summary="One experiment with its protocol, deviations, decision record, lessons and follow-ups")
def get_experiment(request, experiment_id: Id):
    experiment = selectors.experiment_for(request.user, experiment_id)
    return {**_detail(experiment, request.user), **lessons_here(selectors.lessons_here(request.user, experiment))}


@router.get("/{experiment_id}/power", response={200: PowerOut, **errors(400)},
            summary="Sample size for a minimum lift, or the MDE of a sample, for the primary metric")
def power(request, experiment_id: Id, baseline: float, lift: float | None = None, sd: float | None = None,
          power: float = 0.8, sample: Int32 | None = None):
    experiment = selectors.experiment_for(request.user, experiment_id)
    metric = experiment.primary_metric
    return planning.plan(metric_type=metric.metric_type if metric else "binomial", alpha=experiment.alpha,
                         baseline=baseline, lift=lift, sd=sd, power=power, sample=sample).as_dict()


@router.patch("/{experiment_id}/protocol", response=ExperimentOut,
              summary="Change the protocol (after the start: with a reason, recorded as deviations)")
def update_protocol(request, experiment_id: Id, payload: ProtocolPatch):
    experiment = selectors.experiment_for(request.user, experiment_id)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    return _out(services.update_protocol(by=request.user, experiment=experiment, reason=reason, **changes))


@router.post("/{experiment_id}/metrics", response={201: MetricOut}, summary="Add a guardrail or secondary metric")
def add_metric(request, experiment_id: Id, payload: NewMetricIn):
    experiment = selectors.experiment_for(request.user, experiment_id)
    return Status(201, services.add_metric(by=request.user, experiment=experiment, **payload.dict()))


@router.patch("/{experiment_id}/metrics/{metric_id}", response=MetricOut, summary="Change a metric")
def update_metric(request, experiment_id: Id, metric_id: Id, payload: MetricPatch):
    experiment = selectors.experiment_for(request.user, experiment_id)
    metric = experiment.metrics.filter(pk=metric_id).first()
    if metric is None:
        raise ValidationError({"metric_id": f"The experiment has no metric {metric_id}."})
    changes = payload.dict(exclude_unset=True)
    return services.update_metric(by=request.user, metric=metric, reason=changes.pop("reason", ""), **changes)


@router.post("/{experiment_id}/start", response=ExperimentOut, summary="Start it: the protocol locks")
def start(request, experiment_id: Id):
    experiment = selectors.experiment_for(request.user, experiment_id)
    return _out(services.start_experiment(by=request.user, experiment=experiment))


@router.post("/{experiment_id}/end", response=ExperimentOut, summary="End data collection")
def end(request, experiment_id: Id):
    experiment = selectors.experiment_for(request.user, experiment_id)
    return _out(services.end_experiment(by=request.user, experiment=experiment))


def _metric(experiment, metric_id: int):
    metric = experiment.metrics.filter(pk=metric_id).first()
    if metric is None:
        raise ValidationError({"metric_id": f"The experiment has no metric {metric_id}."})
    return metric


@router.post("/{experiment_id}/snapshots", response={201: ResultsOut},
             summary="Record one metric's per-variant aggregates as of a day")
def record_snapshot(request, experiment_id: Id, payload: SnapshotIn):
    experiment = selectors.experiment_for(request.user, experiment_id)
    metric = _metric(experiment, payload.metric_id)
    aggregates = services.aggregates_from_rows([row.dict() for row in payload.rows], metric.metric_type)
    services.record_snapshot(by=request.user, experiment=experiment, metric=metric, taken_on=payload.taken_on,
                             aggregates=aggregates, source=Snapshot.Source.API)
    return Status(201, _results(experiment))


@router.post("/{experiment_id}/snapshots/csv", response={201: ResultsOut},
             summary="Record a snapshot from the analyst CLI's CSV")
def record_snapshot_csv(request, experiment_id: Id, payload: SnapshotCsvIn):
    experiment = selectors.experiment_for(request.user, experiment_id)
    metric = _metric(experiment, payload.metric_id)
    aggregates = services.aggregates_from_text(payload.csv, metric.metric_type)
    services.record_snapshot(by=request.user, experiment=experiment, metric=metric, taken_on=payload.taken_on,
                             aggregates=aggregates, source=Snapshot.Source.API)
    return Status(201, _results(experiment))


def _process_out(experiment) -> dict:
    results = periods.analyse(experiment)
    recommendation = periods.recommend(results)
    return {
        "engine": experiment.engine, "alpha": experiment.alpha, "method": periods.method_of(experiment),
        "correction": experiment.correction,
        "recommendation": None if recommendation is None else {
            "decision": recommendation.decision, "outcome": recommendation.outcome, "reason": recommendation.reason,
        },
        "snapshots": [],
        "process_results": [
            {"metric_id": r.metric.pk, "metric": r.metric.name, "role": r.metric.role, "method": r.method,
             **{k: getattr(r, k) for k in ("periods_before", "periods_after", "effect", "ci_low", "ci_high", "p_value",
                                           "p_value_adjusted", "relative", "relative_low", "relative_high", "verdict",
                                           "reading", "error")},
             "details": {k: _finite(v) for k, v in r.details.items()}}
            for r in results
        ],
    }


def _results(experiment) -> dict:
    experiment = selectors.experiment_for_api(experiment.pk)
    if periods.is_process(experiment):
        return _process_out(experiment)
    snapshots = analyse(experiment)
    recommendation = recommend(snapshots[-1] if snapshots else None)
    return {
        "engine": experiment.engine,
        "alpha": experiment.alpha,
        "method": "randomised_split",
        "correction": experiment.correction,
        "recommendation": None if recommendation is None else {
            "decision": recommendation.decision, "outcome": recommendation.outcome, "reason": recommendation.reason,
        },
        "snapshots": [
            {"taken_on": snapshot.snapshot.taken_on, "metrics": [
                {"metric_id": m.metric.pk, "metric": m.metric.name, "role": m.metric.role, "control": m.control,
                 "srm_p_value": m.srm_p_value, "srm_warning": m.srm_warning, "error": m.error, "cuped": m.cuped,
                 "results": [{**{k: _finite(getattr(v, k)) for k in (
                     "variation", "users", "mean", "control_mean", "effect", "ci_low", "ci_high", "p_value",
                     "chance_to_win", "p_value_adjusted", "scale", "verdict", "reading")},
                     "guardrail_breached": v.breach} for v in m.variants]}
                for m in snapshot.metrics
            ]}
            for snapshot in snapshots
        ],
    }


@router.post("/{experiment_id}/periods", response={201: ResultsOut},
             summary="Record a process experiment's figures per period (before and after its start)")
def record_periods(request, experiment_id: Id, payload: PeriodsIn):
    experiment = selectors.experiment_for(request.user, experiment_id)
    metric = _metric(experiment, payload.metric_id)
    rows = periods.period_rows([row.dict() for row in payload.rows], metric.metric_type)
    periods.record_period_figures(by=request.user, experiment=experiment, metric=metric, rows=rows)
    return Status(201, _results(experiment))


@router.post("/{experiment_id}/periods/csv", response={201: ResultsOut},
             summary="Record a process experiment's figures per period from CSV")
def record_periods_csv(request, experiment_id: Id, payload: PeriodsCsvIn):
    experiment = selectors.experiment_for(request.user, experiment_id)
    metric = _metric(experiment, payload.metric_id)
    rows = periods.period_rows_from_text(payload.csv, metric.metric_type)
    periods.record_period_figures(by=request.user, experiment=experiment, metric=metric, rows=rows)
    return Status(201, _results(experiment))


@router.get("/{experiment_id}/results", response=ResultsOut,
            summary="The analysis of every snapshot, with SRM, guardrails, readings and the recommendation")
def results(request, experiment_id: Id):
    return _results(selectors.experiment_for(request.user, experiment_id))


@router.post("/{experiment_id}/decision", response=ExperimentDetailOut,
             summary="Ship, iterate or stop; against the recommendation only with override_reason")
def decide(request, experiment_id: Id, payload: DecisionIn):
    experiment = selectors.experiment_for(request.user, experiment_id)
    follow_ups = [{"title": f.title, "owner": _person(f.owner_id, "follow_ups.owner_id"), "due_on": f.due_on,
                   "description": f.description} for f in payload.follow_ups]
    decided = decisions.decide(
        by=request.user, experiment=experiment, decision=payload.decision, rationale=payload.rationale,
        override_reason=payload.override_reason, takeaways=[t.dict() for t in payload.takeaways],
        follow_ups=follow_ups,
    )
    return {**_detail(decided, request.user), **lessons_here(selectors.lessons_here(request.user, decided))}
