"""Fixtures of the insights tests.

Metrics: a small organization whose learning loop is written by hand (rows, not services), so the
metrics tests can state every expected value from the rows below.
Themes: two teams writing about the same problems in their own words."""

from datetime import date, datetime, time
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests import factories

SINCE, UNTIL, TODAY = date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 10)


def moment(day: date):
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def loop(db):
    from learnloop.actions.models import Action
    from learnloop.experiments.models import Experiment, ExperimentLesson
    from learnloop.knowledge.models import Application, Entry
    from learnloop.reflection import services as reflection
    from learnloop.reflection.models import Card, Lesson, Session

    factories.organization()  # anonymity threshold 5
    learning_lead = factories.person(email="lena.lead@example.org", full_name="Lena Learning", role="learning_lead")
    department = factories.team(name="Engineering", kind="department")
    payments = factories.team(name="Payments", parent=department)
    platform = factories.team(name="Platform", parent=department)
    dept_lead = factories.person(email="dana.dept@example.org", full_name="Dana Department")
    factories.membership(dept_lead, department, role="facilitator")
    payments_lead = factories.person(email="pat.payments@example.org", full_name="Pat Payments")
    factories.membership(payments_lead, payments, role="facilitator")
    payments_members = []
    for number in range(4):  # five people: at the threshold, so Payments is compared
        person = factories.person(email=f"pay{number}@example.org", full_name=f"Pay Member {number}")
        factories.membership(person, payments)
        payments_members.append(person)
    platform_member = factories.person(email="plato@example.org", full_name="Plato Platform")
    factories.membership(platform_member, platform)  # one person: below the threshold

    template = reflection.builtin_template("start-stop-continue")
    session = Session.objects.create(team=payments, template=template, title="January retro",
                                     facilitator=payments_lead, held_on=date(2025, 1, 10))
    for number, author in enumerate([payments_lead, payments_members[0], None, None]):
        Card.objects.create(session=session, column="start", text=f"Card {number}", author=author,
                            writer_hash="" if author else f"{number}" * 64, shuffle_key=number)

    def action(team, status, created, closed=None, due=None, effect="", source=None):
        return Action.objects.create(
            title=f"{status} {created}", team=team, created_by=payments_lead, created_at=moment(created),
            status=status, closed_at=moment(closed) if closed else None, due_on=due, effect=effect,
            checked_at=moment(closed) if effect else None, not_doing_reason="No time" if status == "not_doing" else "",
            source_type="reflection.session" if source else "", source_id=str(source.pk) if source else "")

    action(payments, "done", date(2025, 1, 12), date(2025, 1, 22), effect="worked", source=session)  # 10 days
    action(payments, "done", date(2025, 2, 1), date(2025, 2, 21), effect="did_not_work")  # 20 days
    action(payments, "open", date(2025, 2, 10), due=date(2025, 3, 1))  # overdue on 10 April
    action(payments, "not_doing", date(2025, 1, 10), date(2025, 1, 11))
    action(payments, "done", date(2024, 12, 1), date(2024, 12, 5), effect="worked")  # before the period
    action(platform, "done", date(2025, 3, 1), date(2025, 3, 11), effect="worked")  # 10 days

    def entry(kind, title, created, review_due):
        return Entry.objects.create(kind=kind, title=title, body="b", author=payments_lead, owner_team=payments,
                                    created_at=moment(created), updated_at=moment(created),
                                    last_verified_at=moment(created), review_due_at=moment(review_due))

    applied = entry("lesson", "Pair on risky migrations", date(2025, 1, 13), date(2025, 7, 13))
    entry("lesson", "Write the rollback first", date(2025, 2, 20), date(2025, 8, 20))
    entry("playbook", "Release checklist", date(2024, 6, 1), date(2025, 1, 1))  # stale by 31 March
    Lesson.objects.create(session=session, entry=applied, promoted_on=date(2025, 1, 13))  # 3 days after
    Application.objects.create(entry=applied, person=payments_members[1], applied_on=date(2025, 2, 2))

    def experiment(title, ended, outcome):
        return Experiment.objects.create(
            title=title, team=payments, owner=payments_lead, change="c", effect="e", population="p",
            success_metric="m", expected_delta="+1%", status="concluded", decision="ship", outcome=outcome,
            started_on=date(2025, 1, 2), ended_on=ended, created_by=payments_lead)

    won = experiment("One-page checkout", date(2025, 2, 10), "won")
    experiment("Saved cards first", date(2025, 3, 5), "lost")
    ExperimentLesson.objects.create(experiment=won, entry=applied)
    return SimpleNamespace(
        learning_lead=learning_lead, department=department, payments=payments, platform=platform,
        dept_lead=dept_lead, payments_lead=payments_lead, payments_members=payments_members,
        platform_member=platform_member, session=session)


DEPLOY = [
    "Friday deploys broke production again",
    "The deploy on Friday broke production for an hour",
    "Deploys on Friday afternoon keep breaking production",
]
ONCALL = [
    "On-call pager alerts at night with no runbook",
    "The on-call pager woke us at night and the runbook was missing",
    "Night pager alerts for on-call without a runbook",
]
OTHER = ["Pairing on the billing refactor went well", "Great offsite lunch"]


@pytest.fixture
def crews(db):
    """Two teams with a lead and two members each, a learning lead and an outsider."""
    factories.organization()
    department = factories.team(name="Engineering", kind="department")
    people = {"learning": factories.person(email="lena@example.org", full_name="Lena Learning", role="learning_lead"),
              "outsider": factories.person(email="otto@example.org", full_name="Otto Outsider")}
    for name in ("Platform", "Payments"):
        crew = factories.team(name=name, parent=department)
        lead = factories.person(email=f"lead.{name.lower()}@example.org", full_name=f"Lee {name}")
        factories.membership(lead, crew, role="facilitator")
        members = []
        for index in range(2):
            member = factories.person(email=f"{name.lower()}{index}@example.org", full_name=f"Max {name} {index}")
            factories.membership(member, crew)
            members.append(member)
        people[name] = {"team": crew, "lead": lead, "members": members}
    return people


def retro(crew: dict, texts: list[str], *, anonymity: str = "named", held_on: date | None = None,
          title: str | None = None, column: str = "stop"):
    """A retro of the crew with these cards (in that column of Start, Stop, Continue), written by its
    members in turn; returns the session."""
    from learnloop.reflection import cards
    from learnloop.reflection import services as reflection
    from learnloop.reflection.writer_keys import new_key

    lead = crew["lead"]
    session = reflection.create_session(by=lead, team=crew["team"], template=reflection.builtin_template(
        "start-stop-continue"), title=title or f"{crew['team'].name} retro", anonymity=anonymity,
        held_on=held_on)
    for person in [lead, *crew["members"]]:
        reflection.join_session(by=person, session=session)
    session = reflection.set_phase(by=lead, session=session, phase="reflect")
    writers = [lead, *crew["members"]]
    keys = {person.pk: new_key() for person in writers}
    for index, text in enumerate(texts):
        writer = writers[index % len(writers)]
        cards.write_card(by=writer, session=session, column=column, text=text,
                         writer_key=None if anonymity == "named" else keys[writer.pk])
    return session
