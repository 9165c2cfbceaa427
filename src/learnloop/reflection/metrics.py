"""Team learning metrics: the action engine's follow-through figures plus how often a team
reflects and how quickly its sessions turn into lessons."""

from datetime import date
from statistics import median

from django.db.models import Min

from learnloop.actions.metrics import action_metrics, action_metrics_by_team
from learnloop.reflection.models import Session


def _months_spanned(since: date, until: date) -> int:
    """Calendar months from since's month to until's month, both included."""
    return (until.year - since.year) * 12 + until.month - since.month + 1


def team_learning_metrics(*, team, since: date, until: date, today: date | None = None) -> dict:
    sessions = Session.objects.filter(team=team, held_on__gte=since, held_on__lte=until)
    first_lessons = sessions.annotate(first_lesson=Min("lessons__promoted_on")).exclude(first_lesson=None)
    days_to_lesson = [(row.first_lesson - row.held_on).days for row in first_lessons]
    figures = action_metrics(team=team, since=since, until=until, today=today)
    session_count = sessions.count()
    figures.update({
        "sessions": session_count,
        "sessions_per_month": round(session_count / _months_spanned(since, until), 2),
        "sessions_with_lessons": len(days_to_lesson),
        "median_days_session_to_lesson": median(days_to_lesson) if days_to_lesson else None,
    })
    return figures


def teams_learning_metrics(*, teams, since: date, until: date, today: date | None = None) -> dict[int, dict]:
    """`team_learning_metrics` for many teams in a fixed number of queries: {team id: figures}."""
    teams = list(teams)
    figures = action_metrics_by_team(teams=teams, since=since, until=until, today=today)
    rows = (Session.objects.filter(team__in=teams, held_on__gte=since, held_on__lte=until)
            .annotate(first_lesson=Min("lessons__promoted_on")).values_list("team_id", "held_on", "first_lesson"))
    held: dict[int, list] = {team.pk: [] for team in teams}
    for team_id, held_on, first_lesson in rows:
        held[team_id].append((first_lesson - held_on).days if first_lesson else None)
    for team in teams:
        days_to_lesson = [days for days in held[team.pk] if days is not None]
        session_count = len(held[team.pk])
        figures[team.pk].update({
            "sessions": session_count,
            "sessions_per_month": round(session_count / _months_spanned(since, until), 2),
            "sessions_with_lessons": len(days_to_lesson),
            "median_days_session_to_lesson": median(days_to_lesson) if days_to_lesson else None,
        })
    return figures
