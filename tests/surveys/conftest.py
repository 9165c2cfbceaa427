"""A small organization with a survey: Engineering (Payments 6, Platform 6, Search 2) and Sales (7).

`run_campaign` launches a campaign through the services, answers it through the single-use
links and closes it, so tests see exactly what a viewer would.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.utils import timezone

from learnloop.surveys import services
from learnloop.surveys.models import Instrument, Invitation
from learnloop.surveys.tokens import token_for
from tests import factories

TEAM_SIZES = {"Payments": 6, "Platform": 6, "Search": 2, "Sales": 7}


@dataclass
class SurveyOrg:
    admin: object
    lead: object  # facilitator of Payments
    teams: dict
    people: dict = field(default_factory=dict)  # team name -> people


@pytest.fixture
def survey_org(db):
    factories.organization(anonymity_threshold=5)
    admin = factories.person(email="ada.admin@example.org", full_name="Ada Admin", role="admin")
    engineering = factories.team(name="Engineering", kind="department")
    sales = factories.team(name="Sales", kind="department")
    teams = {"Engineering": engineering, "Sales": sales}
    for name in ("Payments", "Platform", "Search"):
        teams[name] = factories.team(name=name, parent=engineering)
    org = SurveyOrg(admin=admin, lead=None, teams=teams)
    for name, size in TEAM_SIZES.items():
        org.people[name] = []
        for number in range(size):
            person = factories.person(full_name=f"{name} person {number}")
            role = "facilitator" if name == "Payments" and number == 0 else "member"
            factories.membership(person, teams[name], role=role)
            org.people[name].append(person)
    org.lead = org.people["Payments"][0]
    services.install_built_in_instruments()
    return org


def answer_all(instrument: Instrument, rng: random.Random, *, level: int = 3, outcome: int | None = None) -> dict:
    answers = {}
    for item in instrument.items.exclude(kind="comment"):
        if item.kind == "outcome":
            answers[item.key] = outcome if outcome is not None else rng.randint(0, 10)
        else:
            value = max(instrument.scale_min, min(instrument.scale_max, level + rng.choice([-1, 0, 0, 1])))
            answers[item.key] = instrument.scale_min + instrument.scale_max - value if item.reverse_keyed else value
    return answers


def run_campaign(org, *, slug="pulse", name="Spring pulse", responders=None, close=True, comments=None, seed=1,
                 levels=None, teams=()):
    """Launch, answer (everyone by default, or the people given) and close. Returns the campaign."""
    instrument = Instrument.objects.get(slug=slug)
    today = timezone.localdate()
    campaign = services.create_campaign(
        by=org.admin, name=name, instrument=instrument, opens_on=today, closes_on=today + timedelta(days=14),
        teams=teams, whole_organization=not teams,
    )
    services.launch_campaign(by=org.admin, campaign=campaign)
    rng = random.Random(seed)
    everyone = [person for people in org.people.values() for person in people]
    chosen = everyone if responders is None else responders
    team_of = {person.pk: team for team, people in org.people.items() for person in people}
    for person in chosen:
        invitation = Invitation.objects.get(campaign=campaign, person=person)
        level = (levels or {}).get(team_of.get(person.pk), 3)
        services.submit_response(
            token=token_for(invitation), answers=answer_all(instrument, rng, level=level),
            comment=(comments or {}).get(person.pk, ""),
        )
    if close:
        return services.close_campaign(by=org.admin, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def today() -> date:
    return timezone.localdate()
