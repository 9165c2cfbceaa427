"""The weekly digest's metric changes per team: the catalogue's figures on the digest's day against
the same figures a week earlier (facts rewound to that day), from hand-built rows."""

from datetime import date

import pytest
from django.core import mail

from learnloop.actions import sending
from learnloop.actions.models import Action
from learnloop.analytics import learning_metrics as catalogue
from learnloop.analytics.follow_through import ActionFacts
from learnloop.insights.metrics_digest import team_changes
from tests.insights.conftest import TODAY, moment


def close_an_overdue_action_this_week(loop):
    # Created 1 March, due 10 March, done on 8 April (two days before TODAY): it worked.
    Action.objects.create(title="Rotate the keys", team=loop.payments, created_by=loop.payments_lead,
                          created_at=moment(date(2025, 3, 1)), due_on=date(2025, 3, 10), status="done",
                          closed_at=moment(date(2025, 4, 8)), effect="worked", checked_at=moment(date(2025, 4, 8)))


def test_changes_are_the_catalogue_values_now_and_a_week_ago(loop):
    close_an_overdue_action_this_week(loop)
    changed = team_changes([loop.payments, loop.platform], today=TODAY)
    assert [row["team"] for row in changed] == [loop.payments]  # nothing moved in Platform this week
    figures = {change["key"]: (change["now"], change["before"]) for change in changed[0]["changes"]}
    # Payments' actions since May 2024: done 12 Jan (worked), 1 Feb (did not work), 1 Dec (worked), not doing
    # 10 Jan, open 10 Feb (overdue), and the new one: done now, open and overdue a week ago.
    assert figures == {
        "completion_rate": (pytest.approx(4 / 6), pytest.approx(3 / 6)),
        "effectiveness_rate": (pytest.approx(3 / 4), pytest.approx(2 / 3)),
        "overdue_count": (1, 2),
        "median_days_action_to_done": (15.0, 10.0),  # (4, 10, 20, 38) against (4, 10, 20) days
    }


@pytest.mark.django_db
def test_the_digest_shows_the_changes_to_those_who_may_see_the_team(loop, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    close_an_overdue_action_this_week(loop)
    sending.run_digests(today=TODAY)
    body = next(message.body for message in mail.outbox if message.to == [loop.learning_lead.email])
    assert "Metric changes by team:" in body
    assert ("- Payments: Action completion rate 66.7% (a week ago 50.0%); Effectiveness rate 75.0% (a week ago "
            "66.7%); Overdue actions 1 (a week ago 2); Median days action → done 15 days (a week ago 10 days)") in body
    assert "/insights/teams/payments/" in body and "Platform:" not in body
    # A member of Platform only (owning no action) gets no digest; the Payments lead's shows Payments.
    lead_body = next((message.body for message in mail.outbox if message.to == [loop.payments_lead.email]), "")
    assert "Metric changes by team:" not in lead_body or "- Payments:" in lead_body
    assert not any(message.to == [loop.platform_member.email] for message in mail.outbox)


def test_rewinding_reopens_what_closed_later_and_drops_what_came_later():
    facts = catalogue.LoopFacts(actions=[
        ActionFacts("done", date(2025, 3, 1), closed_on=date(2025, 3, 9), effect="worked", check_on=date(2025, 3, 5)),
        ActionFacts("done", date(2025, 3, 1), closed_on=date(2025, 3, 2), effect="worked", check_on=date(2025, 3, 9)),
        ActionFacts("open", date(2025, 3, 8)),
    ], sessions=[catalogue.SessionFacts(date(2025, 3, 3), first_lesson_on=date(2025, 3, 8),
                                         actions_created_on=(date(2025, 3, 4), date(2025, 3, 8)))],
        experiments=[catalogue.ExperimentFacts("concluded", date(2025, 2, 1), date(2025, 3, 6), "won", 1),
                     catalogue.ExperimentFacts("running", date(2025, 3, 7))])
    then = catalogue.rewound(facts, date(2025, 3, 5))
    assert [(action.status, action.closed_on, action.effect) for action in then.actions] == [
        ("open", None, ""), ("done", date(2025, 3, 2), "")]  # closed later; check due later: no answer yet
    assert then.sessions[0].first_lesson_on is None and then.sessions[0].actions_created_on == (date(2025, 3, 4),)
    assert [(item.status, item.ended_on, item.outcome) for item in then.experiments] == [("running", None, "")]
