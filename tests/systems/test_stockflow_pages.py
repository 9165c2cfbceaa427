"""Stock-and-flow pages: upload (with clear refusals), run with sliders, scenarios compared with a
table and CSV, sensitivity runs queued with progress, and who may do what."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learnloop.analytics.systems.simulation import simulate
from learnloop.systems import stockflow_services as services
from learnloop.systems.demo_models import MODEL_FILE
from learnloop.systems.stockflow_models import Scenario, StockFlowModel
from learnloop.systems.stockflow_translation import translate_model
from tests.conftest import signed_in_client
from tests.systems.conftest import EVIL_MDL

TEACUP = "tests/analytics/systems/test_models/samples/teacup/teacup.mdl"


def _upload(client, name, file_name, content, team=""):
    return client.post("/systems/models/upload/", {"name": name, "team": team, "description": "",
                                                   "file": SimpleUploadedFile(file_name, content)})


def test_a_team_member_uploads_a_model_and_runs_it(people):
    client = signed_in_client(people.member)
    with open(TEACUP, "rb") as handle:
        response = _upload(client, "Teacup", "teacup.mdl", handle.read(), team=people.team.pk)
    model = StockFlowModel.objects.get(name="Teacup")
    assert response.status_code == 302 and response["Location"] == f"/systems/models/{model.pk}/"
    assert model.team == people.team and model.owner == people.member and model.state == "translating"
    waiting = client.get(f"/systems/models/{model.pk}/").content.decode()
    assert "Translating…" in waiting and 'hx-trigger="every 2s"' in waiting and 'type="range"' not in waiting
    assert translate_model(model.pk) == "ready"  # what the worker does (tests/systems/test_stockflow_translation.py)
    model.refresh_from_db()
    state = client.get(f"/systems/models/{model.pk}/state/")
    assert state["HX-Refresh"] == "true" and "Ready." in state.content.decode()
    assert [c["name"] for c in model.outline["constants"]] == ["Characteristic Time", "Room Temperature"]
    page = client.get(f"/systems/models/{model.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and 'type="range"' in body and 'id="stockflow-run-data"' in body
    assert 'min="5.0" max="15.0"' in body  # ±50% of 10 (the model gives only a lower limit)
    # a slider moved: the run is PySD's with that constant
    changed = client.get(f"/systems/models/{model.pk}/?c0=7.5")
    expected = simulate(TEACUP, params={"Characteristic Time": 7.5}, return_columns=["Teacup Temperature"])
    assert f"{expected.rows[-1][1]:.3f}".rstrip("0").rstrip(".") in changed.content.decode()
    csv_rows = list(csv.reader(io.StringIO(client.get(f"/systems/models/{model.pk}/run.csv?c0=7.5")
                                           .content.decode())))
    assert csv_rows[0][:2] == ["TIME", "Teacup Temperature"]
    assert float(csv_rows[-1][1]) == pytest.approx(expected.rows[-1][1])


@pytest.mark.parametrize("file_name, content, message", [
    ("notes.txt", b"hello", "a model file ends in .mdl"),
    ("empty.mdl", b"   ", "The file is empty"),
])
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_stored(people, file_name, content, message):
    response = _upload(signed_in_client(people.lead), "Bad", file_name, content)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not StockFlowModel.objects.exists()


@pytest.mark.parametrize("file_name, content, message", [
    ("broken.mdl", b"{UTF-8}\nx = (1 +\n~~|\n", "broken.mdl: PySD could not translate the model"),
    ("evil.mdl", EVIL_MDL.encode(), "refused for safety"),
    ("unsupported.mdl", MODEL_FILE.read_text().replace("ZIDZ(Stale lessons, Fresh lessons + Stale lessons)",
                                                       "MAGIC WAND(Stale lessons)").encode(),
     "uses functions PySD does not support: MAGIC WAND"),
])
def test_a_file_that_fails_translation_is_marked_failed_with_the_reason(people, file_name, content, message):
    client = signed_in_client(people.lead)
    assert _upload(client, "Bad", file_name, content).status_code == 302
    model = StockFlowModel.objects.get()
    assert translate_model(model.pk) == "failed"
    model.refresh_from_db()
    assert model.state == "failed" and message in model.state_error and model.outline == {}
    page = client.get(f"/systems/models/{model.pk}/").content.decode().replace("&#x27;", "'")
    assert "Failed: " in page and message in page and 'type="range"' not in page
    assert "(failed)" in client.get("/systems/models/").content.decode()


def test_a_larger_file_than_the_limit_is_refused(people, settings):
    big = b"{UTF-8}\n" + b" " * (services.MAX_UPLOAD_BYTES + 1)
    response = _upload(signed_in_client(people.lead), "Big", "big.mdl", big)
    assert response.status_code == 400 and "larger than 2 MB" in response.content.decode()


def test_only_members_may_add_a_teams_model_and_only_leads_the_organizations(people):
    with open(TEACUP, "rb") as handle:
        content = handle.read()
    assert _upload(signed_in_client(people.outsider), "T", "t.mdl", content, team=people.team.pk).status_code == 400
    assert _upload(signed_in_client(people.member), "T", "t.mdl", content).status_code == 403
    assert not StockFlowModel.objects.exists()


def test_sliders_start_from_the_knowledge_bases_live_numbers(decay_model, people):
    from datetime import timedelta

    from django.utils import timezone

    from learnloop.knowledge import services as knowledge
    from learnloop.knowledge.models import Entry

    now = timezone.now()
    for number in range(24):  # 24 lessons written in the last year: 2 a month
        knowledge.create_entry(by=people.member, kind="lesson", title=f"Lesson {number}", body="b",
                               created_at=now - timedelta(days=10 * number), at=now - timedelta(days=10 * number))
    knowledge.create_entry(by=people.member, kind="lesson", title="Old lesson", body="b",
                           created_at=now - timedelta(days=800), at=now - timedelta(days=800))
    # six of them are past their review date by more than the stale margin, one is obsolete
    Entry.objects.update(review_due_at=now + timedelta(days=30))
    stale = list(Entry.objects.order_by("pk")[:6])
    Entry.objects.filter(pk__in=[entry.pk for entry in stale]).update(review_due_at=now - timedelta(days=40))
    Entry.objects.filter(title="Lesson 23").update(obsolete_at=now)
    by_name = {slider.name: slider for slider in services.sliders(decay_model)}
    assert by_name["lessons written per month"].value == 2.0
    assert by_name["initial stale lessons"].value == 6.0
    assert by_name["initial fresh lessons"].value == 25 - 6 - 1
    assert by_name["lessons written per month"].bound_to == "Lessons written per month"
    assert by_name["months until a lesson goes stale"].bound_to == ""
    page = signed_in_client(people.member).get(f"/systems/models/{decay_model.pk}/").content.decode()
    assert "starts at today's lessons written per month (2.0)" in page
    # the run starts from those numbers
    first = services.run(decay_model, {}, ["Fresh lessons", "Stale lessons"]).rows[0]
    assert first[1:] == (18.0, 6.0)


def test_scenarios_are_saved_and_compared_with_a_table_and_csv(decay_model, people):
    client = signed_in_client(people.member)
    sliders = services.sliders(decay_model)
    index = [slider.name for slider in sliders].index("share of stale lessons reviewed per month")
    response = client.post(f"/systems/models/{decay_model.pk}/scenarios/",
                           {"name": "Review sprint", "note": "", f"c{index}": "0.3"})
    assert response.status_code == 302
    scenario = Scenario.objects.get(name="Review sprint")
    assert scenario.params == {"share of stale lessons reviewed per month": 0.3} and scenario.author == people.member
    again = client.post(f"/systems/models/{decay_model.pk}/scenarios/", {"name": "Review sprint", f"c{index}": "0.4"},
                        follow=True)
    assert "already has a scenario called" in again.content.decode()
    page = client.get(f"/systems/models/{decay_model.pk}/compare/?scenario={scenario.pk}&variable=Stale+lessons")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="stockflow-compare-data"' in body and "Baseline" in body
    rows = list(csv.reader(io.StringIO(client.get(
        f"/systems/models/{decay_model.pk}/compare.csv?scenario={scenario.pk}&variable=Stale+lessons").content.decode())))
    assert rows[0] == ["TIME", "Baseline", "Review sprint"]
    baseline = services.run(decay_model, {}, ["Stale lessons"]).column("Stale lessons")
    reviewed = services.run(decay_model, scenario.params, ["Stale lessons"]).column("Stale lessons")
    assert [float(row[1]) for row in rows[1:]] == pytest.approx(baseline)
    assert [float(row[2]) for row in rows[1:]] == pytest.approx(reviewed)
    bad = client.get(f"/systems/models/{decay_model.pk}/compare/?variable=Nothing")
    assert bad.status_code == 400 and "not one of the model" in bad.content.decode()


def test_a_scenario_is_deleted_by_its_author_or_the_models_editors_only(decay_model, people):
    scenario = services.save_scenario(people.member, decay_model, name="Mine", params={})
    url = f"/systems/models/{decay_model.pk}/scenarios/{scenario.pk}/delete/"
    assert signed_in_client(people.outsider).post(url).status_code == 403
    assert signed_in_client(people.member).post(url).status_code == 302
    assert not Scenario.objects.exists()


def test_bad_slider_values_are_a_form_error_not_a_crash(decay_model, people):
    response = signed_in_client(people.member).get(f"/systems/models/{decay_model.pk}/?c0=lots")
    assert response.status_code == 400 and "is not a number" in response.content.decode()
