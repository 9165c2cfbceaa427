"""Reads for the registry's pages and API: one experiment, the filtered portfolio and its figures."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from learnloop.experiments.models import Experiment, ExperimentLesson, Metric, Outcome, Status
from learnloop.experiments.permissions import can_view
from learnloop.experiments.references import DECISION as DECISION_REF
from learnloop.experiments.references import EXPERIMENT as EXPERIMENT_REF
from learnloop.links.registry import Backlinks, backlinks

SORTS = {
    "newest": ("-created_at", "-id"),
    "lift": (F("primary_lift").desc(nulls_last=True), "-id"),
    "lift_low": (F("primary_lift").asc(nulls_last=True), "-id"),
    "title": ("title", "id"),
}


def _base() -> QuerySet[Experiment]:
    return Experiment.objects.select_related("team", "owner").prefetch_related(
        Prefetch("metrics", queryset=Metric.objects.order_by("position", "id")), "variants"
    )


def experiment_for(viewer, experiment_id: int) -> Experiment:
    experiment = _base().filter(pk=experiment_id).first()
    if experiment is None or not can_view(viewer, experiment):
        raise Http404("No experiment with this id.")
    return experiment


def metric_of(experiment: Experiment, metric_id: int):
    metric = experiment.metrics.filter(pk=metric_id).first()
    if metric is None:
        raise Http404(f"The experiment has no metric {metric_id}.")
    return metric


def warehouse_refresh_of(experiment: Experiment, refresh_id: int):
    from learnloop.experiments.models import WarehouseRefresh

    found = WarehouseRefresh.objects.filter(experiment=experiment, pk=refresh_id).first()
    if found is None:
        raise Http404(f"The experiment has no refresh {refresh_id}.")
    return found


def portfolio(viewer, *, status: str = "", outcome: str = "", team=None, metric: str = "", sort: str = "newest",
              query: str = "") -> QuerySet[Experiment]:
    if not can_view(viewer):
        return Experiment.objects.none()
    experiments = _base().annotate(lesson_count=Count("lessons", distinct=True))
    if status:
        experiments = experiments.filter(status=status)
    if outcome:
        experiments = experiments.filter(outcome=outcome)
    if team is not None:
        experiments = experiments.filter(team=team)
    if metric:
        experiments = experiments.filter(metrics__name__iexact=metric).distinct()
    if query:
        experiments = experiments.filter(Q(title__icontains=query) | Q(change__icontains=query))
    return experiments.order_by(*SORTS.get(sort, SORTS["newest"]))


def metric_names() -> list[str]:
    return sorted(set(Metric.objects.values_list("name", flat=True)), key=str.lower)


@dataclass
class PortfolioFigures:
    concluded: int
    won: int
    with_learning: int
    velocity: list[tuple[date, int]]  # concluded per month, the last 12 months, oldest first

    @property
    def win_rate(self) -> float | None:
        return self.won / self.concluded if self.concluded else None

    @property
    def learning_share(self) -> float | None:
        return self.with_learning / self.concluded if self.concluded else None

    @property
    def per_month(self) -> float:
        return sum(count for _, count in self.velocity) / len(self.velocity) if self.velocity else 0.0

    @property
    def busiest(self) -> int:
        return max((count for _, count in self.velocity), default=0)


def _months_back(today: date, count: int) -> list[date]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def figures(experiments: QuerySet[Experiment], today: date | None = None) -> PortfolioFigures:
    """Win rate, learning share and velocity over the experiments shown (after filtering)."""
    concluded = experiments.filter(status=Status.CONCLUDED)
    rows = list(concluded.values_list("outcome", "decided_at", "lesson_count"))
    today = today or timezone.localdate()
    months = _months_back(today, 12)
    counts = Counter(date(when.year, when.month, 1) for _, when, _ in rows if when)
    return PortfolioFigures(
        concluded=len(rows),
        won=sum(1 for outcome, _, _ in rows if outcome == Outcome.WON),
        with_learning=sum(1 for _, _, lessons in rows if lessons),
        velocity=[(month, counts.get(month, 0)) for month in months],
    )


def failure_library(viewer, *, limit: int = 30) -> list[tuple[Experiment, list]]:
    """Concluded experiments that did not win, with the lessons they left."""
    experiments = list(
        portfolio(viewer, status=Status.CONCLUDED).exclude(outcome=Outcome.WON).order_by("-decided_at", "-id")[:limit]
    )
    lessons: dict[int, list] = {}
    for link in ExperimentLesson.objects.filter(experiment__in=experiments).select_related("entry"):
        lessons.setdefault(link.experiment_id, []).append(link.entry)
    return [(experiment, lessons.get(experiment.pk, [])) for experiment in experiments]


def decision_record_of(viewer, experiment: Experiment):
    """The experiment's decision record, when there is one the viewer may see."""
    from learnloop.knowledge.permissions import can_view as can_view_entry

    if experiment.decision_record_id is None:
        return None
    entry = experiment.decision_record
    return entry if can_view_entry(viewer, entry) else None


def lessons_of(experiment: Experiment) -> list:
    return [link.entry for link in experiment.lessons.select_related("entry")]


def lessons_here(viewer, experiment: Experiment) -> Backlinks:
    """Lessons that came from the experiment or its decision, and lessons applied in it
    (learnloop.links): one query each, whatever their number."""
    refs = [(EXPERIMENT_REF, str(experiment.pk)), (DECISION_REF, str(experiment.pk))]
    found = backlinks(viewer, refs)
    came, seen = [], set()
    for lesson in found[refs[0]].came_from + found[refs[1]].came_from:
        if lesson.id not in seen:
            seen.add(lesson.id)
            came.append(lesson)
    return Backlinks(came_from=came, applied_here=found[refs[0]].applied_here + found[refs[1]].applied_here)


def recent_for_home(viewer, limit: int = 5) -> list[Experiment]:
    return list(portfolio(viewer, status=Status.RUNNING)[:limit])


def experiment_for_api(experiment_id: int) -> Experiment:
    """A fresh read (after a write) with everything the API's answer shows."""
    return _base().prefetch_related("deviations").get(pk=experiment_id)


# --- export (learnloop.web.tables; docs/exports.md) -------------------------------------------------------

EXPORT_COLUMNS = ["id", "title", "team", "owner", "kind", "design", "status", "outcome", "decision",
                  "primary_metric", "primary_lift", "started_on", "ended_on", "lessons", "change", "effect",
                  "population", "success_metric", "expected_delta"]


def export_rows(experiments: QuerySet[Experiment], *, chunk: int = 500):
    """The portfolio's rows (its filters and order), a chunk at a time."""
    for experiment in experiments.iterator(chunk_size=chunk):
        metrics = list(experiment.metrics.all())
        primary = next((metric for metric in metrics if metric.role == "primary"), metrics[0] if metrics else None)
        yield {
            "id": experiment.pk, "title": experiment.title, "team": experiment.team.name,
            "owner": experiment.owner.full_name, "kind": experiment.kind, "design": experiment.design,
            "status": experiment.status, "outcome": experiment.outcome, "decision": experiment.decision,
            "primary_metric": primary.name if primary else "", "primary_lift": experiment.primary_lift,
            "started_on": experiment.started_on, "ended_on": experiment.ended_on,
            "lessons": experiment.lesson_count, "change": experiment.change, "effect": experiment.effect,
            "population": experiment.population, "success_metric": experiment.success_metric,
            "expected_delta": experiment.expected_delta,
        }
