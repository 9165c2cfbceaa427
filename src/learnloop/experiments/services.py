"""Every write to the registry: registering, the protocol and its lock, starting and ending, snapshots.

Decisions, lessons and follow-up actions are in decisions.py.

The protocol is pre-registered: while the experiment is a draft it can be edited freely; from
the moment it starts, a change needs a reason and is kept as a Deviation (field, from, to, why,
who, when). There is no way to change a locked protocol silently.
"""

import json
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from learnloop.activity.services import record_activity
from learnloop.analytics.stats.aggregates_file import AggregatesFileError, parse_aggregates
from learnloop.experiments.models import (
    Aggregate,
    Correction,
    Design,
    Deviation,
    Engine,
    Experiment,
    Kind,
    Metric,
    MetricRole,
    MetricType,
    Snapshot,
    Status,
    Variant,
)
from learnloop.experiments.permissions import can_manage, can_register, require

HYPOTHESIS_FIELDS = ("change", "effect", "population", "success_metric", "expected_delta")
PROTOCOL_FIELDS = (*HYPOTHESIS_FIELDS, "kind", "design", "engine", "alpha", "planned_sample_per_variant",
                   "correction", "stopping_rule")
METRIC_FIELDS = ("name", "metric_type", "lower_is_better", "threshold")
MAX_VARIANTS = 8
DESIGNS_BY_KIND = {
    Kind.ONLINE: {Design.RANDOMISED},
    Kind.PROCESS: {Design.BEFORE_AFTER, Design.CONTROL_TEAMS, Design.RANDOMISED},
}


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _text(value, *, field: str, limit: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationError({field: "This is part of the pre-registration: fill it in."})
    if len(text) > limit:
        raise ValidationError({field: f"At most {limit} characters."})
    return text


def _fresh(experiment_id: int) -> Experiment:
    """The experiment as stored now: whether it is locked must never come from a stale object."""
    return Experiment.objects.select_related("team").get(pk=experiment_id)


def _event(experiment: Experiment, verb: str, by, at=None, data=None) -> None:
    record_activity(verb=verb, subject=experiment, actor=by, team=experiment.team, data=data, at=at)


# --- protocol values -------------------------------------------------------------------------------------


def _clean_protocol(values: dict) -> dict:
    cleaned = {}
    limits = {"change": 1000, "effect": 1000, "population": 300, "success_metric": 200, "expected_delta": 100}
    for name, value in values.items():
        if name in limits:
            cleaned[name] = _text(value, field=name, limit=limits[name])
        elif name == "kind":
            if value not in Kind.values:
                raise ValidationError({"kind": "Choose an online A/B test or a process experiment."})
            cleaned[name] = value
        elif name == "design":
            if value not in Design.values:
                raise ValidationError({"design": f"Design must be one of: {', '.join(Design.values)}."})
            cleaned[name] = value
        elif name == "correction":
            if value not in Correction.values:
                raise ValidationError({"correction": f"Correction must be one of: {', '.join(Correction.values)}."})
            cleaned[name] = value
        elif name == "engine":
            if value not in Engine.values:
                raise ValidationError({"engine": f"Engine must be one of: {', '.join(Engine.values)}."})
            cleaned[name] = value
        elif name == "alpha":
            try:
                alpha = float(value)
            except (TypeError, ValueError):
                raise ValidationError({"alpha": "Alpha is a number such as 0.05."}) from None
            if not 0 < alpha < 0.5:
                raise ValidationError({"alpha": "Alpha must lie between 0 and 0.5 (0.05 is usual)."})
            cleaned[name] = alpha
        elif name == "planned_sample_per_variant":
            if value in (None, ""):
                cleaned[name] = None
                continue
            try:
                size = int(value)
            except (TypeError, ValueError):
                raise ValidationError({name: "The planned sample is a whole number of units per variant."}) from None
            if size < 1:
                raise ValidationError({name: "The planned sample must be at least 1 per variant."})
            cleaned[name] = size
        elif name == "stopping_rule":
            cleaned[name] = str(value or "").strip()[:2000]
        else:
            raise ValidationError({name: "Not part of the protocol."})
    return cleaned


def _check_design(kind: str, design: str) -> None:
    if design not in DESIGNS_BY_KIND[kind]:
        raise ValidationError({"design": "An online A/B test is a randomised split; before/after and control teams "
                                         "are designs for process experiments."})


def _clean_metric(spec: dict, *, role: str) -> dict:
    name = _text(spec.get("name"), field="metric", limit=120)
    metric_type = spec.get("metric_type") or MetricType.BINOMIAL
    if metric_type not in MetricType.values:
        raise ValidationError({"metric_type": f"A metric is one of: {', '.join(MetricType.values)}."})
    threshold = spec.get("threshold")
    if threshold in ("", None):
        threshold = None
    else:
        try:
            threshold = float(threshold)
        except (TypeError, ValueError):
            raise ValidationError({"threshold": "A guardrail threshold is a share such as 0.02 (2% worse)."}) from None
        if threshold < 0 or threshold > 10:
            raise ValidationError({"threshold": "A guardrail threshold is a share between 0 and 10."})
    if role == MetricRole.GUARDRAIL and threshold is None:
        threshold = 0.0
    return {"name": name, "metric_type": metric_type, "lower_is_better": bool(spec.get("lower_is_better")),
            "threshold": threshold if role == MetricRole.GUARDRAIL else None, "role": role}


def _clean_variants(variants) -> list[dict]:
    cleaned, names = [], set()
    for item in variants or ():
        spec = item if isinstance(item, dict) else {"name": item}
        name = _text(spec.get("name"), field="variants", limit=80, required=False)
        if not name:
            continue
        if name.lower() in names:
            raise ValidationError({"variants": f"Two variants are both called “{name}”."})
        names.add(name.lower())
        try:
            weight = float(spec.get("weight") or 1)
        except (TypeError, ValueError):
            raise ValidationError({"variants": f"The weight of “{name}” is not a number."}) from None
        if weight <= 0:
            raise ValidationError({"variants": f"The weight of “{name}” must be positive."})
        cleaned.append({"name": name, "description": str(spec.get("description") or "")[:300], "weight": weight})
    if len(cleaned) < 2:
        raise ValidationError({"variants": "Name the control first, then at least one variant."})
    if len(cleaned) > MAX_VARIANTS:
        raise ValidationError({"variants": f"At most {MAX_VARIANTS} variants."})
    return cleaned


# --- registering -----------------------------------------------------------------------------------------


def register_experiment(
    *, by, team, title: str, change: str, effect: str, population: str, success_metric: str, expected_delta: str,
    variants, primary_metric: dict, guardrails=(), secondary_metrics=(), kind: str = Kind.ONLINE,
    design: str = Design.RANDOMISED, engine: str = Engine.FREQUENTIST, alpha: float = 0.05,
    planned_sample_per_variant: int | None = None, stopping_rule: str = "", owner=None, at: datetime | None = None,
    correction: str = Correction.NONE,
) -> Experiment:
    """Register a draft experiment with its hypothesis, variants (control first) and protocol."""
    if team is None:
        raise ValidationError({"team": "Choose the team that runs the experiment."})
    require(can_register(by, team), "Only members of the team, its facilitators and learning leads register "
                                    "experiments for it.")
    if team.is_archived:
        raise ValidationError({"team": f"{team} is archived."})
    protocol = _clean_protocol({
        "change": change, "effect": effect, "population": population, "success_metric": success_metric,
        "expected_delta": expected_delta, "kind": kind, "design": design, "engine": engine, "alpha": alpha,
        "planned_sample_per_variant": planned_sample_per_variant, "stopping_rule": stopping_rule,
        "correction": correction,
    })
    _check_design(protocol["kind"], protocol["design"])
    title = _text(title, field="title", limit=200)
    variant_specs = _clean_variants(variants)
    metrics = [_clean_metric(primary_metric or {}, role=MetricRole.PRIMARY)]
    metrics += [_clean_metric(spec, role=MetricRole.GUARDRAIL) for spec in guardrails]
    metrics += [_clean_metric(spec, role=MetricRole.SECONDARY) for spec in secondary_metrics]
    names = [metric["name"].lower() for metric in metrics]
    if len(set(names)) != len(names):
        raise ValidationError({"metrics": "Each metric needs its own name."})
    owner = owner or by
    if not (owner.is_active):
        raise ValidationError({"owner": "The owner must be an active person."})
    now = _now(at)
    with transaction.atomic():
        experiment = Experiment.objects.create(
            title=title, team=team, owner=owner, created_by=by, created_at=now, updated_at=now, **protocol
        )
        Variant.objects.bulk_create(
            [Variant(experiment=experiment, position=index, **spec) for index, spec in enumerate(variant_specs)]
        )
        Metric.objects.bulk_create(
            [Metric(experiment=experiment, position=index, **spec) for index, spec in enumerate(metrics)]
        )
        _event(experiment, "registered", by, at=now)
    return experiment


def update_details(*, by, experiment: Experiment, title: str | None = None, owner=None) -> Experiment:
    """Title and owner are not part of the protocol: they change without a deviation."""
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads edit this.")
    if title is not None:
        experiment.title = _text(title, field="title", limit=200)
    if owner is not None:
        if not owner.is_active:
            raise ValidationError({"owner": "The owner must be an active person."})
        experiment.owner = owner
    experiment.updated_at = timezone.now()
    experiment.save(update_fields=["title", "owner", "updated_at"])
    return experiment


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _record_deviations(experiment, changes: list[tuple[str, object, object]], *, by, reason: str, at) -> None:
    if not changes or not experiment.is_locked:
        return
    reason = (reason or "").strip()
    if not reason:
        fields = ", ".join(name for name, _, _ in changes)
        raise ValidationError({"reason": f"The protocol is locked since the experiment started: say why "
                                         f"{fields} must change (it is recorded as a deviation)."})
    Deviation.objects.bulk_create([
        Deviation(experiment=experiment, field=name, old_value=_show(old), new_value=_show(new), reason=reason,
                  changed_by=by, changed_at=at)
        for name, old, new in changes
    ])
    _event(experiment, "protocol_deviated", by, at=at, data={"fields": [name for name, _, _ in changes]})


def update_protocol(*, by, experiment: Experiment, reason: str = "", at: datetime | None = None,
                    **changes) -> Experiment:
    """Change the pre-registered protocol; after the start only with a reason, kept as deviations."""
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads change the "
                                        "protocol.")
    cleaned = _clean_protocol(changes)
    now = _now(at)
    with transaction.atomic():
        # The row as it is now: it may have started or been decided since the caller read it.
        experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if experiment.status == Status.CONCLUDED:
            raise ValidationError({"status": "A concluded experiment's protocol is part of the record."})
        _check_design(cleaned.get("kind", experiment.kind), cleaned.get("design", experiment.design))
        differences = [(name, getattr(experiment, name), value) for name, value in cleaned.items()
                       if getattr(experiment, name) != value]
        _record_deviations(experiment, differences, by=by, reason=reason, at=now)
        for name, _, value in differences:
            setattr(experiment, name, value)
        experiment.updated_at = now
        experiment.save()
    return experiment


