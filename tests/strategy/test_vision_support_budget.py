"""A round's support budget is counted per person, so an anonymous round's supporter who drops
their writer key (a fresh key hashes differently) still can't support more than the budget,
while the support rows themselves stay unlinkable to the person."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from learnloop.strategy import vision
from learnloop.strategy.models import RoundParticipant, Support


@pytest.fixture
def anonymous_round(org):
    org_vision = vision.create_vision(by=org.lead, title="Harbour vision", draft="We learn in the open.")
    round_ = vision.open_round(by=org.lead, vision=org_vision, anonymous=True, support_budget=2)
    proposals = [vision.propose(by=org.members[number], round_=round_, kind="comment", text=f"Idea {number}",
                                writer_key=vision.new_key()) for number in range(3)]
    proposals.append(vision.propose(by=org.lead, round_=round_, kind="comment", text="Idea 3",
                                    writer_key=vision.new_key()))
    return org_vision, round_, proposals


def test_dropping_the_key_cannot_exceed_the_budget(org, anonymous_round):
    org_vision, round_, proposals = anonymous_round
    supporter = org.members[3]
    assert vision.support(by=supporter, proposal=proposals[0], writer_key=vision.new_key())
    assert vision.support(by=supporter, proposal=proposals[0], writer_key=vision.new_key())  # the key was dropped
    with pytest.raises(ValidationError, match="all 2 of your supports"):
        vision.support(by=supporter, proposal=proposals[1], writer_key=vision.new_key())
    assert Support.objects.filter(proposal__round=round_).count() == 2
    assert vision.rounds_of(supporter, org_vision)[0]["supports_left"] == 0
    assert vision.rounds_of(org.members[0], org_vision)[0]["supports_left"] == 2

    # On the page, a browser without its cookie gets a new key and is still held to the budget.
    client = Client()
    client.force_login(supporter)
    page = client.get(f"/strategy/vision/{org_vision.pk}/")
    assert "You may support 0 more proposals in this round (of 2)" in page.content.decode()
    client.cookies.clear()
    client.force_login(supporter)
    client.get(f"/strategy/vision/{org_vision.pk}/")  # hands out a fresh key
    refused = client.post(f"/strategy/vision/{org_vision.pk}/support/", {"proposal": str(proposals[2].pk)})
    assert "all 2 of your supports" in refused.content.decode()
    assert Support.objects.filter(proposal__round=round_).count() == 2

    # The API says what is left.
    api = Client()
    api.force_login(org.members[0])
    rounds = api.get(f"/api/v1/strategy/visions/{org_vision.pk}").json()["rounds"]
    assert (rounds[0]["support_budget"], rounds[0]["supports_left"]) == (2, 2)


def test_a_database_holder_cannot_link_a_support_to_a_person(org, anonymous_round):
    _, round_, proposals = anonymous_round
    for supporter, proposal in ((org.members[3], proposals[0]), (org.members[3], proposals[1]),
                                (org.outsider, proposals[0]), (org.facilitator, proposals[2])):
        vision.support(by=supporter, proposal=proposal, writer_key=vision.new_key())
    # Support rows: a random id, the proposal and a per-key, per-proposal hash; no person, no time.
    assert {field.name for field in Support._meta.fields} == {"id", "proposal", "voter_hash"}
    assert Support._meta.pk.get_internal_type() == "UUIDField"
    rows = list(Support.objects.filter(proposal__round=round_))
    assert len({row.voter_hash for row in rows}) == 4
    # The budget row counts per person and names no proposal or support, and no time.
    assert {field.name for field in RoundParticipant._meta.fields} == {"id", "round", "person", "supports_used"}
    assert dict(RoundParticipant.objects.filter(round=round_).values_list("person_id", "supports_used")) == {
        org.members[3].pk: 2, org.outsider.pk: 1, org.facilitator.pk: 1}
    if connection.vendor == "postgresql":
        # Every support re-inserts all the round's supports: the last supporter's budget row shares
        # its transaction id with every support row, not with the one they added.
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(DISTINCT s.xmin::text) FROM strategy_support s "
                           "JOIN strategy_proposal p ON p.id = s.proposal_id WHERE p.round_id = %s", [round_.pk])
            assert cursor.fetchone()[0] == 1
