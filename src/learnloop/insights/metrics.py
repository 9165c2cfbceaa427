"""The metrics catalogue for a scope (the organization, a department or a team) and a period.

This module only reads: it gathers the facts of every team in a fixed number of queries
(whatever the number of teams, sessions or actions), merges the teams of a scope and hands them
to learnloop.analytics.learning_metrics, where each metric is defined and computed once.
Survey scale scores come only through the surveys' disclosure gate (CampaignReport), as released
to the viewer. Who may open which scope is decided in insights.dashboard_access.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.actions import selectors as action_selectors
from learnloop.actions.metrics import action_facts
from learnloop.actions.models import Action
from learnloop.analytics import learning_health
from learnloop.analytics import learning_metrics as catalogue
from learnloop.experiments.models import Experiment
from learnloop.insights import metric_texts, themes_metrics
from learnloop.knowledge.models import Entry
from learnloop.org.models import Membership, Organization, Team
from learnloop.reflection.follow_up import SESSION_SOURCE
from learnloop.reflection.models import Card, Lesson, Participant, Session

ORGANIZATION = "organization"
DEPARTMENT = "department"
TEAM = "team"
DEFAULT_PERIOD_MONTHS = 12
SERIES_MONTHS = 12
SERIES_METRICS = ("completion_rate", "effectiveness_rate", "lesson_reuse_rate", "session_cadence",
                  "experiment_velocity")


@dataclass
class Scope:
    kind: str  # organization, department, team
    team: Team | None  # None for the organization
    team_ids: list[int] = field(default_factory=list)  # the team and every team below it

    @property
    def label(self) -> str:
        return self.team.name if self.team is not None else (Organization.objects.first() or Organization()).name


def all_teams() -> list[Team]:
    return list(Team.objects.filter(archived_at=None).order_by("name", "pk"))


def _below(teams: list[Team], root_id: int) -> list[int]:
    children = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team.pk)
    found, stack = [], [root_id]
    while stack:
        team_id = stack.pop()
        found.append(team_id)
        stack.extend(children[team_id])
    return found


def scope_for(team: Team | None, teams: list[Team] | None = None) -> Scope:
    teams = teams if teams is not None else all_teams()
    if team is None:
        return Scope(ORGANIZATION, None, [item.pk for item in teams])
    return Scope(DEPARTMENT if team.kind == "department" else TEAM, team, _below(teams, team.pk))


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve calendar months, this one included: from the first day of the month eleven
    months ago to today (so per-month metrics divide by 12)."""
    today = today or timezone.localdate()
    return catalogue.month_periods(today, DEFAULT_PERIOD_MONTHS)[0][0], today


def _local(moment, zone) -> date | None:
    return moment.astimezone(zone).date() if moment is not None else None


def _start_of(day: date):
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def gather_facts(team_ids: list[int], *, since: date) -> dict[int, catalogue.LoopFacts]:
    """{team id: LoopFacts} for these teams, from `since` on, in twelve queries however many rows."""
    facts = {team_id: catalogue.LoopFacts() for team_id in team_ids}
    start = _start_of(since)
    zone = timezone.get_current_timezone()
    action_rows = list(Action.objects.filter(team_id__in=team_ids, created_at__gte=start).values_list(
        "team_id", "status", "created_at", "closed_at", "due_on", "effect", "check_on", "source_type", "source_id"))
    grace = action_selectors.grace_days_by_team(team_ids)
    from_session = defaultdict(list)
    for row, action in zip(action_rows, action_facts(action_rows, grace), strict=True):
        facts[row[0]].actions.append(action)
        if row[7] == SESSION_SOURCE:
            from_session[row[8]].append(action.created_on)

    sessions = list(Session.objects.filter(team_id__in=team_ids, held_on__gte=since)
                    .values_list("pk", "team_id", "held_on"))
    session_ids = [pk for pk, _, _ in sessions]
    first_lessons = dict(Lesson.objects.filter(session_id__in=session_ids).values("session_id")
                         .annotate(first=Min("promoted_on")).values_list("session_id", "first"))
    cards = {session_id: (total, anonymous) for session_id, total, anonymous in (
        Card.objects.filter(session_id__in=session_ids).values("session_id")
        .annotate(total=Count("id"), anonymous=Count("id", filter=Q(author=None)))
        .values_list("session_id", "total", "anonymous"))}
    joined = defaultdict(set)
    for session_id, person_id in Participant.objects.filter(session_id__in=session_ids).values_list(
            "session_id", "person_id"):
        joined[session_id].add(person_id)
    for pk, team_id, held_on in sessions:
        total, anonymous = cards.get(pk, (0, 0))
        facts[team_id].sessions.append(catalogue.SessionFacts(
            held_on=held_on, first_lesson_on=first_lessons.get(pk), cards=total, anonymous_cards=anonymous,
            actions_created_on=tuple(from_session.get(str(pk), ())), participants=frozenset(joined.get(pk, ()))))
    members = defaultdict(set)
    for team_id, person_id in Membership.objects.filter(team_id__in=team_ids, person__is_active=True).values_list(
            "team_id", "person_id"):
        members[team_id].add(person_id)
    for team_id, people in members.items():
        facts[team_id].members = frozenset(people)
    _add_skill_needs(facts, members)

    for team_id, created_at, applications in (
            Entry.objects.filter(kind="lesson", owner_team_id__in=team_ids, created_at__gte=start)
            .annotate(uses=Count("applications")).values_list("owner_team_id", "created_at", "uses")):
        facts[team_id].lessons.append(catalogue.LessonFacts(created_on=_local(created_at, zone),
                                                            applications=applications))
    for team_id, review_due_at, obsolete_at in Entry.objects.filter(owner_team_id__in=team_ids).values_list(
            "owner_team_id", "review_due_at", "obsolete_at"):
        facts[team_id].entries.append(catalogue.EntryFacts(review_due_on=_local(review_due_at, zone),
                                                           obsolete=obsolete_at is not None))
    for team_id, status, started_on, ended_on, outcome, lessons in (
            Experiment.objects.filter(team_id__in=team_ids).filter(Q(ended_on=None) | Q(ended_on__gte=since))
            .annotate(kept=Count("lessons")).values_list("team_id", "status", "started_on", "ended_on", "outcome",
                                                         "kept")):
        facts[team_id].experiments.append(catalogue.ExperimentFacts(
            status=status, started_on=started_on, ended_on=ended_on, outcome=outcome, lessons=lessons))
    return facts


