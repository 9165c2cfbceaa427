"""Small builders for test data. They write straight to the models; services are what tests test."""

import itertools

from django.test import Client
from django.utils.text import slugify

from learnloop.accounts.services import create_api_token
from learnloop.org.models import Membership, Organization, Person, Team

__all__ = ["create_api_token"]

_sequence = itertools.count(1)

PASSWORD = "correct horse battery staple"


def organization(**fields) -> Organization:
    org = Organization.current()
    for name, value in fields.items():
        setattr(org, name, value)
    org.save()
    return org


def person(*, email: str | None = None, full_name: str | None = None, role: str = "member",
           password: str | None = PASSWORD, **fields) -> Person:
    number = next(_sequence)
    person = Person(
        email=(email or f"person{number}@example.org").lower(),
        full_name=full_name or f"Person {number}",
        role=role,
        **fields,
    )
    person.set_password(password)
    person.save()
    return person


def team(*, name: str | None = None, kind: str = "team", parent: Team | None = None, **fields) -> Team:
    name = name or f"Team {next(_sequence)}"
    return Team.objects.create(name=name, slug=slugify(name), kind=kind, parent=parent, **fields)


def membership(person: Person, team: Team, role: str = "member") -> Membership:
    return Membership.objects.create(person=person, team=team, role=role)


class TokenClient(Client):
    """A test client that authenticates every request with a personal API token."""

    def __init__(self, token: str):
        super().__init__(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})


def token_client(person: Person) -> TokenClient:
    _, raw = create_api_token(person=person, name="tests")
    return TokenClient(raw)


