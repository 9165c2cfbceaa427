"""Named advice questions ("whom do you go to for advice about X?"): answered apart from the
anonymous response, signed in, with consent; the respondent sees only their own answers; leads
(and the people named) can't read who named whom; the network uses the ties only as team flows of
at least k respondents."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from learnloop.network import services as network
from learnloop.surveys import advice, services
from learnloop.surveys.models import AdviceTie, Response
from learnloop.surveys.tokens import token_for
from tests import factories
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

INSTRUMENT = """
slug: advice-pulse
name: Advice pulse
scale: {minimum: 1, maximum: 5, labels: [a, b, c, d, e]}
dimensions:
  - key: sharing
    name: Sharing
    items:
      - {key: share, text: I learned from another team this month.}
advice:
  - {key: advice_deploys, text: "Whom do you go to for advice about deployments?"}
"""


@pytest.fixture
def campaign(survey_org):
    instrument = services.import_instrument(by=survey_org.admin, text=INSTRUMENT)
    today = timezone.localdate()
    campaign = services.create_campaign(by=survey_org.admin, name="Advice", instrument=instrument, opens_on=today,
                                        closes_on=today + timedelta(days=14))
    services.launch_campaign(by=survey_org.admin, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def test_advice_questions_are_not_in_the_anonymous_form_and_are_refused_there(survey_org, campaign):
    assert [item.key for item in services.questions_of(campaign.instrument)] == ["share"]
    invitation = campaign.invitations.get(person=survey_org.people["Sales"][0])
    with pytest.raises(ValidationError, match="named advice question"):
        services.submit_response(token=token_for(invitation), answers={"share": 4, "advice_deploys": 3})
    services.submit_response(token=token_for(invitation), answers={"share": 4})
    assert list(Response.objects.values_list("answers", flat=True)) == [{"share": 4}]
    assert not AdviceTie.objects.exists()


def test_names_need_consent_and_can_be_changed_and_withdrawn(survey_org, campaign):
    me, sales = survey_org.people["Payments"][1], survey_org.people["Sales"]
    with pytest.raises(ValidationError, match="Tick the box"):
        advice.save_answers(by=me, campaign=campaign, answers={"advice_deploys": [sales[0].pk]}, consent=False)
    for wrong in ({"advice_deploys": [me.pk]}, {"nope": [sales[0].pk]}, {"advice_deploys": "x"},
                  {"advice_deploys": [p.pk for p in sales] + [p.pk for p in survey_org.people["Platform"]]}):
        with pytest.raises(ValidationError):
            advice.save_answers(by=me, campaign=campaign, answers=wrong, consent=True)
    assert advice.save_answers(by=me, campaign=campaign, answers={"advice_deploys": [sales[0].pk, sales[1].pk]},
                               consent=True) == 2
    assert advice.own_answers(me, campaign) == {"advice_deploys": [sales[0].pk, sales[1].pk]}
    advice.save_answers(by=me, campaign=campaign, answers={"advice_deploys": [sales[2].pk]}, consent=True)
    assert advice.own_answers(me, campaign) == {"advice_deploys": [sales[2].pk]}
    assert advice.save_answers(by=me, campaign=campaign, answers={"advice_deploys": []}, consent=True) == 0
    assert not AdviceTie.objects.exists()


def test_only_invitees_answer_and_each_sees_only_their_own(survey_org, campaign, client):
    me, other = survey_org.people["Payments"][1], survey_org.people["Payments"][2]
    named = survey_org.people["Sales"][0]
    advice.save_answers(by=me, campaign=campaign, answers={"advice_deploys": [named.pk]}, consent=True)
    url = reverse("surveys:advice", args=[campaign.pk])
    page = signed_in_client(me).get(url)
    assert page.status_code == 200 and "not anonymous" in page.text
    assert f'value="{named.pk}" selected' in page.text
    # Another respondent's page shows their own (empty) answer, never mine.
    assert f'value="{named.pk}" selected' not in signed_in_client(other).get(url).text
    # The admin sees only their own answers too; someone not invited gets no page at all.
    assert f'value="{named.pk}" selected' not in signed_in_client(survey_org.admin).get(url).text
    newcomer = factories.person(full_name="Joined after the launch")
    assert signed_in_client(newcomer).get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        advice.own_answers(newcomer, campaign)
    response = signed_in_client(other).post(url, {"advice_deploys": [str(named.pk)], "consent": "on"})
    assert response.status_code == 302
    assert AdviceTie.objects.filter(respondent=other, adviser=named).exists()


def test_the_api_answers_with_your_own_advice_only(survey_org, campaign, api_as):
    me, other = survey_org.people["Payments"][1], survey_org.people["Payments"][2]
    named = survey_org.people["Sales"][0]
    url = f"/api/v1/surveys/campaigns/{campaign.pk}/advice"
    refused = api_as(me).put(url, {"answers": {"advice_deploys": [named.pk]}}, content_type="application/json")
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    saved = api_as(me).put(url, {"answers": {"advice_deploys": [named.pk]}, "consent": True},
                           content_type="application/json")
    assert saved.status_code == 200 and saved.json()["answers"] == {"advice_deploys": [named.pk]}
    assert [q["key"] for q in saved.json()["questions"]] == ["advice_deploys"]
    # Everyone else reads only their own answers: another respondent, the admin; a stranger gets 403.
    assert api_as(other).get(url).json()["answers"] == {"advice_deploys": []}
    assert api_as(survey_org.admin).get(url).json()["answers"] == {"advice_deploys": []}
    assert api_as(factories.person(full_name="Not invited")).get(url).status_code == 403
    withdrawn = api_as(me).put(url, {"answers": {"advice_deploys": []}}, content_type="application/json")
    assert withdrawn.status_code == 200 and not AdviceTie.objects.filter(respondent=me).exists()


def test_a_lead_cannot_read_who_named_whom(survey_org, campaign, api_as):
    """The Payments facilitator (a lead) and the person named look everywhere the network shows:
    no page or answer names a respondent, and one person's answer moves no figure."""
    lead, named = survey_org.lead, survey_org.people["Sales"][0]
    respondent = survey_org.people["Payments"][3]
    before = network.team_report(lead)
    named_before = network.person_view(named, named)
    advice.save_answers(by=respondent, campaign=campaign, answers={"advice_deploys": [named.pk]}, consent=True)
    after = network.team_report(lead)
    assert after.__dict__ == before.__dict__  # one respondent (< k) moves nothing
    assert network.person_view(named, named) == named_before  # the person named is not told who
    assert after.people_map is None and after.bridge_people is None and after.champions is None
    page = signed_in_client(lead).get(reverse("network:report"))
    api = api_as(lead).get("/api/v1/network/report")
    for text in (page.text, api.text):
        assert respondent.full_name not in text and named.full_name not in text
    # The lead's own advice page shows the lead's answers only.
    own = signed_in_client(lead).get(reverse("surveys:advice", args=[campaign.pk])).text
    assert f'value="{named.pk}" selected' not in own
    # Even the admin's people map leaves advice ties out.
    admin_map = network.team_report(survey_org.admin).people_map
    assert respondent.pk not in {int(node["id"]) for node in admin_map["nodes"]}


def test_advice_becomes_a_team_flow_once_k_respondents_make_it(survey_org, campaign):
    sales, payments = survey_org.people["Sales"], survey_org.people["Payments"]
    names = [team["name"] for team in network.team_report(survey_org.admin).teams]
    row, column = names.index("Sales"), names.index("Payments")
    for count, respondent in enumerate(payments[:5], start=1):
        advice.save_answers(by=respondent, campaign=campaign, answers={"advice_deploys": [sales[0].pk]},
                            consent=True)
        flow = network.team_report(survey_org.admin).matrix[row][column]
        assert flow == (5.0 if count == 5 else 0.0), count  # adviser's team gives, respondents' team receives