def _add_skill_needs(facts: dict[int, catalogue.LoopFacts], members: dict[int, set]) -> None:
    """Each team's skill needs with how many of its active members meet them, today (two queries:
    the needs, and the members' effective levels as growth reads them)."""
    from learnloop.growth.models import SkillStatus, TeamSkillNeed
    from learnloop.growth.selectors import effective_levels

    needs = list(TeamSkillNeed.objects.filter(team_id__in=list(facts), skill__status=SkillStatus.ACTIVE)
                 .values_list("team_id", "skill_id", "level", "people"))
    levels = effective_levels(set().union(*members.values()) if members else set())
    for team_id, skill_id, level, people in needs:
        have = sum(1 for person_id in members.get(team_id, ()) if levels.get((person_id, skill_id), 0) >= level)
        facts[team_id].skill_needs.append(catalogue.SkillNeedFacts(people=people, have=have))


def merged(facts: dict[int, catalogue.LoopFacts], team_ids) -> catalogue.LoopFacts:
    total = catalogue.LoopFacts()
    for team_id in team_ids:
        total = total.merged(facts[team_id])
    return total


# --- survey scales, only as released --------------------------------------------------------


@dataclass
class SurveyView:
    """The latest closed campaign whose results can be read, as one viewer may see it."""
    campaign: object | None
    report: object | None

    def scores(self, team_id: int | None) -> dict:
        """{"campaign", "scale": [min, max], "dimensions": [{key, name, mean}], "size", "reason"}
        for a node: the organization (None) or a team, as the disclosure gate released it."""
        if self.report is None:
            return {"campaign": None, "scale": None, "dimensions": [], "size": None,
                    "reason": gettext("No closed survey campaign has results to show.")}
        from learnloop.surveys.disclosure_gate import ORGANIZATION as ORG_NODE
        from learnloop.surveys.disclosure_gate import GroupKey

        scale = self.report.shape[0]
        key = GroupKey(ORG_NODE if team_id is None else str(team_id))
        group = self.report.group(key)
        base = {"campaign": self.campaign.name, "scale": [scale.minimum, scale.maximum]}
        if group is None:
            return {**base, "dimensions": [], "size": None,
                    "reason": (self.report.not_shown_reason or self.report.withheld_reason(key)
                               or gettext("Not released."))}
        return {**base, "size": group.size, "reason": "",
                "dimensions": [{"key": score.key, "name": score.name, "mean": score.mean} for score in group.scores]}

    def heatmap(self) -> dict:
        if self.report is None:
            return {"dimensions": [], "rows": [], "withheld": []}
        return self.report.heatmap()


def survey_view(viewer) -> SurveyView:
    from learnloop.surveys.models import Campaign, CampaignStatus
    from learnloop.surveys.reports import CampaignReport, not_shown_reason

    for campaign in Campaign.objects.filter(status=CampaignStatus.CLOSED).order_by("-closes_on", "-pk")[:5]:
        if not not_shown_reason(campaign):
            return SurveyView(campaign, CampaignReport(campaign, viewer))
    return SurveyView(None, None)


def survey_component(survey: dict) -> float | None:
    if not survey["dimensions"]:
        return None
    low, high = survey["scale"]
    return learning_health.survey_score([item["mean"] for item in survey["dimensions"]], low, high)


# --- what pages, the API and the CLI ask for ------------------------------------------------


def metric_values(facts: catalogue.LoopFacts, *, since: date, until: date, today: date) -> dict:
    return catalogue.loop_metrics(facts, since=since, until=until, today=today)


