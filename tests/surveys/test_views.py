import random
import re

import pytest

from learnloop.actions.models import Action
from learnloop.ops.worker import Worker
from learnloop.surveys.models import Campaign, Instrument, Invitation, Response
from learnloop.surveys.tokens import token_for
from tests.conftest import signed_in_client
from tests.surveys.conftest import answer_all, run_campaign, today


def test_instruments_page_lists_the_built_ins(survey_org):
    page = signed_in_client(survey_org.lead).get("/surveys/instruments/")
    body = page.content.decode()
    for name in ("Learning organization diagnostic", "Team psychological safety", "Learning pulse"):
        assert name in body


def test_import_form_shows_what_is_wrong(survey_org):
    client = signed_in_client(survey_org.admin)
    page = client.post("/surveys/instruments/import/", {"source": "slug: Bad Slug\n"})
    assert page.status_code == 400 and "lowercase letters" in page.content.decode()
    assert signed_in_client(survey_org.lead).post("/surveys/instruments/import/", {"source": "x"}).status_code == 403


@pytest.mark.django_db(transaction=True)  # the worker checks its connection as in production
def test_campaign_from_form_to_closed(survey_org):
    client = signed_in_client(survey_org.admin)
    pulse = Instrument.objects.get(slug="pulse")
    page = client.post("/surveys/campaigns/new/", {
        "name": "Pulse", "instrument": pulse.pk, "whole_organization": "on",
        "opens_on": today().isoformat(), "closes_on": today().isoformat(),
    })
    campaign = Campaign.objects.get(name="Pulse")
    assert page.status_code == 302
    client.post(f"/surveys/campaigns/{campaign.pk}/launch/")
    detail = client.get(f"/surveys/campaigns/{campaign.pk}/").content.decode()
    assert "0 of 22 answered" in detail
    client.post(f"/surveys/campaigns/{campaign.pk}/close/")
    assert Campaign.objects.get(pk=campaign.pk).status == "closing"
    Worker(worker_id="test-worker", batch=True).run()
    assert Campaign.objects.get(pk=campaign.pk).status == "closed"


def test_campaign_dates_are_checked(survey_org):
    page = signed_in_client(survey_org.admin).post("/surveys/campaigns/new/", {
        "name": "Backwards", "instrument": Instrument.objects.get(slug="pulse").pk, "whole_organization": "on",
        "opens_on": "2026-05-10", "closes_on": "2026-05-01",
    })
    assert page.status_code == 400 and "on or after" in page.content.decode()


def test_responding_through_the_link(survey_org, client):
    campaign = run_campaign(survey_org, responders=[], close=False)
    token = token_for(Invitation.objects.get(campaign=campaign, person=survey_org.lead))
    url = f"/surveys/respond/{token}/"
    assert "This month I felt able" in client.get(url).content.decode()
    answers = answer_all(campaign.instrument, random.Random(3))
    incomplete = dict(answers)
    incomplete.pop("pulse_time")
    page = client.post(url, incomplete)
    assert page.status_code == 400 and "Choose an answer" in page.content.decode()
    assert client.post(url, answers).status_code == 200
    assert Response.objects.filter(campaign=campaign).count() == 1
    assert client.get(url).status_code == 410


def test_report_page_heatmap_focus_and_trend(survey_org):
    levels = {"Payments": 2, "Platform": 4, "Sales": 4, "Search": 3}
    first = run_campaign(survey_org, slug="learning-organization", name="Diagnostic 1", levels=levels)
    lead = signed_in_client(survey_org.lead)
    payments = survey_org.teams["Payments"]
    page = lead.get(f"/surveys/campaigns/{first.pk}/report/?group={payments.pk}").content.decode()
    assert 'id="heatmap"' in page and re.search(r'<td class="score heat-([0-9]|1[0-9]|20)"', page)
    assert "Payments" in page and "95% interval" in page and "weak" in page
    response = lead.post(f"/surveys/campaigns/{first.pk}/focus/",
                         {"team": payments.pk, "dimension": "time", "owner": survey_org.lead.pk})
    assert response.status_code == 302
    action = Action.objects.get(source_type="surveys.focus_area")
    assert action.team == payments
    second = run_campaign(survey_org, slug="learning-organization", name="Diagnostic 2",
                          levels={**levels, "Payments": 4}, seed=2)
    trend = lead.get(f"/surveys/trends/?team={payments.pk}").content.decode()
    assert "Diagnostic 1" in trend and "Diagnostic 2" in trend and action.title in trend
    assert second.pk


def test_trends_of_an_unseen_team_are_not_found(survey_org):
    run_campaign(survey_org)
    sales = survey_org.teams["Sales"]
    assert signed_in_client(survey_org.lead).get(f"/surveys/trends/?team={sales.pk}").status_code == 404


def test_bad_values_in_survey_forms_get_a_message_not_a_500(survey_org):
    admin = signed_in_client(survey_org.admin)
    page = admin.post("/surveys/threshold/", {"k": "five"}, follow=True).content.decode()
    assert "k must be a whole number." in page
    page = admin.post("/surveys/threshold/", {"k": str(10**40)}, follow=True)
    assert page.status_code == 200
    from learnloop.org.models import Organization
    assert Organization.current().anonymity_threshold == 5
    campaign = run_campaign(survey_org, slug="learning-organization", name="Diagnostic",
                            levels={"Payments": 2, "Platform": 4, "Sales": 4, "Search": 3})
    lead = signed_in_client(survey_org.lead)
    for team in ("payments", "", str(10**30)):
        response = lead.post(f"/surveys/campaigns/{campaign.pk}/focus/", {"team": team, "dimension": "time"},
                             follow=True)
        assert response.status_code == 200 and "Choose one of your teams." in response.content.decode(), team
    assert not Action.objects.filter(source_type="surveys.focus_area").exists()


def test_a_response_with_a_nul_in_an_answer_is_refused_on_that_question(survey_org, client):
    campaign = run_campaign(survey_org, responders=[], close=False)
    token = token_for(Invitation.objects.get(campaign=campaign, person=survey_org.lead))
    answers = answer_all(campaign.instrument, random.Random(3))
    answers["pulse_time"] = "4\x00"
    page = client.post(f"/surveys/respond/{token}/", answers)
    assert page.status_code == 400 and "NUL character" in page.content.decode()
    assert not Response.objects.filter(campaign=campaign).exists()
