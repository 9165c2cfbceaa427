"""Who sees which actions, and the lists built on that."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.actions import selectors, services
from learnloop.actions.models import Status
from tests import factories


@pytest.fixture
def team_action(teammate, team):
    return services.create_action(by=teammate, title="Team's action", team=team, owner=teammate)


@pytest.fixture
def personal_action(outsider):
    return services.create_action(by=outsider, title="Outsider's own")


def visible_titles(person) -> set[str]:
    return set(selectors.visible_actions(viewer=person).values_list("title", flat=True))


def test_team_members_see_the_team_actions_not_other_peoples(team_action, personal_action, member, team):
    factories.membership(member, team)
    assert visible_titles(member) == {"Team's action"}


def test_a_department_facilitator_sees_the_actions_of_teams_below(team_action, department):
    head = factories.person()
    factories.membership(head, department, role="facilitator")
    assert visible_titles(head) == {"Team's action"}


def test_learning_leads_and_admins_see_everything(team_action, personal_action, learning_lead, admin):
    assert visible_titles(learning_lead) == visible_titles(admin) == {"Team's action", "Outsider's own"}


def test_people_outside_the_team_see_only_their_own(team_action, personal_action, outsider):
    assert visible_titles(outsider) == {"Outsider's own"}


def test_the_owner_keeps_seeing_an_action_after_leaving_the_team(team_action, teammate, team):
    teammate.memberships.filter(team=team).delete()
    teammate = type(teammate).objects.get(pk=teammate.pk)  # fresh: team ids are cached per object
    assert visible_titles(teammate) == {"Team's action"}


def test_deactivated_people_see_nothing(team_action, teammate):
    teammate.is_active, teammate.deactivated_at = False, timezone.now()
    teammate.save()
    assert visible_titles(teammate) == set()


def test_my_actions_are_open_ones_and_pending_checks(teammate, team):
    today = timezone.localdate()
    open_one = services.create_action(by=teammate, title="Open", team=team, owner=teammate)
    pending = services.create_action(by=teammate, title="Pending", team=team, owner=teammate)
    services.complete_action(by=teammate, action=pending, check_on=today + timedelta(days=5))
    answered = services.create_action(by=teammate, title="Answered", team=team, owner=teammate)
    services.complete_action(by=teammate, action=answered, effect="worked")
    assert set(selectors.my_actions(teammate)) == {open_one, pending}
    assert set(selectors.my_actions(teammate, include_closed=True)) == {open_one, pending, answered}


def test_team_board_puts_overdue_first_in_its_column(teammate, team):
    today = timezone.localdate()
    later = services.create_action(by=teammate, title="Later", team=team, due_on=today + timedelta(days=1))
    late = services.create_action(by=teammate, title="Late", team=team, due_on=today - timedelta(days=1))
    no_date = services.create_action(by=teammate, title="Whenever", team=team)
    columns = {column.status: column for column in selectors.team_board(team)}
    assert columns[Status.OPEN].actions == [late, later, no_date]
    assert [action.overdue for action in columns[Status.OPEN].actions] == [True, False, False]
    assert columns[Status.DONE].actions == []
