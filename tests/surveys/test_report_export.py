"""A survey report as a file (docs/exports.md): only figures the disclosure gate released and the
viewer may see on the report page, from the page and the API."""

import csv
import io
import json

from learnloop.surveys import reports
from learnloop.surveys.models import Campaign
from tests.conftest import signed_in_client
from tests.factories import token_client
from tests.surveys.conftest import run_campaign


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def _released_keys(campaign: Campaign, viewer) -> set[str]:
    report = reports.CampaignReport(campaign, viewer)
    return {str(key) for key, decision in report.groups if decision["released"]}


def test_the_export_holds_the_released_figures_the_viewer_may_see(survey_org):
    campaign = run_campaign(survey_org, slug="learning-organization")
    for viewer in (survey_org.admin, survey_org.lead):
        page = signed_in_client(viewer).get(f"/surveys/campaigns/{campaign.pk}/report/").content.decode()
        assert f"/surveys/campaigns/{campaign.pk}/report/export/?format=csv" in page
        rows = _csv(signed_in_client(viewer).get(f"/surveys/campaigns/{campaign.pk}/report/export/?format=csv"))
        assert {row["group_key"] for row in rows} == _released_keys(campaign, viewer)
        api = token_client(viewer)
        heat = api.get(f"/api/v1/surveys/campaigns/{campaign.pk}/report").json()["heatmap"]
        api_rows = json.loads(b"".join(
            api.get(f"/api/v1/surveys/campaigns/{campaign.pk}/report/export?format=json").streaming_content))
        assert [row["group_key"] for row in api_rows] == [row["group_key"] for row in rows]
        for shown in heat["rows"]:  # every heat map cell is in the file, with the same mean
            exported = {row["dimension_key"]: row["mean"] for row in api_rows if row["group_key"] == shown["key"]}
            for dimension, cell in zip(heat["dimensions"], shown["cells"], strict=True):
                if cell is not None:
                    assert abs(exported[dimension["key"]] - cell["mean"]) < 1e-3
        withheld = {group["key"] for group in heat["withheld"]}
        assert not withheld & {row["group_key"] for row in api_rows}
    sales = str(survey_org.teams["Sales"].pk)
    lead_rows = _csv(signed_in_client(survey_org.lead).get(f"/surveys/campaigns/{campaign.pk}/report/export/"))
    assert lead_rows and not any(row["group_key"].split(";")[0] == sales for row in lead_rows)
    assert "Retros feel" not in json.dumps(lead_rows)  # comments are not exported


def test_a_report_not_shown_yet_exports_nothing_and_says_why(survey_org):
    campaign = run_campaign(survey_org, slug="pulse", close=False)
    response = signed_in_client(survey_org.admin).get(f"/surveys/campaigns/{campaign.pk}/report/export/")
    assert response.status_code == 409 and response.content
    response = token_client(survey_org.admin).get(f"/api/v1/surveys/campaigns/{campaign.pk}/report/export")
    assert response.status_code == 409 and response.json()["detail"]
