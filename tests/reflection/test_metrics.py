from datetime import date

from learnloop.reflection.metrics import team_learning_metrics
from learnloop.reflection.models import Lesson


def test_sessions_per_month_and_days_to_first_lesson_by_hand(make_session, facilitator, team):
    from learnloop.knowledge import services as knowledge

    held = [date(2025, 1, 10), date(2025, 2, 3), date(2025, 3, 20), date(2024, 12, 31)]
    sessions = [make_session(title=f"Retro {day}", held_on=day) for day in held]
    # Lessons: session 1 after 4 and 9 days (first counts: 4), session 2 after 10 days, session 3 none.
    for session, promoted in ((sessions[0], date(2025, 1, 14)), (sessions[0], date(2025, 1, 19)),
                              (sessions[1], date(2025, 2, 13))):
        entry = knowledge.create_entry(by=facilitator, kind="lesson", title=f"L {promoted}", body="b")
        Lesson.objects.create(session=session, entry=entry, promoted_on=promoted)
    figures = team_learning_metrics(team=team, since=date(2025, 1, 1), until=date(2025, 3, 31),
                                    today=date(2025, 4, 1))
    assert figures["sessions"] == 3  # the December one is outside the period
    assert figures["sessions_per_month"] == 1.0  # 3 sessions over January–March
    assert figures["sessions_with_lessons"] == 2
    assert figures["median_days_session_to_lesson"] == 7  # median of 4 and 10
    assert "completion_rate" in figures and "overdue_count" in figures