def health_for(values: dict, survey: dict) -> learning_health.HealthIndex:
    raw = {component.key: values[component.key].value for component in learning_health.COMPONENTS
           if component.key in values}
    raw["survey_scales"] = survey_component(survey)
    return learning_health.health_index(raw)


def metrics_report(*, viewer, scope: Scope, since: date, until: date, today: date | None = None,
                   survey: SurveyView | None = None, facts: dict | None = None) -> dict:
    """The whole catalogue for one scope and period: metric values (with their definitions), the
    survey scale scores as released, and the learning-health index with its components."""
    today = today or timezone.localdate()
    facts = facts if facts is not None else gather_facts(scope.team_ids, since=since)
    scope_facts = merged(facts, scope.team_ids)
    values = metric_values(scope_facts, since=since, until=until, today=today)
    recurrence = themes_metrics.recurrence(scope.team, (since, until), viewer=viewer)
    values["theme_recurrence_rate"] = catalogue.theme_recurrence_rate(recurrence.active, recurrence.recurring)
    survey = survey or survey_view(viewer)
    scores = survey.scores(scope.team.pk if scope.team is not None else None)
    metrics = []
    for metric in catalogue.CATALOGUE:
        entry = {"key": metric.key, "name": metric.name, "unit": metric.unit, "formula": metric.formula,
                 "source": metric.source, "caveats": metric.caveats, "better": metric.better}
        if metric.key == "survey_scale_scores":
            entry.update(value=scores["dimensions"] or None, numerator=None, denominator=None, n=scores["size"],
                         missing_reason=scores["reason"])
        else:
            value = values[metric.key].as_dict()
            entry.update(value=value["value"], numerator=value["numerator"], denominator=value["denominator"],
                         n=value["n"], missing_reason="" if value["value"] is not None else _why_missing(metric.key))
        metrics.append(metric_texts.metric_in_words(entry))
    return {
        "scope": {"kind": scope.kind, "team": scope.team.slug if scope.team is not None else None,
                  "name": scope.label},
        "period": {"since": since, "until": until, "today": today},
        "metrics": metrics,
        "survey": scores,
        "health_index": _health_in_words(health_for(values, scores).as_dict()),
        "_facts": scope_facts,
    }


def _health_in_words(index: dict) -> dict:
    return {**index, "components": [metric_texts.component_in_words(part) for part in index.get("components", [])]}


def _why_missing(key: str) -> str:
    if key == "theme_recurrence_rate":
        return gettext("No theme you may see came up in this period.")
    return gettext("No data in this period.")


def monthly_series(facts: catalogue.LoopFacts, *, until: date, today: date, months: int = SERIES_MONTHS) -> dict:
    periods = catalogue.month_periods(until, months)
    series = {key: [] for key in SERIES_METRICS}
    for first, last in periods:
        values = catalogue.loop_metrics(facts, since=first, until=last, today=today)
        for key in SERIES_METRICS:
            series[key].append(values[key].value)
    return {"months": [first.strftime("%Y-%m") for first, _ in periods],
            "series": [{"key": key, "name": metric_texts.metric_name(key), "unit": catalogue.BY_KEY[key].unit,
                        "values": series[key]} for key in SERIES_METRICS],
            "portfolio": catalogue.experiment_portfolio(facts.experiments, periods)}


def member_counts(team_ids) -> dict[int, int]:
    return dict(Membership.objects.filter(team_id__in=team_ids, person__is_active=True).values("team_id")
                .annotate(size=Count("person_id", distinct=True)).values_list("team_id", "size"))


def threshold() -> int:
    organization = Organization.objects.first()
    return organization.anonymity_threshold if organization is not None else 5


def health_comparison(*, viewer, teams: list[Team], facts: dict, since: date, until: date, today: date,
                      survey: SurveyView) -> dict:
    """Each team's learning-health index, side by side only for teams with at least the
    disclosure threshold of active members; smaller teams are listed without figures."""
    sizes = member_counts([team.pk for team in teams])
    limit = threshold()
    compared, not_compared = [], []
    for team in teams:
        if sizes.get(team.pk, 0) < limit:
            not_compared.append({"team": team.slug, "name": team.name, "size": sizes.get(team.pk, 0),
                                 "reason": gettext("Fewer than %(limit)s members: not compared.") % {"limit": limit}})
            continue
        scope = scope_for(team, [team])
        values = metric_values(merged(facts, scope.team_ids), since=since, until=until, today=today)
        index = health_for(values, survey.scores(team.pk))
        compared.append({"team": team.slug, "name": team.name, "size": sizes[team.pk],
                         "index": index.value, "status": index.status, "coverage": index.coverage,
                         "components": {part.key: part.score for part in index.components}})
    compared.sort(key=lambda row: (row["index"] is None, -(row["index"] or 0), row["name"]))
    return {"threshold": limit, "teams": compared, "not_compared": not_compared,
            "components": [{"key": part.key, "name": metric_texts.component_name(part), "weight": part.weight}
                           for part in learning_health.COMPONENTS]}