def update_metric(*, by, metric: Metric, reason: str = "", at: datetime | None = None, **changes) -> Metric:
    experiment = _fresh(metric.experiment_id)
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads change metrics.")
    if experiment.status == Status.CONCLUDED:
        raise ValidationError({"status": "A concluded experiment's metrics are part of the record."})
    unknown = set(changes) - set(METRIC_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "Not a metric setting."})
    current = {name: getattr(metric, name) for name in METRIC_FIELDS}
    cleaned = _clean_metric({**current, **changes}, role=metric.role)
    if experiment.is_locked and metric.aggregates.exists() and cleaned["metric_type"] != metric.metric_type:
        raise ValidationError({"metric_type": "This metric already has results of its type; add a new metric instead."})
    differences = [(f"{metric.name}: {name.replace('_', ' ')}", current[name], cleaned[name])
                   for name in METRIC_FIELDS if current[name] != cleaned[name]]
    now = _now(at)
    with transaction.atomic():
        _record_deviations(experiment, differences, by=by, reason=reason, at=now)
        for name in METRIC_FIELDS:
            setattr(metric, name, cleaned[name])
        metric.save()
    return metric


def add_metric(*, by, experiment: Experiment, name: str, role: str = MetricRole.GUARDRAIL,
               metric_type: str = MetricType.BINOMIAL, lower_is_better: bool = False, threshold=None,
               reason: str = "", at: datetime | None = None) -> Metric:
    experiment = _fresh(experiment.pk)
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads add metrics.")
    if experiment.status == Status.CONCLUDED:
        raise ValidationError({"status": "A concluded experiment's metrics are part of the record."})
    if role not in {MetricRole.GUARDRAIL, MetricRole.SECONDARY}:
        raise ValidationError({"role": "An experiment has one primary metric; add guardrail or secondary metrics."})
    spec = _clean_metric({"name": name, "metric_type": metric_type, "lower_is_better": lower_is_better,
                          "threshold": threshold}, role=role)
    if experiment.metrics.filter(name__iexact=spec["name"]).exists():
        raise ValidationError({"name": f"There already is a metric called “{spec['name']}”."})
    now = _now(at)
    with transaction.atomic():
        _record_deviations(experiment, [(f"{role} metric added", "", spec["name"])], by=by, reason=reason, at=now)
        position = experiment.metrics.count()
        metric = Metric.objects.create(experiment=experiment, position=position, **spec)
    return metric


