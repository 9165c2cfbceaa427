"""Team learning figures about actions, for dashboards and the API.

The arithmetic is in learnloop.analytics.follow_through (pure, defined there and in
docs/actions.md); this module picks the actions and turns rows into facts.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from learnloop.actions import selectors
from learnloop.actions.models import DEFAULT_GRACE_DAYS, Action
from learnloop.analytics.follow_through import ActionFacts, follow_through


def _local_date(moment, zone=None) -> date | None:
    return moment.astimezone(zone or timezone.get_current_timezone()).date() if moment is not None else None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def actions_in_period(*, team=None, since: date | None = None, until: date | None = None):
    """Actions created in the period (both ends included, local dates), of one team or all."""
    actions = Action.objects.all()
    if team is not None:
        actions = actions.filter(team=team)
    if since is not None:
        actions = actions.filter(created_at__gte=_start_of(since))
    if until is not None:
        actions = actions.filter(created_at__lt=_start_of(until + timedelta(days=1)))
    return actions.values_list("team_id", "status", "created_at", "closed_at", "due_on", "effect", "check_on")


def action_metrics(*, team=None, since: date | None = None, until: date | None = None,
                   today: date | None = None) -> dict:
    """completion_rate, effectiveness_rate, median_days_to_close, overdue_count and the counts behind them."""
    today = today or timezone.localdate()
    rows = list(actions_in_period(team=team, since=since, until=until))
    grace = selectors.grace_days_by_team(row[0] for row in rows if row[0])
    return _figures(rows, grace, team_id=team.pk if team is not None else None, since=since, until=until,
                    today=today)


def action_metrics_by_team(*, teams, since: date | None = None, until: date | None = None,
                           today: date | None = None) -> dict[int, dict]:
    """`action_metrics` for each of many teams, in two queries whatever their number: {team id: figures}."""
    today = today or timezone.localdate()
    team_ids = [team.pk for team in teams]
    rows = list(actions_in_period(since=since, until=until).filter(team_id__in=team_ids))
    grace = selectors.grace_days_by_team(team_ids)
    by_team: dict[int, list] = {team_id: [] for team_id in team_ids}
    for row in rows:
        by_team[row[0]].append(row)
    return {team_id: _figures(team_rows, grace, team_id=team_id, since=since, until=until, today=today)
            for team_id, team_rows in by_team.items()}


def action_facts(rows, grace: dict) -> list[ActionFacts]:
    """Rows of `actions_in_period` (or starting with its columns) as the facts the metrics
    catalogue (learnloop.analytics.learning_metrics) and follow_through take."""
    zone = timezone.get_current_timezone()  # looked up once: thousands of rows
    return [
        ActionFacts(
            status=status,
            created_on=_local_date(created_at, zone),
            closed_on=_local_date(closed_at, zone),
            due_on=due_on,
            grace_days=grace.get(team_id, DEFAULT_GRACE_DAYS),
            effect=effect,
            check_on=check_on,
        )
        for team_id, status, created_at, closed_at, due_on, effect, check_on, *_ in rows
    ]


def _figures(rows, grace: dict, *, team_id, since, until, today) -> dict:
    figures = follow_through(action_facts(rows, grace), today=today).as_dict()
    figures.update(
        {
            "team_id": team_id,
            "since": since,
            "until": until,
            "today": today,
        }
    )
    return figures
