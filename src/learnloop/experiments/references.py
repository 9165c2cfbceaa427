"""The experiment and decision types of the link registry (learnloop.links.registry).

Experiments are organization-wide (permissions.can_view): anyone active may cite them. A
decision is an experiment's recorded decision; it resolves once the experiment is decided."""

from django.urls import reverse

from learnloop.experiments.models import Experiment
from learnloop.experiments.permissions import can_view
from learnloop.links.registry import LinkType, Target, int_ids, register

EXPERIMENT = "experiments.experiment"
DECISION = "experiments.decision"


def resolve_experiments(viewer, ids: list[str]) -> dict[str, Target]:
    if not can_view(viewer):
        return {}
    return {
        str(e.pk): Target(EXPERIMENT, str(e.pk), f"Experiment: {e.title}",
                          reverse("experiments:detail", args=[e.pk]))
        for e in Experiment.objects.filter(pk__in=int_ids(ids)).only("pk", "title")
    }


def resolve_decisions(viewer, ids: list[str]) -> dict[str, Target]:
    if not can_view(viewer):
        return {}
    decided = Experiment.objects.filter(pk__in=int_ids(ids), decided_at__isnull=False).only("pk", "title", "decision")
    return {
        str(e.pk): Target(DECISION, str(e.pk), f"Decision on “{e.title}”: {e.get_decision_display()}",
                          reverse("experiments:detail", args=[e.pk]) + "#decision")
        for e in decided
    }


def register_types() -> None:
    register(LinkType(EXPERIMENT, "experiment", resolve_experiments))
    register(LinkType(DECISION, "experiment decision", resolve_decisions))