# --- lifecycle -------------------------------------------------------------------------------------------


def start_experiment(*, by, experiment: Experiment, on: date | None = None, at: datetime | None = None) -> Experiment:
    """Start it: from now on the protocol is locked."""
    experiment = _fresh(experiment.pk)
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads start it.")
    if experiment.status != Status.DRAFT:
        raise ValidationError({"status": "Only a draft experiment can start."})
    if experiment.primary_metric is None or experiment.variants.count() < 2:
        raise ValidationError({"protocol": "Register a primary metric and at least two variants first."})
    now = _now(at)
    experiment.status = Status.RUNNING
    experiment.started_on = on or timezone.localdate(now)
    experiment.updated_at = now
    with transaction.atomic():
        experiment.save(update_fields=["status", "started_on", "updated_at"])
        _event(experiment, "started", by, at=now)
    return experiment


def end_experiment(*, by, experiment: Experiment, on: date | None = None, at: datetime | None = None) -> Experiment:
    """Stop collecting data; the experiment waits for its analysis and decision."""
    experiment = _fresh(experiment.pk)
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads end it.")
    if experiment.status != Status.RUNNING:
        raise ValidationError({"status": "Only a running experiment can end."})
    now = _now(at)
    experiment.status = Status.ANALYSING
    experiment.ended_on = on or timezone.localdate(now)
    experiment.updated_at = now
    with transaction.atomic():
        experiment.save(update_fields=["status", "ended_on", "updated_at"])
        _event(experiment, "ended", by, at=now)
    return experiment


