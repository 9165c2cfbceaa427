"""A survey focus area as a place: a lesson applied there is listed back in the trends API and
page, and a team outside the focus area cannot cite it."""

import json

import pytest

from learnloop.knowledge import services as knowledge
from tests.conftest import signed_in_client
from tests.factories import token_client
from tests.surveys.conftest import run_campaign, survey_org  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_lessons_applied_in_a_focus_area_are_listed_back(survey_org):  # noqa: F811
    campaign = run_campaign(survey_org, slug="learning-organization")
    lead = token_client(survey_org.lead)
    payments = survey_org.teams["Payments"]
    created = lead.post(f"/api/v1/surveys/campaigns/{campaign.pk}/focus-areas",
                        json.dumps({"team": payments.pk, "dimension": "time", "owner": survey_org.lead.pk}),
                        content_type="application/json")
    focus_id = created.json()["id"]
    entry = knowledge.create_entry(by=survey_org.lead, kind="lesson", title="Protect Friday afternoons", body="x")
    response = lead.post(f"/api/v1/knowledge/entries/{entry.pk}/applications",
                         json.dumps({"context_type": "surveys.focus_area", "context_id": str(focus_id)}),
                         content_type="application/json")
    assert response.status_code == 201, response.content
    trends = lead.get("/api/v1/surveys/trends", {"team": str(payments.pk)}).json()
    (focus,) = [f for f in trends["focus_areas"] if f["id"] == focus_id]
    assert [lesson["title"] for lesson in focus["lessons_applied_here"]] == ["Protect Friday afternoons"]
    page = signed_in_client(survey_org.lead).get("/surveys/trends/", {"team": str(payments.pk)})
    assert "Protect Friday afternoons" in page.content.decode()


def test_another_team_cannot_cite_the_focus_area(survey_org):  # noqa: F811
    campaign = run_campaign(survey_org, slug="learning-organization")
    lead = token_client(survey_org.lead)
    payments = survey_org.teams["Payments"]
    focus_id = lead.post(f"/api/v1/surveys/campaigns/{campaign.pk}/focus-areas",
                         json.dumps({"team": payments.pk, "dimension": "time", "owner": survey_org.lead.pk}),
                         content_type="application/json").json()["id"]
    other_team = next(name for name in survey_org.people if name != "Payments")
    stranger = survey_org.people[other_team][-1]
    entry = knowledge.create_entry(by=stranger, kind="lesson", title="Mine", body="x")
    response = token_client(stranger).post(
        f"/api/v1/knowledge/entries/{entry.pk}/applications",
        json.dumps({"context_type": "surveys.focus_area", "context_id": str(focus_id)}),
        content_type="application/json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["context_id"]
