"""Lists as files (docs/exports.md): learnloop.web.tables, and the actions and experiment
portfolio exports from their pages and the API. Sessions: tests/reflection/test_exports.py;
survey reports: tests/surveys/test_report_export.py."""

import csv
import io
import json
import math

import pytest

from learnloop.actions import services as action_services
from learnloop.web.tables import BOM, csv_lines, json_chunks, safe_cell
from tests import factories
from tests.conftest import signed_in_client
from tests.experiments.conftest import register

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith(BOM)
    return list(csv.DictReader(io.StringIO(body[1:])))


def _json(response) -> list[dict]:
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("application/json")
    return json.loads(b"".join(response.streaming_content))


# --- the writer -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://evil\")"])
def test_text_a_spreadsheet_would_run_is_defused(text):
    assert safe_cell(text) == "'" + text


def test_plain_values_are_kept():
    assert safe_cell("Müller, José — 🙂") == "Müller, José — 🙂"
    assert safe_cell(-3) == -3 and safe_cell(2.5) == 2.5  # numbers are numbers, minus sign and all
    assert safe_cell(None) == "" and safe_cell(True) == "true" and safe_cell(math.nan) == ""
    assert safe_cell(["a", "=b"]) == "a; =b"  # joined, then checked as a whole


def test_csv_round_trips_through_the_csv_module_with_quotes_and_newlines():
    rows = [{"a": 'He said "hi",\nthen left', "b": "=cmd"}, {"a": "", "b": 7}]
    text = "".join(csv_lines(["a", "b"], rows))
    assert text.startswith(BOM) and text.endswith("\r\n")
    back = list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))
    assert back == [{"a": 'He said "hi",\nthen left', "b": "'=cmd"}, {"a": "", "b": "7"}]


def test_json_is_an_array_of_typed_values():
    assert json.loads("".join(json_chunks(["a", "b"], []))) == []
    out = json.loads("".join(json_chunks(["a", "b"], [{"a": "=x", "b": 1.5}, {"a": None, "b": math.inf}])))
    assert out == [{"a": "=x", "b": 1.5}, {"a": None, "b": None}]


# --- actions ----------------------------------------------------------------------------------------


@pytest.fixture
def two_teams(db):
    factories.organization()
    admin = factories.person(email="ada.admin@example.org", full_name="Ada Admin", role="admin")
    ours, theirs = factories.team(name="Payments"), factories.team(name="Search")
    lead = factories.person(full_name="Lee Lead")
    factories.membership(lead, ours, role="facilitator")
    other = factories.person(full_name="Oda Other")
    factories.membership(other, theirs)
    action_services.create_action(by=lead, title="=Rotate the on-call", team=ours, owner=lead)
    action_services.create_action(by=lead, title="Write the runbook", team=ours)
    action_services.create_action(by=other, title="Search secret plan", team=theirs, owner=other)
    return admin, lead, ours, theirs


def test_the_team_board_link_exports_the_boards_actions(two_teams):
    _admin, lead, ours, _ = two_teams
    page = signed_in_client(lead).get(f"/actions/team/{ours.pk}/").content.decode()
    assert f"/actions/export/?team={ours.pk}&amp;format=csv" in page
    rows = _csv(signed_in_client(lead).get(f"/actions/export/?team={ours.pk}&format=csv"))
    assert sorted(row["title"] for row in rows) == ["'=Rotate the on-call", "Write the runbook"]
    assert {row["team"] for row in rows} == {"Payments"}


def test_exports_hold_only_what_the_viewer_may_see_and_match_the_api_list(two_teams, api_as):
    admin, lead, ours, theirs = two_teams
    listed = [item["title"] for item in api_as(lead).get("/api/v1/actions?limit=100").json()["items"]]
    exported = [row["title"] for row in _json(api_as(lead).get("/api/v1/actions/export?format=json"))]
    assert exported == listed and "Search secret plan" not in exported
    assert _csv(signed_in_client(lead).get(f"/actions/export/?team={theirs.pk}")) == []
    everything = _json(api_as(admin).get("/api/v1/actions/export?format=json"))
    assert len(everything) == 3
    filtered = _json(api_as(admin).get(f"/api/v1/actions/export?format=json&team={ours.pk}&status=open"))
    assert {row["team"] for row in filtered} == {"Payments"} and len(filtered) == 2


def test_bad_export_requests_are_refused(two_teams, api_as):
    _admin, lead, *_ = two_teams
    assert signed_in_client(lead).get("/actions/export/?team=abc").status_code == 400
    assert signed_in_client(lead).get("/actions/export/?format=pdf").status_code == 400
    response = api_as(lead).get("/api/v1/actions/export?stauts=open")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["stauts"]
    assert api_as(lead).get("/api/v1/actions/export?format=pdf").status_code == 422
    assert signed_in_client(lead).get("/actions/export/").status_code == 200
    anonymous = signed_in_client(lead)
    anonymous.logout()
    assert anonymous.get("/actions/export/").status_code == 302


# --- the experiment portfolio -------------------------------------------------------------------------


def test_the_portfolio_export_keeps_the_pages_filters(two_teams, api_as):
    admin, lead, ours, theirs = two_teams
    register(lead, ours, title="One-page checkout")
    register(admin, theirs, title="@Faster search")
    page = signed_in_client(lead).get(f"/experiments/?team={ours.pk}&sort=title").content.decode()
    assert f"/experiments/export/?team={ours.pk}&amp;sort=title&amp;format=csv" in page
    rows = _csv(signed_in_client(lead).get(f"/experiments/export/?team={ours.pk}&sort=title&format=csv"))
    assert [row["title"] for row in rows] == ["One-page checkout"]
    assert rows[0]["primary_metric"] == "checkout conversion" and rows[0]["status"] == "draft"
    everything = _csv(signed_in_client(lead).get("/experiments/export/?sort=title"))
    assert [row["title"] for row in everything] == ["'@Faster search", "One-page checkout"]
    api_rows = _json(api_as(lead).get("/api/v1/experiments/export?format=json&sort=title"))
    assert [row["title"] for row in api_rows] == ["@Faster search", "One-page checkout"]
    assert api_rows[0]["lessons"] == 0
