"""Themes through the API: the same figures and rules as the pages."""

import json
from datetime import date

import pytest

from learnloop.insights import themes_services as services
from learnloop.insights.themes_models import ThemeItem
from tests.insights.conftest import DEPLOY, ONCALL, retro

pytestmark = pytest.mark.django_db


@pytest.fixture
def themed(crews):
    retro(crews["Platform"], [DEPLOY[0], ONCALL[0]], held_on=date(2026, 3, 2))
    retro(crews["Payments"], [DEPLOY[1], ONCALL[1]], held_on=date(2026, 4, 6), anonymity="anonymous")
    retro(crews["Payments"], [DEPLOY[2], ONCALL[2]], held_on=date(2026, 5, 4))
    services.rebuild()
    return crews


def test_list_and_detail_agree_with_the_pages(themed, api_as):
    client = api_as(themed["learning"])
    listed = client.get("/api/v1/insights/themes").json()
    deploy = ThemeItem.objects.get(text=DEPLOY[0]).theme_id
    row = next(theme for theme in listed["items"] if theme["id"] == deploy)
    assert row["count"] == 3 and row["sentence"] == "This came up in 3 retros across 2 teams."
    assert row["by_month"] == [{"key": "2026-03", "count": 1}, {"key": "2026-04", "count": 1},
                               {"key": "2026-05", "count": 1}]
    detail = client.get(f"/api/v1/insights/themes/{deploy}").json()
    assert sorted(item["text"] for item in detail["items"]) == sorted(DEPLOY)
    assert all("author" not in item and "writer" not in item for item in detail["items"])


def test_a_member_of_another_team_gets_404_for_a_theme_of_only_others_items(themed, api_as):
    retro(themed["Payments"], ["Kafka consumer lag alarms", "Kafka consumer lag alarms again"])
    services.rebuild()
    kafka = ThemeItem.objects.get(text="Kafka consumer lag alarms").theme_id
    assert api_as(themed["Platform"]["members"][0]).get(f"/api/v1/insights/themes/{kafka}").status_code == 404
    assert api_as(themed["Payments"]["members"][0]).get(f"/api/v1/insights/themes/{kafka}").status_code == 200


def test_bad_filters_name_the_field(themed, api_as):
    client = api_as(themed["learning"])
    response = client.get("/api/v1/insights/themes?month=March")
    assert response.status_code == 400 and "month" in response.json()["errors"]
    assert client.get("/api/v1/insights/themes?team=999999").status_code == 400


def post(client, url: str, body: dict):
    return client.post(url, content_type="application/json", data=json.dumps(body))


def test_corrections_through_the_api(themed, api_as):
    client = api_as(themed["learning"])
    deploy = ThemeItem.objects.get(text=DEPLOY[0]).theme_id
    oncall = ThemeItem.objects.get(text=ONCALL[0]).theme_id
    assert post(client, f"/api/v1/insights/themes/{deploy}/rename", {"name": "Friday deploys"}).json()[
        "title"] == "Friday deploys"
    merged = post(client, f"/api/v1/insights/themes/{deploy}/merge", {"other_id": oncall}).json()
    assert merged["count"] == 6
    key = ThemeItem.objects.get(text=ONCALL[2]).key
    split = post(client, f"/api/v1/insights/themes/{deploy}/split", {"items": [key], "name": "Pages"})
    assert split.status_code == 201 and split.json()["count"] == 1
    bad = post(client, f"/api/v1/insights/themes/{deploy}/rename", {"name": " "})
    assert bad.status_code == 400 and "name" in bad.json()["errors"]
    member = api_as(themed["Platform"]["lead"])
    assert post(member, f"/api/v1/insights/themes/{deploy}/rename", {"name": "X"}).status_code == 403
