"""A scenario becomes a proposed experiment or an action (docs/systems.md, issue 18 item 5).

The hypothesis is written from the simulation: the constants the scenario changes (from the
starting values to the scenario's), and where the chosen variable ends under the baseline and under
the scenario at the model's final time. A draft process experiment (before/after) or an action is
made through the experiments' and actions' own services; the model lists what each scenario
became, and an action names the model as its source (stockflow_references)."""

import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.actions.services import create_action
from learnloop.experiments.models import Design, Kind
from learnloop.experiments.services import register_experiment
from learnloop.links import registry
from learnloop.systems import stockflow_permissions as permissions
from learnloop.systems.stockflow_models import Scenario, ScenarioIntervention, ScenarioInterventionKind
from learnloop.systems.stockflow_references import STOCKFLOW_MODEL
from learnloop.systems.stockflow_services import compare, default_params


def _figure(value) -> str:
    if value is None or not math.isfinite(value):
        return "no number"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _last(values: list) -> float | None:
    return next((value for value in reversed(values) if value is not None), None)


def hypothesis(scenario: Scenario, variable: str | None = None) -> dict:
    """The pre-filled protocol: title, change, effect (the sentence), success metric and the
    simulated figures it came from."""
    model = scenario.model
    start = default_params(model)
    # In the model's order of constants (JSON columns on PostgreSQL do not keep the saved order).
    changes = [(name, before, scenario.params[name]) for name, before in start.items()
               if name in scenario.params and scenario.params[name] != before]
    if not changes:
        raise ValidationError({"scenario": gettext("The scenario keeps the starting values: there is no change to "
                                                   "test.")})
    comparison = compare(model, [scenario], variable)
    baseline, changed = (_last(serie["values"]) for serie in comparison.series)
    final_time, units = comparison.time[-1], model.outline.get("time_units", "")
    change_words = ", and ".join(f"{name} from {_figure(before)} to {_figure(after)}"
                                 for name, before, after in changes)
    when = f"{units.lower()} {final_time:g}".strip() if units else f"time {final_time:g}"
    sentence = (f"If we change {change_words}, we expect {comparison.variable} to move from {_figure(baseline)} "
                f"to {_figure(changed)} by {when} (simulated in the stock-and-flow model “{model.name}”, "
                f"scenario “{scenario.name}”).")
    return {"title": f"{scenario.name}: {model.name}"[:200],
            "change": f"Change {change_words}, as in the scenario “{scenario.name}” of the stock-and-flow model "
                      f"“{model.name}”."[:2000],
            "effect": sentence[:2000], "variable": comparison.variable,
            "expected_delta": f"{comparison.variable}: {_figure(baseline)} → {_figure(changed)} by {when}"[:200],
            "baseline": baseline, "scenario": changed, "time": final_time}


def create_intervention(*, by, scenario: Scenario, kind: str, variable: str | None = None, team=None,
                        title: str = "", at=None) -> ScenarioIntervention:
    """A draft experiment (registered for `team`, else the model's team) or an action (its source
    is the model); the model lists it."""
    model = scenario.model
    permissions.require(permissions.can_view(by, model), "Sign in to use models.")
    if kind not in ScenarioInterventionKind.values:
        raise ValidationError({"kind": gettext("A scenario becomes an experiment or an action.")})
    prefilled = hypothesis(scenario, variable)
    title = " ".join((title or prefilled["title"]).split())[:200]
    team = team if team is not None else model.team
    now = at or timezone.now()
    with transaction.atomic():
        if kind == ScenarioInterventionKind.EXPERIMENT:
            if team is None:
                raise ValidationError({"team": gettext("Choose the team that runs the experiment.")})
            experiment = register_experiment(
                by=by, team=team, title=title, change=prefilled["change"], effect=prefilled["effect"],
                population=f"The work of {team.name} that {prefilled['variable']} measures",
                success_metric=prefilled["variable"], expected_delta=prefilled["expected_delta"],
                variants=["Today", "With the change"], primary_metric={"name": prefilled["variable"]},
                kind=Kind.PROCESS, design=Design.BEFORE_AFTER, at=now)
            target_type, target_id = "experiments.experiment", str(experiment.pk)
        else:
            action = create_action(by=by, title=title, team=team, description=prefilled["effect"],
                                   source_type=STOCKFLOW_MODEL, source_id=str(model.pk), at=now)
            target_type, target_id = "actions.action", str(action.pk)
        return ScenarioIntervention.objects.create(
            model=model, scenario=scenario, scenario_name=scenario.name, params=scenario.params,
            variable=prefilled["variable"], hypothesis=prefilled["effect"], kind=kind, target_type=target_type,
            target_id=target_id, created_by=by, created_at=now)


def intervention_rows(model):
    return model.interventions.select_related("created_by").order_by("pk")


def with_targets(viewer, rows) -> list[tuple]:
    """(intervention, Target or None): what each scenario became, when the viewer may see it."""
    rows = list(rows)
    found = registry.resolve(viewer, [(row.target_type, row.target_id) for row in rows])
    return [(row, found.get((row.target_type, row.target_id))) for row in rows]


def interventions(viewer, model) -> list[tuple]:
    return with_targets(viewer, intervention_rows(model))

