"""Builders for theme tests: two teams writing about the same problems in their own words."""

from datetime import date

import pytest

from tests import factories

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
          title: str | None = None):
    """A retro of the crew with these cards, written by its members in turn; returns the session."""
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
        cards.write_card(by=writer, session=session, column="stop", text=text,
                         writer_key=None if anonymity == "named" else keys[writer.pk])
    return session
