"""Seeing and undoing theme corrections: undone now, no longer applied on regrouping, kept on record;
only learning leads and admins may see or undo them (page and API)."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learnloop.insights import themes_services as services
from learnloop.insights.themes_models import Theme, ThemeCorrection, ThemeItem
from tests.conftest import signed_in_client
from tests.insights.conftest import DEPLOY, ONCALL
from tests.insights.test_themes_services import build, theme_of

pytestmark = pytest.mark.django_db


def test_undoing_a_merge_and_a_split_puts_the_items_back_and_regrouping_no_longer_applies_them(crews):
    build(crews)
    lead = crews["learning"]
    deploy, oncall = theme_of(DEPLOY[0]), theme_of(ONCALL[0])
    services.merge_themes(by=lead, theme=deploy, other=oncall)
    split = services.split_theme(by=lead, theme=deploy, keys=[ThemeItem.objects.get(text=DEPLOY[2]).key],
                                 name="Late-week releases")
    split_correction, merge_correction = ThemeCorrection.objects.order_by("-created_at", "-id")[:2]
    services.undo_correction(by=lead, correction=split_correction)
    assert theme_of(DEPLOY[2]).pk == deploy.pk
    assert Theme.objects.get(pk=split.pk).retired_at is not None
    services.undo_correction(by=lead, correction=merge_correction)
    assert {theme_of(text).pk for text in ONCALL} == {oncall.pk}
    assert {theme_of(text).pk for text in DEPLOY} == {deploy.pk}
    assert Theme.objects.get(pk=oncall.pk).retired_at is None
    services.rebuild()
    assert theme_of(ONCALL[0]).pk != theme_of(DEPLOY[0]).pk  # the algorithm's grouping again
    assert ThemeCorrection.objects.filter(undone_at__isnull=False, undone_by=lead).count() == 2
    with pytest.raises(ValidationError) as error:
        services.undo_correction(by=lead, correction=ThemeCorrection.objects.get(pk=merge_correction.pk))
    assert "already undone" in str(error.value)


def test_a_split_from_a_theme_merged_since_is_not_undone_silently(crews):
    build(crews)
    lead = crews["learning"]
    deploy, oncall = theme_of(DEPLOY[0]), theme_of(ONCALL[0])
    services.split_theme(by=lead, theme=deploy, keys=[ThemeItem.objects.get(text=DEPLOY[2]).key], name="Late")
    services.merge_themes(by=lead, theme=oncall, other=deploy)
    split_correction = ThemeCorrection.objects.get(kind="split")
    with pytest.raises(ValidationError) as error:
        services.undo_correction(by=lead, correction=split_correction)
    assert "undo that first" in str(error.value)
    split_correction.refresh_from_db()
    assert split_correction.undone_at is None and theme_of(DEPLOY[2]).name == "Late"


def test_undoing_a_rename_gives_back_the_earlier_name_and_keeps_a_later_one(crews):
    build(crews)
    lead = crews["learning"]
    deploy = theme_of(DEPLOY[0])
    services.rename_theme(by=lead, theme=deploy, name="Friday deploys")
    services.rename_theme(by=lead, theme=deploy, name="Deploys on Fridays")
    first, second = ThemeCorrection.objects.filter(kind="rename").order_by("created_at", "id")
    services.undo_correction(by=lead, correction=first)
    assert Theme.objects.get(pk=deploy.pk).name == "Deploys on Fridays"  # the later rename still stands
    services.undo_correction(by=lead, correction=second)
    deploy.refresh_from_db()
    assert deploy.name == "" and deploy.title == deploy.label  # the algorithm's words again
    services.rebuild()
    assert Theme.objects.get(pk=theme_of(DEPLOY[0]).pk).name == ""


def test_only_learning_leads_see_and_undo_corrections(crews, api_as):
    build(crews)
    deploy = theme_of(DEPLOY[0])
    services.rename_theme(by=crews["learning"], theme=deploy, name="Friday deploys")
    correction = ThemeCorrection.objects.get()
    team_lead = crews["Platform"]["lead"]
    with pytest.raises(PermissionDenied):
        services.undo_correction(by=team_lead, correction=correction)
    assert signed_in_client(team_lead).get("/insights/themes/corrections/").status_code == 403
    assert signed_in_client(team_lead).post(f"/insights/themes/corrections/{correction.pk}/undo/").status_code == 403
    api = api_as(team_lead)
    assert api.get("/api/v1/insights/theme-corrections").status_code == 403
    assert api.post(f"/api/v1/insights/theme-corrections/{correction.pk}/undo").status_code == 403
    correction.refresh_from_db()
    assert correction.undone_at is None and Theme.objects.get(pk=deploy.pk).name == "Friday deploys"


def test_the_corrections_page_lists_and_undoes(crews):
    build(crews)
    lead = crews["learning"]
    deploy, oncall = theme_of(DEPLOY[0]), theme_of(ONCALL[0])
    services.merge_themes(by=lead, theme=deploy, other=oncall)
    correction = ThemeCorrection.objects.get()
    client = signed_in_client(lead)
    page = client.get("/insights/themes/corrections/").content.decode()
    assert f'data-correction="{correction.pk}"' in page and "Merged" in page and "Undo</button>" in page
    response = client.post(f"/insights/themes/corrections/{correction.pk}/undo/", follow=True)
    assert "Correction undone." in response.content.decode() and "Undone" in response.content.decode()
    assert theme_of(ONCALL[0]).pk == oncall.pk
    again = client.post(f"/insights/themes/corrections/{correction.pk}/undo/", follow=True)
    assert again.status_code == 200 and "already undone" in again.content.decode()
    assert client.post("/insights/themes/corrections/999999/undo/").status_code == 404
    assert "/insights/themes/corrections/" in client.get("/insights/themes/").content.decode()


def test_corrections_through_the_api(crews, api_as):
    build(crews)
    client = api_as(crews["learning"])
    deploy = theme_of(DEPLOY[0])
    response = client.post(f"/api/v1/insights/themes/{deploy.pk}/rename", content_type="application/json",
                           data=json.dumps({"name": "Friday deploys"}))
    assert response.status_code == 200
    listed = client.get("/api/v1/insights/theme-corrections").json()["items"]
    assert [(row["kind"], row["name"], row["theme_id"], row["undone_at"]) for row in listed] == [
        ("rename", "Friday deploys", deploy.pk, None)]
    undone = client.post(f"/api/v1/insights/theme-corrections/{listed[0]['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"] and undone.json()["undone_by"]["id"]
    assert Theme.objects.get(pk=deploy.pk).name == ""
    again = client.post(f"/api/v1/insights/theme-corrections/{listed[0]['id']}/undo")
    assert again.status_code == 400
    assert client.post("/api/v1/insights/theme-corrections/999999/undo").status_code == 404
