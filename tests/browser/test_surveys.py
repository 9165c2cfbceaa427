"""Walk-through: a campaign is created and launched, answered through a link, closed; a team
lead reads the report, picks a focus area (owned by them) that becomes an action, and the next
campaign shows the change on that dimension and proposes it as evidence on the action's check,
which the lead accepts."""

import random
import re

import pytest
from playwright.sync_api import expect

from learnloop.actions.models import Action
from learnloop.ops.worker import Worker
from learnloop.surveys import services
from learnloop.surveys.models import Campaign, Invitation
from learnloop.surveys.tokens import token_for
from tests.surveys.conftest import answer_all, run_campaign, survey_org, today  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def test_campaign_to_focus_area_to_remeasured_change(page_as, new_context, survey_org):  # noqa: F811
    admin_page = page_as(survey_org.admin)
    admin_page.goto("/surveys/campaigns/new/")
    admin_page.get_by_label("Name").fill("Spring diagnostic")
    admin_page.get_by_label("Instrument").select_option(label="Learning organization diagnostic")
    admin_page.get_by_label("Opens on").fill(today().isoformat())
    admin_page.get_by_label("Closes on").fill(today().isoformat())
    admin_page.get_by_role("button", name="Create campaign").click()
    admin_page.get_by_role("button", name="Launch and invite").click()
    expect(admin_page.locator("#participation")).to_contain_text("0 of 22 answered")
    campaign = Campaign.objects.get(name="Spring diagnostic")

    # Someone answers through their single-use link, without signing in.
    respondent = new_context().new_page()
    link = f"/surveys/respond/{token_for(Invitation.objects.get(campaign=campaign, person=survey_org.lead))}/"
    respondent.goto(link)
    for fieldset in respondent.locator("fieldset").all():
        fieldset.locator("input[type=radio]").nth(1).check()
    respondent.get_by_label(re.compile("What one change")).fill("More time to write things down.")
    respondent.get_by_role("button", name="Send my answers").click()
    expect(respondent.locator("#respond-message")).to_contain_text("without your name")
    respondent.goto(link)
    expect(respondent.locator("#respond-message")).to_contain_text("already been used")

    # Everyone else answers (through the same service the form uses), then the admin closes.
    rng = random.Random(5)
    levels = {"Payments": 2, "Platform": 4, "Sales": 4, "Search": 3}
    for team, people in survey_org.people.items():
        for person in people:
            if person == survey_org.lead:
                continue
            invitation = Invitation.objects.get(campaign=campaign, person=person)
            services.submit_response(token=token_for(invitation),
                                     answers=answer_all(campaign.instrument, rng, level=levels[team]))
    admin_page.reload()
    expect(admin_page.locator("#participation")).to_contain_text("21 of 22 answered")
    admin_page.get_by_role("button", name="Close campaign").click()
    # The close returns before the decision: answers have stopped, nothing is shown yet.
    expect(admin_page.locator("#campaign-status")).to_have_text("Closing")
    expect(admin_page.locator("#closing-progress")).to_contain_text("waiting for the background worker")
    lead_page = page_as(survey_org.lead)
    lead_page.goto(f"/surveys/campaigns/{campaign.pk}/report/")
    expect(lead_page.locator("#report-reason")).to_contain_text("closing")
    expect(lead_page.locator("#heatmap")).to_have_count(0)
    # The worker decides; the admin's page notices by itself (no reload) and offers the results.
    Worker(worker_id="browser-test", batch=True).run()
    expect(admin_page.locator("#campaign-status")).to_have_text("Closed")
    expect(admin_page.get_by_role("button", name="View results")).to_be_visible()

    # The lead reads the report: heatmap, their team, no tiny team, and picks a focus area.
    lead_page.goto(f"/surveys/campaigns/{campaign.pk}/report/")
    expect(lead_page.locator("#heatmap")).to_contain_text("Whole organization")
    expect(lead_page.locator("#heatmap")).not_to_contain_text("Search")
    # Cells are coloured by class from the static style sheet (no style="" under the CSP).
    cell = lead_page.locator("#heatmap td.score").first
    cell_colour = cell.evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert cell_colour not in {"rgba(0, 0, 0, 0)", "transparent"}
    lead_page.locator("#heatmap").get_by_role("link", name="Payments").click()
    expect(lead_page.locator("#detail-heading")).to_contain_text("Payments")
    expect(lead_page.locator("#scores")).to_contain_text("Time and resources for learning")
    lead_page.locator("#focus-form").get_by_label("Dimension").select_option(label="Time and resources for learning")
    # The owner is required; the lead choosing is proposed.
    expect(lead_page.locator("#focus-form").get_by_label("Owner")).to_have_value(str(survey_org.lead.pk))
    lead_page.get_by_role("button", name="Make it an action").click()
    expect(lead_page.get_by_role("status").first).to_contain_text("now works on Time and resources for learning")
    action = Action.objects.get(source_type="surveys.focus_area")

    # The next campaign: Payments has improved; the trend shows it next to the focus area.
    run_campaign(survey_org, slug="learning-organization", name="Autumn diagnostic",
                 levels={**levels, "Payments": 4}, seed=9)
    lead_page.goto(f"/surveys/trends/?team={survey_org.teams['Payments'].pk}")
    row = lead_page.locator("#trends tr[data-dimension=time]")
    expect(row).to_contain_text(action.title)
    cells = row.locator("td")
    before, after = float(cells.nth(0).inner_text()), float(cells.nth(1).inner_text())
    assert after > before
    assert action.owner == survey_org.lead
    expect(row.locator(".remeasure")).to_have_text(f"Autumn diagnostic: {before:.2f} → {after:.2f}")

    # The re-measure waits on the action's check as proposed evidence; the owner accepts it.
    row.get_by_role("link", name=action.title).click()
    proposal = lead_page.locator("#evidence-proposals")
    expect(proposal).to_contain_text(f"from {before:.2f}")
    expect(proposal).to_contain_text(f"to {after:.2f}")
    proposal.get_by_label("It worked").check()
    proposal.get_by_role("button", name="Accept as evidence and mark done").click()
    expect(lead_page.locator("#action-status")).to_contain_text("Done")
    expect(lead_page.locator("#effect-heading")).to_be_visible()
    expect(lead_page.locator("blockquote")).to_contain_text("Re-measured in Autumn diagnostic")
    expect(proposal).to_contain_text("Accepted by")
