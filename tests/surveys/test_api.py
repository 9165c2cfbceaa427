import json
import random

from learnloop.actions.models import Action
from learnloop.surveys.models import Instrument, Invitation
from learnloop.surveys.tokens import token_for
from tests.conftest import signed_in_client
from tests.factories import token_client
from tests.surveys.conftest import answer_all, run_campaign, today


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_instruments_listed_and_imported(survey_org):
    client = token_client(survey_org.admin)
    slugs = {entry["slug"] for entry in client.get("/api/v1/surveys/instruments").json()["items"]}
    assert {"learning-organization", "psychological-safety", "pulse"} <= slugs
    detail = client.get("/api/v1/surveys/instruments/psychological-safety").json()
    assert sum(item["reverse_keyed"] for item in detail["items"]) >= 2
    source = detail["source"].replace("slug: psychological-safety", "slug: ps-copy")
    assert post(client, "/api/v1/surveys/instruments", {"source": source}).status_code == 201
    bad = post(client, "/api/v1/surveys/instruments", {"source": "slug: [oops"})
    assert bad.status_code == 400 and "YAML" in json.dumps(bad.json())
    assert post(client, "/api/v1/surveys/instruments", {"source": source, "colour": 1}).status_code == 400
    assert post(token_client(survey_org.lead), "/api/v1/surveys/instruments", {"source": source}).status_code == 403


def test_campaign_lifecycle_and_single_use_responding(survey_org, client):
    api = token_client(survey_org.admin)
    created = post(api, "/api/v1/surveys/campaigns", {
        "name": "API pulse", "instrument": "pulse", "opens_on": today().isoformat(), "closes_on": today().isoformat(),
    })
    assert created.status_code == 201
    campaign_id = created.json()["id"]
    assert post(api, f"/api/v1/surveys/campaigns/{campaign_id}/launch", {}).json() == {"count": 22}
    invitation = Invitation.objects.get(campaign_id=campaign_id, person=survey_org.lead)
    token = token_for(invitation)
    questions = client.get(f"/api/v1/surveys/respond/{token}").json()
    assert len(questions["items"]) == 5
    answers = answer_all(Instrument.objects.get(slug="pulse"), random.Random(1))
    assert post(client, f"/api/v1/surveys/respond/{token}", {"answers": answers}).status_code == 204
    again = post(client, f"/api/v1/surveys/respond/{token}", {"answers": answers})
    assert again.status_code == 400 and "already been used" in again.json()["detail"]
    assert api.get(f"/api/v1/surveys/campaigns/{campaign_id}").json()["responded"] == 1


def test_bad_answers_get_field_errors(survey_org, client):
    campaign = run_campaign(survey_org, responders=[], close=False)
    token = token_for(Invitation.objects.get(campaign=campaign, person=survey_org.lead))
    response = post(client, f"/api/v1/surveys/respond/{token}", {"answers": {"pulse_safety": 12}})
    assert response.status_code == 400
    assert "pulse_safety" in response.json()["errors"]


def test_report_and_focus_area_through_the_api(survey_org):
    campaign = run_campaign(survey_org, slug="learning-organization")
    lead = token_client(survey_org.lead)
    payments = survey_org.teams["Payments"].pk
    report = lead.get(f"/api/v1/surveys/campaigns/{campaign.pk}/report", {"group": str(payments)}).json()
    assert report["shown"] and report["group"]["size"] == 6
    assert {score["key"] for score in report["group"]["scores"]} >= {"safety", "time"}
    assert all(score["low"] <= score["mean"] <= score["high"] for score in report["group"]["scores"])
    assert [barrier["barrier"] for barrier in report["group"]["barriers"]]
    url = f"/api/v1/surveys/campaigns/{campaign.pk}/focus-areas"
    created = post(lead, url, {"team": payments, "dimension": "time", "owner": survey_org.lead.pk})
    assert created.status_code == 201
    assert Action.objects.get(pk=created.json()["action"]).source_type == "surveys.focus_area"
    unknown = post(lead, f"/api/v1/surveys/campaigns/{campaign.pk}/focus-areas",
                   {"team": payments, "dimension": "x", "owner": survey_org.lead.pk})
    assert unknown.status_code == 400 and "dimension" in unknown.json()["errors"]


def test_k_through_the_api_and_the_page(survey_org):
    admin = token_client(survey_org.admin)
    assert admin.get("/api/v1/surveys/threshold").json() == {"k": 5}
    response = admin.put("/api/v1/surveys/threshold", json.dumps({"k": 6}), content_type="application/json")
    assert response.json() == {"k": 6}
    lead = token_client(survey_org.lead)
    refused = lead.put("/api/v1/surveys/threshold", json.dumps({"k": 9}), content_type="application/json")
    assert refused.status_code == 403
    run_campaign(survey_org)
    lowered = admin.put("/api/v1/surveys/threshold", json.dumps({"k": 5}), content_type="application/json")
    assert lowered.status_code == 400 and "lowered" in json.dumps(lowered.json())
    page = signed_in_client(survey_org.admin).post("/surveys/threshold/", {"k": "4"}, follow=True).content.decode()
    assert "can&#x27;t be lowered" in page or "can't be lowered" in page


def _report_with_queries(client, campaign, group):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/surveys/campaigns/{campaign.pk}/report", {"group": group})
    assert response.status_code == 200
    return response.json(), [query["sql"] for query in captured]


def test_a_closed_campaigns_report_reads_its_answers_once_and_its_instrument_once_per_request(survey_org):
    campaign = run_campaign(survey_org, slug="learning-organization")
    payments = str(survey_org.teams["Payments"].pk)
    lead, admin = token_client(survey_org.lead), token_client(survey_org.admin)
    first, first_queries = _report_with_queries(lead, campaign, payments)
    again, again_queries = _report_with_queries(lead, campaign, payments)
    assert again == first
    # The instrument's dimensions are read once, not once per part of the report.
    assert sum('"surveys_dimension"' in sql for sql in first_queries) == 1
    # A closed campaign's answers don't change: the second request computes nothing from them.
    assert any('"surveys_response"' in sql for sql in first_queries)
    assert not any('"surveys_response"' in sql for sql in again_queries)
    assert len(again_queries) < len(first_queries)
    # What a viewer may see is still decided per request: the admin sees every team's row.
    everyone, _ = _report_with_queries(admin, campaign, "org")
    assert len(everyone["heatmap"]["rows"]) > len(first["heatmap"]["rows"])

