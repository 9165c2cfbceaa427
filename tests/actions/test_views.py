from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from learnloop.actions import services
from learnloop.actions.models import Action, Status
from tests.conftest import signed_in_client


@pytest.fixture
def action(teammate, team):
    return services.create_action(by=teammate, title="Document the failover drill", team=team, owner=teammate,
                                  due_on=timezone.localdate() - timedelta(days=3))


def test_my_actions_lists_what_i_own_with_overdue_marked(action, teammate):
    response = signed_in_client(teammate).get(reverse("actions:mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Document the failover drill" in html and "Overdue" in html


def test_home_page_shows_my_open_actions(action, teammate):
    html = signed_in_client(teammate).get(reverse("web:home")).content.decode()
    assert "My open actions" in html and "Document the failover drill" in html


def test_team_board_has_a_column_per_status(action, facilitator, team):
    response = signed_in_client(facilitator).get(reverse("actions:team", args=[team.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("Open", "In progress", "Done", "Not doing"):
        assert f">{label} <small>" in html
    assert 'class="is-overdue"' in html


def test_outsiders_see_neither_board_nor_action(action, outsider, team):
    client = signed_in_client(outsider)
    assert client.get(reverse("actions:team", args=[team.pk])).status_code == 403
    assert client.get(reverse("actions:detail", args=[action.pk])).status_code == 404


def test_create_form_adds_an_action(teammate, team):
    response = signed_in_client(teammate).post(reverse("actions:create"), {
        "title": "Write the on-call guide", "team": team.pk, "owner": teammate.pk, "priority": "high",
        "due_on": "2030-01-15",
    })
    action = Action.objects.get(title="Write the on-call guide")
    assert response.status_code == 302 and response["Location"] == reverse("actions:detail", args=[action.pk])
    assert (action.team, action.owner, action.priority) == (team, teammate, "high")


def test_create_form_shows_why_an_owner_is_refused(teammate, facilitator, team):
    response = signed_in_client(teammate).post(reverse("actions:create"), {
        "title": "Yours", "team": team.pk, "owner": facilitator.pk, "priority": "normal",
    })
    assert response.status_code == 200
    assert "Only facilitators of Payments" in response.content.decode()
    assert not Action.objects.exists()


def test_mark_done_with_a_check_date(action, teammate):
    check_on = timezone.localdate() + timedelta(days=14)
    response = signed_in_client(teammate).post(reverse("actions:complete", args=[action.pk]), {
        "effect": "later", "check_on": check_on.isoformat(),
    })
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.check_on, action.effect) == (Status.DONE, check_on, "")


def test_mark_done_later_without_a_date_explains(action, teammate):
    response = signed_in_client(teammate).post(reverse("actions:complete", args=[action.pk]), {"effect": "later"})
    assert response.status_code == 400
    assert "Pick the date" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Status.OPEN


def test_scheduled_check_answered_on_the_page(action, teammate):
    services.complete_action(by=teammate, action=action, check_on=timezone.localdate() + timedelta(days=1))
    client = signed_in_client(teammate)
    assert "Record the check" in client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    client.post(reverse("actions:check", args=[action.pk]), {"effect": "worked", "evidence": "Drill took 4 min."})
    action.refresh_from_db()
    assert (action.effect, action.evidence) == ("worked", "Drill took 4 min.")


def test_decline_without_reason_keeps_the_action_open(action, teammate):
    response = signed_in_client(teammate).post(reverse("actions:decline", args=[action.pk]), {"reason": ""})
    assert response.status_code == 400
    action.refresh_from_db()
    assert action.status == Status.OPEN


def test_start_and_reopen_buttons(action, teammate):
    client = signed_in_client(teammate)
    client.post(reverse("actions:start", args=[action.pk]))
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS
    client.post(reverse("actions:reopen", args=[action.pk]))  # still open: refused with a message
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS


def test_teammate_who_does_not_own_it_cannot_close_it(action, team):
    from tests import factories

    other = factories.person()
    factories.membership(other, team)
    client = signed_in_client(other)
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert "Mark as done" not in page
    response = client.post(reverse("actions:complete", args=[action.pk]), {"effect": "worked"})
    assert response.status_code == 403


def test_comment_with_htmx_returns_the_comment_list(action, facilitator):
    response = signed_in_client(facilitator).post(
        reverse("actions:comment", args=[action.pk]), {"body": "Shall we pair on it?"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<section id="comments"')
    assert "Shall we pair on it?" in html


def test_facilitator_changes_the_overdue_rule_on_the_board(action, facilitator, teammate, team):
    url = reverse("actions:team", args=[team.pk])
    signed_in_client(facilitator).post(url, {"overdue_grace_days": 5, "remind_days_before": 1})
    assert 'class="is-overdue"' not in signed_in_client(facilitator).get(url).content.decode()
    assert signed_in_client(teammate).post(url, {"overdue_grace_days": 0, "remind_days_before": 1}).status_code == 403


def test_empty_comment_with_htmx_shows_the_error_in_place(action, facilitator):
    response = signed_in_client(facilitator).post(
        reverse("actions:comment", args=[action.pk]), {"body": "  "}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not action.comments.exists()
