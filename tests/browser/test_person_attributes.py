"""Walk-through: an admin defines a person attribute, records people's values, and launches a
campaign that records it; a member sees nobody's value."""

import pytest
from playwright.sync_api import expect

from learnloop.org.models import PersonAttribute, PersonAttributeValue
from learnloop.surveys import attributes
from learnloop.surveys.models import Campaign, Invitation
from tests.surveys.conftest import survey_org, today  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def test_define_an_attribute_and_launch_a_campaign_that_records_it(page_as, survey_org):  # noqa: F811
    page = page_as(survey_org.admin)
    page.goto("/people/")
    page.get_by_role("button", name="Person attributes").click()
    form = page.locator("#attribute-form")
    form.get_by_label("Key", exact=True).fill("location")
    form.get_by_label("Name", exact=True).fill("Location")
    form.get_by_label("Values", exact=True).fill("Rotterdam\nLisbon\nNairobi")
    form.get_by_role("button", name="Add attribute").click()
    expect(page.locator("#attributes")).to_contain_text("Rotterdam, Lisbon, Nairobi")
    attribute = PersonAttribute.objects.get(key="location")

    # One person's value through their page; the rest as HR would (through the service the CSV uses).
    loner = survey_org.people["Sales"][0]
    page.goto(f"/people/{loner.pk}/")
    page.get_by_role("button", name="Edit attributes").click()
    page.get_by_label("Location").select_option("Nairobi")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#person-attributes")).to_contain_text("Nairobi")
    for people in survey_org.people.values():
        for person in people:
            if person != loner:
                PersonAttributeValue.objects.create(person=person, attribute=attribute, value="Rotterdam")

    # A member looking at the same person sees no value.
    member_page = page_as(survey_org.people["Payments"][2])
    member_page.goto(f"/people/{loner.pk}/")
    expect(member_page.get_by_role("heading", level=1)).to_contain_text(loner.full_name)
    expect(member_page.locator("body")).not_to_contain_text("Nairobi")

    # The campaign records tenure, role and location.
    page.goto("/surveys/campaigns/new/")
    page.get_by_label("Name").fill("Located pulse")
    page.get_by_label("Instrument").select_option(label="Learning pulse")
    page.get_by_label("Opens on").fill(today().isoformat())
    page.get_by_label("Closes on").fill(today().isoformat())
    page.get_by_role("button", name="Create campaign").click()
    launch = page.locator("#launch-form")
    expect(launch.get_by_label("Tenure")).to_be_checked()
    expect(launch.get_by_label("Location")).not_to_be_checked()
    launch.get_by_label("Location").check()
    launch.get_by_role("button", name="Launch and invite").click()
    expect(page.locator("#recorded-attributes")).to_contain_text("Tenure, Role, Location")
    campaign = Campaign.objects.get(name="Located pulse")
    assert Invitation.objects.get(campaign=campaign, person=loner).attributes == {"location": "Nairobi"}
    # Launch already generalized: Nairobi (one person) is stored with nobody's answer; their
    # answer would carry their team's shared values, without the location that singles them out.
    invitation = Invitation.objects.get(campaign=campaign, person=loner)
    launched = campaign.generalization
    stored = attributes.stored_record(launched, *attributes.invitee_record(
        launched, invitation.team_id, invitation.tenure, invitation.role, invitation.attributes))
    assert "Nairobi" not in stored
    # Each cell maps a record as it was (first half) to the record stored (second half).
    assert not any("Nairobi" in row[len(row) // 2:] for row in launched["cells"])
