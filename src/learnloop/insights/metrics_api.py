"""The metrics catalogue and the learning-health index through the API (router at /insights).

The same reads as the dashboards (insights.metrics, scoped by insights.dashboard_access);
definitions in docs/metrics.md."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Router, Schema

from learnloop.analytics import learning_metrics as catalogue
from learnloop.api_base import errors
from learnloop.insights import dashboard_access, metrics
from learnloop.insights.dashboard_forms import PeriodForm

router = Router(tags=["insights"])


class DefinitionOut(Schema):
    key: str
    name: str
    unit: str = Field(description="share (0..1), count, days, per month or score")
    formula: str
    source: str
    caveats: str
    better: str = Field(description="higher, lower, or empty when neither is better")


class ScoreOut(Schema):
    key: str
    name: str
    mean: float


class CatalogueMetricOut(DefinitionOut):
    value: float | list[ScoreOut] | None = Field(
        description="None when missing (never 0 for no data); survey_scale_scores: the released dimension means")
    numerator: float | None
    denominator: float | None
    n: int | None = Field(description="How many items a median or count is over (respondents for survey scales)")
    missing_reason: str


class ScopeOut(Schema):
    kind: str = Field(description="organization, department or team")
    team: str | None = Field(description="The team's slug; null for the organization")
    name: str


class PeriodOut(Schema):
    since: date
    until: date
    today: date


class SurveyOut(Schema):
    campaign: str | None
    scale: list[float] | None
    dimensions: list[ScoreOut]
    size: int | None
    reason: str = Field(description="Why nothing is shown (not released, no campaign), or empty")


class ComponentOut(Schema):
    key: str
    name: str
    weight: float
    rule: str
    raw: float | None
    score: float | None = Field(description="0..1; null when missing (never scored 0)")
    effective_weight: float | None


class HealthOut(Schema):
    value: float | None = Field(description="0..100; null when incomplete")
    status: str = Field(description="complete, reweighted or incomplete")
    coverage: float
    components: list[ComponentOut]


class MetricsReportOut(Schema):
    scope: ScopeOut
    period: PeriodOut
    metrics: list[CatalogueMetricOut]
    survey: SurveyOut
    health_index: HealthOut


class HealthReportOut(Schema):
    scope: ScopeOut
    period: PeriodOut
    health_index: HealthOut


class TeamHealthOut(Schema):
    team: str
    name: str
    size: int
    index: float | None
    status: str
    coverage: float
    components: dict[str, float | None]


class NotComparedOut(Schema):
    team: str
    name: str
    size: int
    reason: str


class WeightOut(Schema):
    key: str
    name: str
    weight: float


class ComparisonOut(Schema):
    threshold: int = Field(description="Teams with fewer active members than this are not compared")
    teams: list[TeamHealthOut]
    not_compared: list[NotComparedOut]
    components: list[WeightOut]


def _period(since: date | None, until: date | None) -> tuple[date, date]:
    form = PeriodForm({"since": since or "", "until": until or ""})
    if not form.is_valid():
        raise ValidationError({field: problems[0] for field, problems in form.errors.items()})
    return form.cleaned_data["since"], form.cleaned_data["until"]


def _report(request, team: str | None, since: date | None, until: date | None) -> dict:
    since, until = _period(since, until)
    scope, _ = dashboard_access.scope_for_viewer(request.user, team or None)
    report = metrics.metrics_report(viewer=request.user, scope=scope, since=since, until=until)
    report.pop("_facts")
    return report


@router.get("/metrics/catalogue", response=list[DefinitionOut], summary="Every learning metric's definition")
def metric_catalogue(request):
    return [metric.__dict__ for metric in catalogue.CATALOGUE]


@router.get("/metrics", response={200: MetricsReportOut, **errors(400, 403, 404)},
            summary="The metrics catalogue's values for the organization or one team (`team`: its slug)")
def metrics_report(request, team: str | None = None, since: date | None = None, until: date | None = None):
    """Without `team`: the whole organization (learning leads and admins). With a department's
    slug: the department and every team below it. Period: the last twelve calendar months unless
    `since`/`until` say otherwise."""
    return _report(request, team, since, until)


@router.get("/health", response={200: HealthReportOut, **errors(400, 403, 404)},
            summary="The learning-health index of the organization or one team, with its components")
def health_report(request, team: str | None = None, since: date | None = None, until: date | None = None):
    report = _report(request, team, since, until)
    return {key: report[key] for key in ("scope", "period", "health_index")}


@router.get("/health/teams", response={200: ComparisonOut, **errors(400, 403, 404)},
            summary="Teams' learning-health indexes side by side (teams at or above the disclosure threshold)")
def health_comparison(request, department: str | None = None, since: date | None = None,
                      until: date | None = None):
    """The teams of the organization (learning leads) or of one department (its facilitators)."""
    since, until = _period(since, until)
    scope, teams = dashboard_access.scope_for_viewer(request.user, department or None)
    facts = metrics.gather_facts(scope.team_ids, since=since)
    compared = [team for team in teams if team.kind == "team" and team.pk in set(scope.team_ids)]
    return metrics.health_comparison(viewer=request.user, teams=compared, facts=facts, since=since, until=until,
                                     today=timezone.localdate(), survey=metrics.survey_view(request.user))
