"""Barriers to learning for many teams at once, in a fixed number of queries: the facts each
team's rules need (analytics.learning_barriers) from the actions, sessions, experiments,
lessons and initiatives of the last year, and the survey's barrier diagnosis for the team's
released group of the latest closed campaign, as the disclosure gate shows it to the viewer (a
team the viewer may not see, or one the gate withheld, has no survey findings)."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from learnloop.analytics import learning_barriers as rules
from learnloop.analytics import survey_stats
from learnloop.strategy import barrier_texts
from learnloop.strategy.models import Initiative, InitiativeStatus, Objective
from learnloop.strategy.permissions import can_view, require

YEAR_DAYS = 365


def _survey_facts(team_ids, *, viewer) -> dict[int, rules.SurveyFacts]:
    from learnloop.insights.metrics import survey_view
    from learnloop.surveys.disclosure_gate import ORGANIZATION, GroupKey

    view = survey_view(viewer)
    if view.report is None:
        return {}
    scale, dimensions, _ = view.report.shape
    organization = view.report.group(GroupKey(ORGANIZATION))
    organization_means = survey_stats.barrier_scores(organization.scores, dimensions) if organization else {}
    found = {}
    for team_id in team_ids:
        group = view.report.group(GroupKey(str(team_id)))
        if group is None or not group.scores:
            continue
        weak = {score.key for score in group.scores if survey_stats.weak(score, scale)}
        means = survey_stats.barrier_scores(group.scores, dimensions)
        found[team_id] = rules.SurveyFacts(
            campaign=view.campaign.name, size=group.size, scale=(scale.minimum, scale.maximum),
            barriers=tuple(rules.SurveyBarrier(barrier, mean, tuple(
                dimension.name for dimension in dimensions if dimension.barrier == barrier and dimension.key in weak),
                organization_means.get(barrier))
                for barrier, mean in sorted(means.items())))
    return found


def behaviour_of(team_ids, *, today) -> dict[int, rules.Behaviour]:
    """{team id: Behaviour} over the year up to today, in eight queries however many teams."""
    from learnloop.actions.models import ACTIVE_STATUSES, Action
    from learnloop.experiments.models import Experiment
    from learnloop.knowledge.models import Application, Entry
    from learnloop.org.models import Membership
    from learnloop.reflection.models import Session

    ids = list(team_ids)
    year = today - timedelta(days=YEAR_DAYS)
    counts = {team_id: defaultdict(int) for team_id in ids}
    never_closed_before = today - timedelta(days=rules.NEVER_CLOSED_PAST_DUE_DAYS)
    for team_id, status, due_on in Action.objects.filter(team_id__in=ids, due_on__gte=year, due_on__lte=today) \
            .values_list("team_id", "status", "due_on"):
        counts[team_id]["actions_fell_due"] += 1
        if status in ACTIVE_STATUSES and due_on <= never_closed_before:
            counts[team_id]["actions_never_closed"] += 1
    for team_id, effect in (Action.objects.filter(team_id__in=ids, status="done", closed_at__date__gte=year)
                            .filter(Q(check_on__lte=today) | ~Q(effect="")).values_list("team_id", "effect")):
        counts[team_id]["checks_due"] += 1
        counts[team_id]["checks_answered"] += bool(effect)
    for team_id in Experiment.objects.filter(team_id__in=ids, started_on__gte=year).values_list("team_id", flat=True):
        counts[team_id]["experiments_started"] += 1
    for team_id in Session.objects.filter(team_id__in=ids, held_on__gte=year, held_on__lte=today) \
            .values_list("team_id", flat=True):
        counts[team_id]["sessions_held"] += 1
    for team_id in Entry.objects.filter(kind="lesson", owner_team_id__in=ids, created_at__date__gte=year) \
            .values_list("owner_team_id", flat=True):
        counts[team_id]["lessons_written"] += 1
    teams_of = defaultdict(set)
    for person_id, team_id in Membership.objects.values_list("person_id", "team_id"):
        teams_of[person_id].add(team_id)
    wanted = set(ids)
    # Lessons applied in the year across a team boundary, counted on both sides: on the team that
    # owns the lesson, and on each of the applier's teams that is not the owner.
    for owner_team_id, person_id in Application.objects.filter(
            entry__kind="lesson", entry__owner_team__isnull=False, applied_on__gte=year).values_list(
            "entry__owner_team_id", "person_id"):
        applier_teams = teams_of[person_id]
        if owner_team_id in applier_teams:
            continue
        if owner_team_id in wanted:
            counts[owner_team_id]["lessons_applied_by_other_teams"] += 1
        for team_id in applier_teams & wanted:
            counts[team_id]["other_teams_lessons_applied"] += 1
    for team_id, days, money, people in Initiative.objects.filter(
            team_id__in=ids, status__in=(InitiativeStatus.PLANNED, InitiativeStatus.ACTIVE)).values_list(
            "team_id", "budget_person_days", "budget_money", "budget_people"):
        counts[team_id]["open_initiatives"] += 1
        counts[team_id]["initiatives_without_budget"] += not (days or money or people)
    # Only a current objective counts: last year's goal, not renewed, is no goal now.
    with_objective = set(Objective.objects.filter(team_id__in=ids, ends_on__gte=today)
                         .values_list("team_id", flat=True))
    return {team_id: rules.Behaviour(**counts[team_id], has_objective=team_id in with_objective) for team_id in ids}


def barriers_for_teams(teams, *, viewer, today=None, playbooks: bool = True) -> dict[int, list[rules.TeamBarrier]]:
    """{team id: [TeamBarrier]}; with `playbooks`, each barrier's practices are followed by the
    practice library's playbooks for it that the viewer may read (two queries for all teams)."""
    require(can_view(viewer), "Sign in to see the strategy.")
    today = today or timezone.localdate()
    ids = [team.pk for team in teams]
    behaviour = behaviour_of(ids, today=today)
    surveys = _survey_facts(ids, viewer=viewer)
    found = {team_id: barrier_texts.translate(rules.team_barriers(behaviour[team_id], surveys.get(team_id)),
                                              behaviour=behaviour[team_id], survey=surveys.get(team_id))
             for team_id in ids}
    if playbooks:
        shown = sorted({item.barrier for items in found.values() for item in items})
        library = _playbooks(shown, viewer=viewer)
        for items in found.values():
            for item in items:
                item.playbooks = library.get(item.barrier, [])
    return found


def _playbooks(barriers, *, viewer) -> dict[str, list]:
    if not barriers:
        return {}
    from learnloop.knowledge.practice_library import practices_for_each
    from learnloop.surveys.reports import BARRIER_QUERIES, SUGGESTIONS_PER_BARRIER

    found = practices_for_each(viewer=viewer, limit=SUGGESTIONS_PER_BARRIER,
                               wanted=[(barrier, [], BARRIER_QUERIES.get(barrier, barrier)) for barrier in barriers])
    return {barrier: [{"id": entry.pk, "title": entry.title} for entry in entries]
            for barrier, entries in zip(barriers, found, strict=True)}
