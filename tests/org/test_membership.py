"""One answer to "who belongs to / leads which team", for every app."""

import pytest
from django.contrib.auth.models import AnonymousUser

from learnloop.org import membership
from learnloop.reflection import selectors as reflection_selectors
from learnloop.reflection import services as reflection_services
from learnloop.reflection.permissions import can_view_session
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def chart():
    """A division with a department inside it, and a team inside that."""
    division = factories.team(name="Division", kind="department")
    department = factories.team(name="Engineering", kind="department", parent=division)
    team = factories.team(name="Payments", parent=department)
    return division, department, team


def test_a_department_lead_leads_every_team_below_at_any_depth(chart):
    division, _, team = chart
    lead = factories.person()
    factories.membership(lead, division, role="facilitator")
    assert all(membership.leads_team(lead, each) for each in chart)
    assert not membership.belongs_to(lead, team)
    member = factories.person()
    factories.membership(member, team)
    assert membership.belongs_to(member, team)
    assert not any(membership.leads_team(member, each) for each in chart)


def test_people_who_are_signed_out_or_deactivated_belong_to_nothing(chart):
    _, _, team = chart
    gone = factories.person()
    factories.membership(gone, team, role="facilitator")
    gone.is_active, gone.deactivated_at = False, gone.date_joined
    gone.save()
    for person in (gone, AnonymousUser(), None):
        assert not membership.is_active_person(person)
        assert membership.member_team_ids(person) == frozenset()
        assert not membership.leads_team(person, team)


def test_the_answer_is_read_once_per_person_and_again_after_a_change(chart, django_assert_num_queries):
    _, department, team = chart
    person = factories.person()
    factories.membership(person, department, role="facilitator")
    with django_assert_num_queries(2):  # the memberships, then the team tree for leading
        for _ in range(5):
            assert membership.leads_team(person, team)
            assert membership.member_team_ids(person) == {department.pk}
    with django_assert_num_queries(0):
        assert membership.leads_team(person, team)
    other = factories.team(name="Search")
    factories.membership(person, other)
    assert membership.member_team_ids(person) == {department.pk, other.pk}
    person.memberships.get(team=department).delete()
    assert not membership.leads_team(person, team)


def test_the_sessions_list_shows_what_a_session_page_lets_a_lead_open(chart):
    division, _, team = chart
    member = factories.person()
    factories.membership(member, team)
    session = reflection_services.create_session(
        by=member, team=team, template=reflection_services.builtin_template("start-stop-continue"), title="Retro")
    lead = factories.person()
    factories.membership(lead, division, role="facilitator")
    assert can_view_session(lead, session)
    assert list(reflection_selectors.sessions_for(lead)) == [session]
    outsider = factories.person()
    assert not can_view_session(outsider, session)
    assert list(reflection_selectors.sessions_for(outsider)) == []
