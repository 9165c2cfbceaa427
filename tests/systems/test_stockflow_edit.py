"""Editing a stock-and-flow model's name, description, owning team and bindings: the page (with
form errors) and PATCH in the API, with the same rules."""

import pytest
from django.urls import reverse

from learnloop.systems.stockflow_models import StockFlowModel
from learnloop.systems.stockflow_services import sliders
from tests import factories
from tests.conftest import signed_in_client


def test_the_edit_page_changes_metadata_and_bindings(decay_model, people):
    client = signed_in_client(people.lead)
    url = reverse("systems:stockflow_edit", args=[decay_model.pk])
    page = client.get(url).content.decode()
    assert 'id="stockflow-bindings"' in page and "lessons written per month starts from" in page
    detail = client.get(reverse("systems:stockflow_detail", args=[decay_model.pk])).content.decode()
    assert 'id="edit-model"' in detail
    constants = [constant["name"] for constant in decay_model.outline["constants"]]
    index = constants.index("lessons written per month")
    stale = constants.index("initial stale lessons")
    answer = client.post(url, {"name": "  Knowledge   decay v2 ", "description": "Lessons going stale",
                               "team": people.team.pk, f"bind_{index}": "knowledge.stale_lessons"})
    assert answer.status_code == 302
    model = StockFlowModel.objects.get(pk=decay_model.pk)
    assert model.name == "Knowledge decay v2" and model.description == "Lessons going stale"
    assert model.team == people.team
    # Every constant not chosen is unbound: the form holds the whole set.
    assert model.bindings == {"lessons written per month": "knowledge.stale_lessons"}
    assert constants[stale] not in model.bindings
    bound = {slider.name: slider.bound_to for slider in sliders(model)}
    assert bound["lessons written per month"] == "Stale lessons" and bound["initial stale lessons"] == ""


def test_bad_input_shows_form_errors(decay_model, people):
    client = signed_in_client(people.lead)
    url = reverse("systems:stockflow_edit", args=[decay_model.pk])
    answer = client.post(url, {"name": "", "bind_0": "knowledge.vibes", "team": 999999})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "This field is required" in page and "knowledge.vibes is not one of the available choices" in page
    assert StockFlowModel.objects.get(pk=decay_model.pk).name == "Knowledge decay"


def test_only_those_who_may_change_the_model_edit_it(decay_model, people):
    url = reverse("systems:stockflow_edit", args=[decay_model.pk])
    assert signed_in_client(people.member).get(url).status_code == 403
    assert signed_in_client(people.member).post(url, {"name": "Mine"}).status_code == 403
    detail = signed_in_client(people.member).get(reverse("systems:stockflow_detail", args=[decay_model.pk]))
    assert 'id="edit-model"' not in detail.content.decode()


def test_a_team_member_cannot_give_their_model_to_another_team(people):
    from learnloop.systems import stockflow_services as services
    from learnloop.systems.demo_models import MODEL_FILE

    model = services.upload_model(people.member, name="Ours", team=people.team, file_name="decay.mdl",
                                  content=MODEL_FILE.read_bytes())
    client = signed_in_client(people.member)
    url = reverse("systems:stockflow_edit", args=[model.pk])
    offered = client.get(url).content.decode().split('name="team"')[1].split("</select>")[0]
    assert f'value="{people.other_team.pk}"' not in offered
    answer = client.post(url, {"name": "Ours", "team": people.other_team.pk})
    assert answer.status_code == 400  # not offered: a form error, nothing changed
    assert StockFlowModel.objects.get(pk=model.pk).team == people.team


def test_patch_through_the_api(decay_model, people):
    api = factories.token_client(people.lead)
    url = f"/api/v1/systems/models/{decay_model.pk}"
    answer = api.patch(url, {"name": "Decay", "bindings": {"lessons written per month": "knowledge.fresh_lessons"}},
                       content_type="application/json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["name"] == "Decay" and body["bindings"] == {"lessons written per month": "knowledge.fresh_lessons"}
    assert body["description"] == decay_model.description and body["team_id"] is None
    moved = api.patch(url, {"team_id": people.team.pk}, content_type="application/json").json()
    assert moved["team_id"] == people.team.pk and moved["name"] == "Decay"
    back = api.patch(url, {"team_id": None}, content_type="application/json").json()
    assert back["team_id"] is None
    for wrong, status in (({"bindings": {"no such constant": "knowledge.fresh_lessons"}}, 400),
                          ({"bindings": {"lessons written per month": "knowledge.vibes"}}, 400),
                          ({"team_id": 999999}, 400), ({"name": ""}, 422), ({"colour": "red"}, 400)):
        assert api.patch(url, wrong, content_type="application/json").status_code == status, wrong
    refused = factories.token_client(people.member).patch(url, {"name": "Mine"}, content_type="application/json")
    assert refused.status_code == 403


@pytest.mark.parametrize("viewer", ["outsider"])
def test_outsiders_get_403_from_the_api(decay_model, people, viewer):
    api = factories.token_client(getattr(people, viewer))
    assert api.patch(f"/api/v1/systems/models/{decay_model.pk}", {"description": "x"},
                     content_type="application/json").status_code == 403
