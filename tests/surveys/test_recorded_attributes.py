"""Campaigns record the attributes chosen at launch (the organization's own too), generalized so that
no stored combination covers fewer than k invitees, or k respondents once closed, and reports cut
by them. Campaigns launched before attributes could be chosen keep working."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.org import attribute_services
from learnloop.surveys import disclosure_gate, services
from learnloop.surveys.attributes import NOT_RECORDED
from learnloop.surveys.models import Campaign, Instrument, Invitation, Response
from learnloop.surveys.tokens import token_for
from tests import factories
from tests.conftest import signed_in_client
from tests.surveys.conftest import answer_all, run_campaign
from tests.surveys.test_attribute_linkage import invitee_records, linked_by_attributes, stored_with_responses

pytestmark = pytest.mark.django_db


@pytest.fixture
def located(survey_org):
    """Everyone works in Rotterdam or Lisbon by team, except one Sales person: the only one in Nairobi."""
    attribute_services.create_attribute(by=survey_org.admin, key="location", name="Location",
                                        values=["Rotterdam", "Lisbon", "Nairobi"])
    attribute_services.create_attribute(by=survey_org.admin, key="age_band", name="Age band", ordered=True,
                                        values=["under 30", "30–49", "50 and over"])
    for team, people in survey_org.people.items():
        for number, person in enumerate(people):
            location = "Lisbon" if team == "Sales" else "Rotterdam"
            if team == "Sales" and number == 0:
                location = "Nairobi"
            values = {"location": location, "age_band": ["under 30", "30–49", "50 and over"][number % 3]}
            attribute_services.set_person_attributes(by=survey_org.admin, person=person, values=values)
    survey_org.loner = survey_org.people["Sales"][0]
    return survey_org


def _draft(org, name="Attributes pulse"):
    today = timezone.localdate()
    return services.create_campaign(by=org.admin, name=name, instrument=Instrument.objects.get(slug="pulse"),
                                    opens_on=today, closes_on=today + timedelta(days=14))


def _answer(campaign, people, seed=3):
    rng = random.Random(seed)
    for person in people:
        invitation = Invitation.objects.get(campaign=campaign, person=person)
        services.submit_response(token=token_for(invitation), answers=answer_all(campaign.instrument, rng))


def _everyone(org):
    return [person for people in org.people.values() for person in people]


def test_launch_records_the_chosen_attributes_in_the_given_order(located):
    campaign = _draft(located)
    services.launch_campaign(by=located.admin, campaign=campaign, attributes_to_record=["location", "tenure"])
    campaign.refresh_from_db()
    assert [key for key, _ in disclosure_gate.recorded(campaign)] == ["location", "tenure"]
    invitation = Invitation.objects.get(campaign=campaign, person=located.loner)
    assert invitation.attributes == {"location": "Nairobi"}  # tenure and role stay in their columns
    _answer(campaign, _everyone(located))
    assert all(row["location"] in ("Rotterdam", "Lisbon", NOT_RECORDED)
               for row in Response.objects.filter(campaign=campaign).values_list("attributes", flat=True))
    assert set(Response.objects.filter(campaign=campaign).values_list("role", flat=True)) == {NOT_RECORDED}


def test_the_only_person_in_nairobi_cannot_be_singled_out(located):
    campaign = _draft(located)
    services.launch_campaign(by=located.admin, campaign=campaign,
                             attributes_to_record=["tenure", "role", "location", "age_band"])
    _answer(campaign, _everyone(located))
    campaign = services.close_campaign(by=located.admin, campaign=Campaign.objects.get(pk=campaign.pk))
    # Nothing stored says Nairobi, and no released group is cut by it.
    stored = Response.objects.filter(campaign=campaign).values_list("attributes", flat=True)
    assert not any("Nairobi" in row.values() for row in stored)
    assert not any("Nairobi" in key for key in campaign.release)
    # With every table in hand, no response points at one invitee (or one respondent).
    assert linked_by_attributes(campaign) == 0
    assert linked_by_attributes(campaign, only_answered=True) == 0


@pytest.mark.parametrize("seed", range(3))
def test_no_stored_combination_covers_fewer_than_k_at_launch_or_close(located, seed):
    rng = random.Random(seed)
    campaign = _draft(located)
    services.launch_campaign(by=located.admin, campaign=campaign,
                             attributes_to_record=rng.sample(["tenure", "role", "location", "age_band"], 3))
    campaign.refresh_from_db()
    k = campaign.threshold
    invitees = Counter(record for _, record, _ in invitee_records(campaign))
    assert min(invitees.values()) >= k
    responders = rng.sample(_everyone(located), 15)
    _answer(campaign, responders, seed=seed)
    campaign = services.close_campaign(by=located.admin, campaign=Campaign.objects.get(pk=campaign.pk))
    respondents = Counter(record for _, record, answered in invitee_records(campaign) if answered)
    stored = Counter(stored_with_responses(campaign))
    assert stored == respondents  # each response carries its respondent's generalized record
    assert min(stored.values()) >= k


def test_reports_cut_by_an_organization_attribute(located):
    campaign = _draft(located)
    services.launch_campaign(by=located.admin, campaign=campaign, attributes_to_record=["location"])
    _answer(campaign, _everyone(located))
    campaign = services.close_campaign(by=located.admin, campaign=Campaign.objects.get(pk=campaign.pk))
    key = disclosure_gate.GroupKey("org", (("location", "Rotterdam"),))
    decision = disclosure_gate.released_group(campaign, key, viewer=located.admin)
    assert decision is not None
    assert len(disclosure_gate.responses_in(campaign, key)) == decision["size"]
    page = signed_in_client(located.admin).get(f"/surveys/campaigns/{campaign.pk}/report/?group=org")
    assert "By location" in page.content.decode()


def test_unknown_attributes_are_refused_and_the_campaign_stays_a_draft(located, api_as):
    campaign = _draft(located)
    response = api_as(located.admin).post(f"/api/v1/surveys/campaigns/{campaign.pk}/launch",
                                          {"attributes": ["location", "shoe_size"]}, content_type="application/json")
    assert response.status_code == 400
    assert "shoe_size" in response.json()["errors"]["attributes"][0]
    client = signed_in_client(located.admin)
    client.post(f"/surveys/campaigns/{campaign.pk}/launch/", {"choosing_attributes": "1", "attributes": ["nope"]})
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"


def test_web_and_api_launches_record_the_same(located, api_as):
    by_api, by_web = _draft(located, "By API"), _draft(located, "By web")
    chosen = ["tenure", "location", "age_band"]
    response = api_as(located.admin).post(f"/api/v1/surveys/campaigns/{by_api.pk}/launch",
                                          {"attributes": chosen}, content_type="application/json")
    assert response.status_code == 200
    client = signed_in_client(located.admin)
    page = client.get(f"/surveys/campaigns/{by_web.pk}/")
    assert 'value="location"' in page.content.decode()
    client.post(f"/surveys/campaigns/{by_web.pk}/launch/", {"choosing_attributes": "1", "attributes": chosen})
    by_api, by_web = Campaign.objects.get(pk=by_api.pk), Campaign.objects.get(pk=by_web.pk)
    assert by_web.status == "open"
    assert by_api.generalization["cells"] == by_web.generalization["cells"]
    assert by_api.generalization["attributes"] == by_web.generalization["attributes"]
    shown = api_as(located.admin).get(f"/api/v1/surveys/campaigns/{by_web.pk}").json()
    assert shown["attributes"] == chosen


def test_a_launch_without_a_choice_records_tenure_and_role(located, api_as):
    campaign = _draft(located)
    # An empty body, as `curl -X POST` sends, is what API clients did before attributes could be chosen.
    response = api_as(located.admin).generic("POST", f"/api/v1/surveys/campaigns/{campaign.pk}/launch")
    assert response.status_code == 200, response.content
    campaign.refresh_from_db()
    assert [key for key, _ in disclosure_gate.recorded(campaign)] == ["tenure", "role"]
    assert Invitation.objects.filter(campaign=campaign).exclude(attributes={}).count() == 0


def _strip_to_old_format(campaign):
    """Make a campaign look like one launched before attributes could be chosen."""
    for key in ("attributes", "ordered"):
        campaign.generalization.pop(key)
    campaign.save(update_fields=["generalization"])


def test_campaigns_launched_before_this_change_still_answer_close_and_report(located):
    current = run_campaign(located, name="Current", seed=5)
    old = run_campaign(located, name="Old", close=False, seed=5)
    _strip_to_old_format(old)
    old = services.close_campaign(by=located.admin, campaign=Campaign.objects.get(pk=old.pk))
    assert disclosure_gate.recorded(old) == [("tenure", "Tenure"), ("role", "Role")]
    assert old.release == current.release
    assert all(row == {} for row in Response.objects.filter(campaign=old).values_list("attributes", flat=True))
    key = disclosure_gate.GroupKey("org", (("tenure", "1 year or more"),))
    assert disclosure_gate.responses_in(old, key) == disclosure_gate.responses_in(current, key)


def test_a_campaign_launched_before_generalization_keeps_its_stored_values(located):
    campaign = run_campaign(located, name="Ancient", close=False)
    Campaign.objects.filter(pk=campaign.pk).update(generalization={})
    campaign = services.close_campaign(by=located.admin, campaign=Campaign.objects.get(pk=campaign.pk))
    assert campaign.release["org"]["released"]
    assert Response.objects.filter(campaign=campaign).count() == 21


def test_a_deleted_attribute_leaves_closed_campaigns_as_they_were(located):
    campaign = _draft(located)
    services.launch_campaign(by=located.admin, campaign=campaign, attributes_to_record=["location"])
    _answer(campaign, _everyone(located))
    campaign = services.close_campaign(by=located.admin, campaign=Campaign.objects.get(pk=campaign.pk))
    release = dict(campaign.release)
    from learnloop.org.models import PersonAttribute

    attribute_services.delete_attribute(by=located.admin, attribute=PersonAttribute.objects.get(key="location"))
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.release == release
    assert disclosure_gate.recorded(campaign) == [("location", "Location")]


def test_a_person_without_a_value_is_stored_as_not_recorded(located):
    newcomer = factories.person(full_name="New Person")
    factories.membership(newcomer, located.teams["Payments"])
    campaign = _draft(located)
    services.launch_campaign(by=located.admin, campaign=campaign, attributes_to_record=["location"])
    assert Invitation.objects.get(campaign=campaign, person=newcomer).attributes == {"location": NOT_RECORDED}


def test_report_figures_of_attribute_groups_come_from_the_right_respondents(located):
    """The report reads every released group's answers in one pass: for groups cut by the
    organization's own attributes it must find the same respondents as asking group by group."""
    campaign = _draft(located)
    services.launch_campaign(by=located.admin, campaign=campaign, attributes_to_record=["location", "tenure"])
    _answer(campaign, _everyone(located))
    campaign = services.close_campaign(by=located.admin, campaign=Campaign.objects.get(pk=campaign.pk))
    released = [key for key, decision in campaign.release.items() if decision["released"]]
    assert any("location=" in key for key in released)
    together = disclosure_gate.answers_by_group([campaign], {campaign.pk: released})[campaign.pk]
    for key in released:
        one_by_one = disclosure_gate.responses_in(campaign, disclosure_gate.GroupKey.parse(key))
        assert sorted(map(repr, together[key])) == sorted(map(repr, one_by_one)), key
        assert len(one_by_one) == campaign.release[key]["size"], key