# --- results ---------------------------------------------------------------------------------------------


def aggregates_from_text(text: str, metric_type: str):
    """Parse an uploaded CSV (or JSON) with the analyst CLI's rules, so both give the same messages."""
    try:
        return parse_aggregates(text, metric_type)
    except AggregatesFileError as error:
        raise ValidationError({"file": str(error)}) from None


def aggregates_from_rows(rows: list[dict], metric_type: str):
    """Rows typed into a form or sent to the API, checked exactly like a file."""
    cleaned = [{key: value for key, value in row.items() if value not in (None, "")} for row in rows]
    try:
        return parse_aggregates(json.dumps(cleaned), metric_type, is_json=True)
    except AggregatesFileError as error:
        raise ValidationError({"rows": str(error)}) from None


def record_snapshot(*, by, experiment: Experiment, metric: Metric, taken_on: date, aggregates,
                    source: str = Snapshot.Source.FORM, at: datetime | None = None) -> Snapshot:
    """Store one metric's per-variant aggregates as of `taken_on` (replacing that day's earlier figures)."""
    experiment = _fresh(experiment.pk)
    require(can_manage(by, experiment), "Only the owner, the team's facilitators and learning leads enter results.")
    if metric.experiment_id != experiment.pk:
        raise ValidationError({"metric": "That metric belongs to another experiment."})
    if experiment.status not in {Status.RUNNING, Status.ANALYSING}:
        raise ValidationError({"status": "Results are entered once the experiment has started and until it is "
                                         "decided."})
    if taken_on is None:
        raise ValidationError({"taken_on": "Give the date the figures are from."})
    if experiment.started_on and taken_on < experiment.started_on:
        raise ValidationError({"taken_on": f"The experiment started on {experiment.started_on:%d %b %Y}; figures "
                                           "from before that are not its results."})
    if taken_on > timezone.localdate():
        raise ValidationError({"taken_on": "The figures cannot be from the future."})
    if experiment.design in {Design.BEFORE_AFTER, Design.CONTROL_TEAMS}:
        raise ValidationError({"design": "A before / after or control-team experiment is measured per period: "
                                         "enter figures per period, not a snapshot."})
    if any(item.has_covariate for item in aggregates) and metric.metric_type == MetricType.RATIO:
        raise ValidationError({"file": "CUPED (covariate columns) is available for mean and binomial metrics, not "
                                       "ratio metrics."})
    variants = {variant.name.lower(): variant for variant in experiment.variants.all()}
    names = [item.variation.lower() for item in aggregates]
    missing = [variant.name for key, variant in variants.items() if key not in names]
    unknown = [item.variation for item in aggregates if item.variation.lower() not in variants]
    if unknown:
        raise ValidationError({"file": f"“{unknown[0]}” is not a variant of this experiment "
                                       f"({', '.join(v.name for v in variants.values())})."})
    if missing:
        raise ValidationError({"file": f"Figures for {', '.join(missing)} are missing: give every variant."})
    control = next(variant for variant in variants.values() if variant.is_control)
    if names[0] != control.name.lower():
        raise ValidationError({"file": f"The first row must be the control, {control.name}."})
    now = _now(at)
    binomial = metric.metric_type == MetricType.BINOMIAL
    with transaction.atomic():
        snapshot, _ = Snapshot.objects.get_or_create(
            experiment=experiment, taken_on=taken_on,
            defaults={"source": source, "created_by": by, "created_at": now},
        )
        Aggregate.objects.filter(snapshot=snapshot, metric=metric).delete()
        Aggregate.objects.bulk_create([
            Aggregate(
                snapshot=snapshot, metric=metric, variant=variants[item.variation.lower()], users=int(item.users),
                sum=item.sum, sum_squares=item.sum if binomial and item.sum_squares is None else item.sum_squares,
                denominator_sum=item.denominator_sum, denominator_sum_squares=item.denominator_sum_squares,
                denominator_sum_product=item.denominator_sum_product, covariate_sum=item.covariate_sum,
                covariate_sum_squares=item.covariate_sum_squares, covariate_sum_product=item.covariate_sum_product,
            )
            for item in aggregates
        ])
        _event(experiment, "results_recorded", by, at=now, data={"metric": metric.name, "taken_on": str(taken_on),
                                                                 "source": source})
    return snapshot
