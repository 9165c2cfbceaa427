"""Team learning metrics: the action engine's follow-through figures plus how often a team
reflects and how quickly its sessions turn into lessons.

The definitions are the metrics catalogue's (learnloop.analytics.learning_metrics: session
cadence, time to first lesson); this module only reads the sessions."""

from datetime import date

from django.db.models import Min

from learnloop.actions.metrics import action_metrics, action_metrics_by_team
from learnloop.analytics.learning_metrics import SessionFacts, session_cadence, time_to_first_lesson
from learnloop.reflection.models import Session


def _session_figures(rows, *, since: date, until: date) -> dict:
    sessions = [SessionFacts(held_on=held_on, first_lesson_on=first_lesson) for held_on, first_lesson in rows]
    cadence = session_cadence(sessions, since=since, until=until)
    first_lesson = time_to_first_lesson(sessions, since=since, until=until)
    return {
        "sessions": len(sessions),
        "sessions_per_month": round(cadence.value, 2),
        "sessions_with_lessons": first_lesson.n,
        "median_days_session_to_lesson": first_lesson.value,
    }


def _sessions(since: date, until: date):
    return (Session.objects.filter(held_on__gte=since, held_on__lte=until)
            .annotate(first_lesson=Min("lessons__promoted_on")))


def team_learning_metrics(*, team, since: date, until: date, today: date | None = None) -> dict:
    figures = action_metrics(team=team, since=since, until=until, today=today)
    rows = _sessions(since, until).filter(team=team).values_list("held_on", "first_lesson")
    figures.update(_session_figures(rows, since=since, until=until))
    return figures


def teams_learning_metrics(*, teams, since: date, until: date, today: date | None = None) -> dict[int, dict]:
    """`team_learning_metrics` for many teams in a fixed number of queries: {team id: figures}."""
    teams = list(teams)
    figures = action_metrics_by_team(teams=teams, since=since, until=until, today=today)
    held: dict[int, list] = {team.pk: [] for team in teams}
    for team_id, held_on, first_lesson in _sessions(since, until).filter(team__in=teams).values_list(
            "team_id", "held_on", "first_lesson"):
        held[team_id].append((held_on, first_lesson))
    for team in teams:
        figures[team.pk].update(_session_figures(held[team.pk], since=since, until=until))
    return figures
