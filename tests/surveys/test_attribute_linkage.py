"""Someone holding the database tries to tie responses to people through the attributes stored with them.

The attacker reads every table: invitations (person, team, tenure band, role, answered or not),
the campaign (including how attributes were generalized at launch) and the responses. For each
response they list the invitees whose attributes, generalized the same way, equal the response's
stored ones; a response with exactly one such invitee is linked. Launch generalizes so that every
stored combination covers at least k invitees, so nobody is linked — in the demo organization and
in random ones.
"""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from learnloop.demo import build_demo
from learnloop.surveys import services
from learnloop.surveys.attributes import NOT_RECORDED, invitee_record, response_record, stored_record
from learnloop.surveys.models import Campaign, Invitation, Response
from learnloop.surveys.tokens import token_for
from tests import factories

pytestmark = pytest.mark.django_db


def invitee_records(campaign) -> list[tuple[int, tuple, bool]]:
    """(person, the record their answer would be stored with, answered) for every invitee, from the tables."""
    generalization = campaign.generalization
    rows = Invitation.objects.filter(campaign=campaign).values_list("person_id", "team_id", "tenure", "role",
                                                                     "attributes", "responded")
    return [(person, stored_record(generalization, *invitee_record(generalization, team, tenure, role, extra)),
             responded)
            for person, team, tenure, role, extra, responded in rows]


def stored_with_responses(campaign) -> list[tuple]:
    """The record each response carries, as the database holds it."""
    rows = Response.objects.filter(campaign=campaign).values_list("team_key", "tenure", "role", "attributes")
    return [response_record(campaign.generalization, *row) for row in rows]


def linked_by_attributes(campaign, *, only_answered: bool = False) -> int:
    """How many responses have exactly one candidate invitee with the same stored attributes."""
    candidates = Counter(record for _, record, responded in invitee_records(campaign)
                         if responded or not only_answered)
    return sum(1 for record in stored_with_responses(campaign) if candidates[tuple(record)] == 1)


def smallest_stored_combination(campaign, *, only_answered: bool = False) -> int:
    """The fewest invitees (or people who answered) any combination stored with a response covers."""
    people = Counter(record for _, record, responded in invitee_records(campaign) if responded or not only_answered)
    return min(people[tuple(record)] for record in set(stored_with_responses(campaign)))


def test_every_response_is_stored_with_its_invitees_generalized_record(survey_org):
    from tests.surveys.conftest import run_campaign

    campaign = run_campaign(survey_org)
    expected = Counter(record for _, record, responded in invitee_records(campaign) if responded)
    stored = Counter(tuple(row) for row in Response.objects.filter(campaign=campaign)
                     .values_list("team_key", "tenure", "role"))
    assert stored == expected


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            build_demo(seed=42, only=("org", "surveys"))
            facts = []
            for campaign in Campaign.objects.order_by("opens_on"):
                generalization = campaign.generalization
                facts.append({
                    "name": campaign.name, "k": campaign.threshold,
                    "invited": campaign.invitations.count(), "responses": campaign.responses.count(),
                    "smallest": smallest_stored_combination(campaign),
                    "linked": linked_by_attributes(campaign),
                    "linked_among_answered": linked_by_attributes(campaign, only_answered=True),
                    "smallest_answered": smallest_stored_combination(campaign, only_answered=True),
                    "merged": generalization["merged"], "suppressed": generalization["suppressed"],
                    "merged_at_close": generalization["at_close"]["merged"],
                    "suppressed_at_close": generalization["at_close"]["suppressed"],
                    "groups": len(campaign.release),
                    "values": generalization["values"], "teams_folded": len(generalization["teams"]),
                    "released": sum(1 for decision in campaign.release.values() if decision["released"]),
                })
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return facts


def test_demo_stores_no_combination_below_k_and_links_nobody(demo):
    for campaign in demo:
        print(campaign)  # the figures reported in docs/surveys.md (run with -s)
        assert campaign["smallest"] >= campaign["k"], campaign["name"]
        assert campaign["linked"] == 0, campaign["name"]
        assert campaign["smallest_answered"] >= campaign["k"], campaign["name"]
        assert campaign["linked_among_answered"] == 0, campaign["name"]
        # Tenure survives in the demo: reports can still cut by it.
        assert campaign["values"]["tenure"], campaign["name"]
        assert campaign["released"] > 1, campaign["name"]


