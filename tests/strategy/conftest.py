"""Fixtures of the strategy tests: a department with one team whose actions are written by hand,
so a key result bound to a metric can be checked against the rows."""

from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests import factories


def moment(day):
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def org(db):
    from learnloop.actions.models import Action

    factories.organization()
    lead = factories.person(email="lena.lead@example.org", full_name="Lena Lead", role="learning_lead")
    department = factories.team(name="Operations", kind="department")
    crew = factories.team(name="Crew", parent=department)
    other = factories.team(name="Other", parent=department)
    facilitator = factories.person(email="fay@example.org", full_name="Fay Facilitator")
    factories.membership(facilitator, crew, role="facilitator")
    members = []
    for number in range(4):
        person = factories.person(email=f"crew{number}@example.org", full_name=f"Crew Member {number}")
        factories.membership(person, crew)
        members.append(person)
    outsider = factories.person(email="otto@example.org", full_name="Otto Outsider")
    factories.membership(outsider, other)
    today = timezone.localdate()

    def action(status, days_ago, *, due=None, team=crew):
        created = today - timedelta(days=days_ago)
        closed = created + timedelta(days=1) if status in ("done", "not_doing") else None
        return Action.objects.create(
            title=f"{status} {days_ago}", team=team, created_by=facilitator, created_at=moment(created),
            status=status, closed_at=moment(closed) if closed else None, due_on=due,
            effect="worked" if status == "done" else "", checked_at=moment(closed) if status == "done" else None,
            not_doing_reason="No time" if status == "not_doing" else "")

    # Completion rate over the last 90 days: done 2 / (done 2 + not doing 1) — the open action is
    # not yet due, so it doesn't count; the one from 200 days ago is outside the window.
    action("done", 10)
    action("done", 20)
    action("not_doing", 30)
    open_action = action("open", 5, due=today + timedelta(days=20))
    action("done", 200)
    action("not_doing", 15, team=other)
    return SimpleNamespace(lead=lead, department=department, crew=crew, other=other, facilitator=facilitator,
                           members=members, outsider=outsider, today=today, open_action=open_action)