def small_organization() -> tuple[dict, dict]:
    """Two teams under a department, each with a lead and three members and a little of everything
    (knowledge, a session with cards, actions, an experiment, an invitation), through the services:
    the base that tests make larger with `learnloop.demo.scale.replicate`.

    Returns ({"admin", "lead", "team", "members", "entry", "session", "experiment"}: objects,
    {"lead_id", "department_slug", ...}: what page paths need)."""
    from datetime import timedelta

    from django.utils import timezone

    from learnloop.accounts.services import create_api_token
    from learnloop.actions import services as actions
    from learnloop.experiments import services as experiments
    from learnloop.growth import services as growth
    from learnloop.knowledge import services as knowledge
    from learnloop.org.invitations import invite_person
    from learnloop.reflection import cards
    from learnloop.reflection import services as reflection
    from learnloop.reflection.writer_keys import new_key

    organization()
    admin = person(email="ada.admin@example.org", full_name="Ada Admin", role="admin")
    department = team(name="Engineering", kind="department")
    people = {"admin": admin}
    now = timezone.now()
    category = growth.create_category(by=admin, name="Engineering")
    skills = [growth.create_skill(by=admin, name="Release management", category=category, aliases="deploy, release"),
              growth.create_skill(by=admin, name="Rollbacks", category=category, aliases="rollback")]
    for number, name in enumerate(["Platform", "Payments"]):
        crew = team(name=name, parent=department)
        lead = person(email=f"lead{number}@example.org", full_name=f"Lee Lead {number}")
        membership(lead, crew, role="facilitator")
        members = []
        for index in range(3):
            member = person(email=f"m{number}-{index}@example.org", full_name=f"Max Member {number}{index}")
            membership(member, crew)
            members.append(member)
        people.setdefault("lead", lead)
        people.setdefault("team", crew)
        entry = knowledge.create_entry(
            by=lead, kind="lesson", title=f"Deploy on Fridays only with a rollback plan ({name})",
            body="We deploy small changes and keep the rollback one click away.", owner_team=crew,
            teams=[crew], tags=["deploy", "release"], review_interval_days=30,
            created_at=now - timedelta(days=60),
        )
        question = knowledge.create_entry(by=members[0], kind="question", title=f"How do we deploy hotfixes in {name}?",
                                          teams=[crew], tags=["deploy"])
        knowledge.add_answer(by=lead, question=question, body="Through the hotfix pipeline.")
        knowledge.give_feedback(by=members[1], entry=entry, helpful=True)
        people.setdefault("entry", entry)
        people.setdefault("members", members)
        session = reflection.create_session(by=lead, team=crew, template=reflection.builtin_template(
            "start-stop-continue"), title=f"{name} sprint retro")
        for someone in [lead, *members]:
            reflection.join_session(by=someone, session=session)
        session = reflection.set_phase(by=lead, session=session, phase="reflect")
        column = session.template.columns[0]["key"]
        for writer in members:
            cards.write_card(by=writer, session=session, column=column, text=f"More pairing, says {writer.pk}",
                             writer_key=new_key())
        people.setdefault("session", session)
        reflection.create_template(by=lead, name=f"{name} incident review", scope="team", team=crew,
                                   columns=[{"title": "What happened"}])
        for index in range(2):
            done = actions.create_action(by=lead, title=f"Write the rollback runbook {index}", team=crew,
                                         owner=members[index])
            actions.complete_action(by=members[index], action=done, effect="worked", evidence="No failed deploys.")
        actions.create_action(by=lead, title="Try a no-meeting Wednesday", team=crew, owner=lead,
                              due_on=(now + timedelta(days=7)).date())
        experiment = experiments.register_experiment(
            by=lead, team=crew, title=f"One-page checkout ({name})", change="a one-page checkout",
            effect="more completed orders", population="returning web customers",
            success_metric="checkout conversion", expected_delta="+2%", variants=["Control", "One page"],
            primary_metric={"name": "checkout conversion", "metric_type": "binomial"}, guardrails=[],
            planned_sample_per_variant=1000, stopping_rule="Stop at 1,000 users per variant.",
        )
        people.setdefault("experiment", experiment)
        invite_person(by=admin, email=f"new.hire{number}@example.org", full_name="New Hire", team=crew)
        for someone in [lead, *members]:  # growth: ratings, a need, a plan, a path, a mentoring pair
            growth.rate(by=someone, person=someone, skill=skills[0], level=3, note="Ships weekly")
            if someone != lead:
                growth.rate(by=lead, person=someone, skill=skills[1], level=2)
        growth.set_need(by=lead, team=crew, skill=skills[1], level=3, people=2)
        plan = growth.create_plan(by=lead, person=members[0], title=f"Release lead ({name})")
        goal = growth.add_goal(by=lead, plan=plan, skill=skills[1], target_level=4)
        path = growth.create_path(by=lead, title=f"Release basics ({name})", skill=skills[1], target_level=3)
        step = growth.add_step(by=lead, path=path, kind="entry", entry=entry)
        growth.add_step(by=lead, path=path, kind="book", title="Release It!")
        growth.complete_step(by=members[0], step=step)
        growth.add_activity(by=lead, plan=plan, kind="path", path=path, goal=goal,
                            due_on=(now + timedelta(days=30)).date())
        growth.check_in(by=lead, plan=plan, note="Started the path.")
        pair = growth.start_pair(by=admin, mentor=lead, mentee=members[1], goals="Run a release alone")
        growth.add_note(by=lead, pair=pair, body="Walked through the rollback.")
        people.setdefault("growth", {"plan": plan, "path": path, "pair": pair, "member": members[0]})
    create_api_token(person=admin, name="laptop")
    ids = {
        "lead_id": people["lead"].pk, "department_slug": department.slug, "entry_id": people["entry"].pk,
        "team_id": people["team"].pk, "experiment_id": people["experiment"].pk, "session_id": people["session"].pk,
        "team_slug": people["team"].slug,
        "plan_id": people["growth"]["plan"].pk, "path_id": people["growth"]["path"].pk,
        "pair_id": people["growth"]["pair"].pk, "growth_member_id": people["growth"]["member"].pk,
    }
    return people, ids