def test_the_demos_latest_campaign_records_the_organizations_attributes(demo):
    earlier, latest = demo[:-1], demo[-1]
    assert all(set(campaign["values"]) == {"tenure", "role"} for campaign in earlier)
    assert set(latest["values"]) == {"location", "tenure", "age_band", "employment_type", "role"}
    # Teams mostly sit in one office, so location survives where enough people share it.
    assert "Rotterdam" in latest["values"]["location"]


def _random_organization(rng: random.Random, seed: int):
    """A few hundred people in departments and teams of very different sizes and make-ups."""
    factories.organization(anonymity_threshold=rng.choice([3, 4, 5, 7]))
    admin = factories.person(role="admin")
    now = timezone.now()
    tenure_mix = rng.choice([(1, 1, 1), (6, 2, 1), (1, 2, 8), (1, 0.1, 1)])
    # A few people in no team, like the admin.
    for _ in range(rng.randint(0, 3)):
        factories.person()
    for number in range(rng.randint(2, 5)):
        department = factories.team(name=f"D{seed}-{number}", kind="department")
        for _ in range(rng.randint(0, 3)):  # people placed in the department itself
            factories.membership(factories.person(), department)
        for team_number in range(rng.randint(1, 8)):
            team = factories.team(name=f"T{seed}-{number}-{team_number}", parent=department)
            size = rng.choice([1, 2, 3, 4, 6, 9, 14, 25])
            for position in range(size):
                days = rng.choices([100, 700, 2000], weights=tenure_mix)[0] + rng.randint(0, 200)
                person = factories.person(date_joined=now - timedelta(days=days))
                lead = (position == 0 and rng.random() < 0.8) or rng.random() < 0.05
                factories.membership(person, team, role="facilitator" if lead else "member")
    return admin


@pytest.mark.parametrize("seed", range(4))
def test_random_organizations_store_no_combination_below_k(db, seed):
    from learnloop.surveys.models import Instrument

    rng = random.Random(seed)
    admin = _random_organization(rng, seed)
    services.install_built_in_instruments()
    today = timezone.localdate()
    campaign = services.create_campaign(by=admin, name=f"Random {seed}", instrument=Instrument.objects.get(
        slug="pulse"), opens_on=today, closes_on=today + timedelta(days=7))
    services.launch_campaign(by=admin, campaign=campaign)
    campaign.refresh_from_db()
    invitations = list(Invitation.objects.filter(campaign=campaign))
    assert len(invitations) >= 100
    every_record = Counter(record for _, record, _ in invitee_records(campaign))
    assert min(every_record.values()) >= campaign.threshold
    items = list(campaign.instrument.items.exclude(kind="comment"))
    response_rate = rng.choice([0.5, 0.8, 1.0])
    for invitation in invitations:
        if rng.random() < response_rate:
            answers = {item.key: 5 if item.kind == "outcome" else 3 for item in items}
            services.submit_response(token=token_for(invitation), answers=answers)
    assert linked_by_attributes(campaign) == 0
    assert smallest_stored_combination(campaign) >= campaign.threshold
    stored = set(Response.objects.filter(campaign=campaign).values_list("tenure", flat=True))
    assert stored <= {*campaign.generalization["values"]["tenure"], NOT_RECORDED}
    # Who answered is no secret (reminders need it): while the campaign is open, a combination
    # only one of whose invitees has answered still points at them. Closing re-stores the
    # attributes so each combination covers k people who answered.
    closed = services.close_campaign(by=admin, campaign=campaign)
    assert smallest_stored_combination(closed) >= closed.threshold
    assert smallest_stored_combination(closed, only_answered=True) >= closed.threshold
    assert linked_by_attributes(closed, only_answered=True) == 0
    # The reports work on the generalized values.
    assert closed.release["org"]["released"]
    assert all(decision["size"] >= closed.threshold for decision in closed.release.values() if decision["released"])
