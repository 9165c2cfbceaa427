"""Every input is bounded and checked the same way on SQLite and PostgreSQL (issue 11): text
without NUL or lone surrogates and within its length, dates in the configured range, finite
numbers, JSON nested at most 32 levels; refused by field (400), never a 500."""

import importlib
import pkgutil

import pytest
from django import forms

import learnloop
from learnloop.actions.models import Action
from learnloop.input_rules import DOCUMENT_TEXT, MAX_JSON_DEPTH, text_problem
from learnloop.knowledge.models import Entry
from learnloop.org.importing import import_teams
from learnloop.org.models import Team
from learnloop.web.input_checks import learnloop_forms, validate_date, validate_text
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1"
JSON = "application/json"


def _client(person):
    client = factories.token_client(person)
    client.raise_request_exception = False  # a crash must show as the 500 a client would get
    return client


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b", "\udfff"])
def test_text_with_nul_or_a_lone_surrogate_is_refused(text):
    assert text_problem(text)
    assert text_problem("ordinary text, ünïcödé and 🙂") is None


@pytest.mark.parametrize(("path", "field", "body"), [
    ("/actions", "title", b'{"title": "Roll\\u0000back", "team_id": TEAM}'),
    ("/actions", "title", b'{"title": "Roll\\ud800back", "team_id": TEAM}'),
    ("/knowledge/entries", "body", b'{"kind": "lesson", "title": "Roll back", "body": "first\\u0000"}'),
    ("/knowledge/entries", "tags.1", b'{"kind": "lesson", "title": "Roll back", "tags": ["ok", "\\udc00"]}'),
])
def test_the_api_refuses_unstorable_text_naming_the_field(admin, team, path, field, body):
    response = _client(admin).post(f"{API}{path}", body.replace(b"TEAM", str(team.pk).encode()), content_type=JSON)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]
    assert not Action.objects.exists() and not Entry.objects.exists()


def test_a_knowledge_body_is_limited_and_the_limit_is_named(admin):
    response = _client(admin).post(f"{API}/knowledge/entries", {
        "kind": "lesson", "title": "Long", "body": "x" * (DOCUMENT_TEXT + 1)}, content_type=JSON)
    assert response.status_code == 400
    assert f"at most {DOCUMENT_TEXT:,}" in response.json()["errors"]["body"][0]


def test_a_title_longer_than_its_column_is_refused_on_both_databases(admin, team):
    response = _client(admin).post(f"{API}/actions", {"title": "x" * 301, "team_id": team.pk}, content_type=JSON)
    assert response.status_code == 400
    assert "title" in response.json()["errors"]


def test_dates_outside_the_configured_years_are_refused(admin, team, settings):
    client = _client(admin)
    for due_on in ("0001-01-01", "9999-12-31"):
        response = client.post(f"{API}/actions", {"title": "Due", "team_id": team.pk, "due_on": due_on},
                               content_type=JSON)
        assert response.status_code == 400
        assert "due_on" in response.json()["errors"]
    settings.DATE_MIN_YEAR = 1
    allowed = client.post(f"{API}/actions", {"title": "Due", "team_id": team.pk, "due_on": "0001-01-01"},
                          content_type=JSON)
    assert allowed.status_code == 201


def test_json_nested_too_deep_is_refused_not_a_crash(admin):
    client = _client(admin)
    for depth in (MAX_JSON_DEPTH + 1, 100_000):
        body = '{"title": ' + "[" * depth + "]" * depth + "}"
        response = client.post(f"{API}/actions", body, content_type=JSON)
        assert response.status_code == 400
        assert "levels deep" in response.json()["detail"]


def test_query_parameters_with_nul_are_refused(admin):
    response = _client(admin).get(f"{API}/people?q=a%00b")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"


def test_an_offset_no_database_takes_is_a_4xx(admin):
    assert _client(admin).get(f"{API}/people?offset={10**20}").status_code == 422


def test_an_imported_name_with_nul_is_reported_in_the_dry_run_and_never_stored(admin):
    data = b"name,kind\nPay\x00ments,team\n"
    for dry_run in (True, False):
        report = import_teams(by=admin, data=data, dry_run=dry_run)
        assert [(error.row, error.column) for error in report.errors] == [(2, "name")]
    assert not Team.objects.filter(name__startswith="Pay").exists()


def test_a_semicolon_separated_import_is_read(admin):
    report = import_teams(by=admin, data=b"name;kind\nPayments;department\n", dry_run=True)
    assert report.ok, report.errors


def test_a_snapshot_csv_with_an_absurd_number_is_refused(api_as, team, admin):
    client = _client(admin)
    factories.membership(admin, team, role="facilitator")
    experiment = client.post(f"{API}/experiments", {
        "title": "Banner", "team_id": team.pk, "change": "a banner", "effect": "more orders",
        "population": "visitors", "success_metric": "conversion", "expected_delta": "+1%",
        "variants": [{"name": "Control"}, {"name": "Banner"}],
        "primary_metric": {"name": "conversion", "metric_type": "mean"},
    }, content_type=JSON).json()
    client.post(f"{API}/experiments/{experiment['id']}/start")
    response = client.post(f"{API}/experiments/{experiment['id']}/snapshots/csv", {
        "metric_id": experiment["metrics"][0]["id"], "taken_on": "2026-01-05",
        "csv": "variation;users;sum;sum_squares\nControl;100;1e308;1e308\nBanner;100;5;30\n",
    }, content_type=JSON)
    assert response.status_code == 400, response.content
    assert "line 2, column sum" in response.json()["detail"]


# --- Every form --------------------------------------------------------------------------------


def _all_learnloop_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(learnloop.__path__, "learnloop."):
        if ".migrations" not in module.name and not module.name.endswith(("__main__", "wsgi", "asgi")):
            importlib.import_module(module.name)
    return learnloop_forms()


def test_every_text_and_date_field_of_every_form_is_bounded():
    found = _all_learnloop_forms()
    assert len(found) > 20  # all of them, not a module that happened to be imported
    unbounded = []
    for form in found:
        for name, field in form.base_fields.items():
            if isinstance(field, forms.CharField) and (field.max_length is None or validate_text not in
                                                         field.validators):
                unbounded.append(f"{form.__module__}.{form.__name__}.{name}")
            if isinstance(field, forms.DateField) and validate_date not in field.validators:
                unbounded.append(f"{form.__module__}.{form.__name__}.{name} (date)")
    assert unbounded == []


def test_a_form_class_made_after_start_up_is_bounded_as_it_is_made():
    # Form modules are not imported at start-up to be bounded: a form is bounded as its class is
    # made (a Learnloop form only), and installing the rules again wraps nothing twice.
    from django.forms.forms import DeclarativeFieldsMetaclass

    from learnloop.web import input_checks

    wrapped = DeclarativeFieldsMetaclass.__dict__["__new__"]
    input_checks.bound_forms()
    assert DeclarativeFieldsMetaclass.__dict__["__new__"] is wrapped

    def made_in(module):
        return type("Late", (forms.Form,), {"__module__": module, "note": forms.CharField(),
                                            "when": forms.DateField()})

    late = made_in("learnloop.late_forms")
    assert late.base_fields["note"].max_length and validate_text in late.base_fields["note"].validators
    assert validate_date in late.base_fields["when"].validators
    assert made_in("elsewhere.forms").base_fields["note"].max_length is None


def test_a_form_shows_its_limit_and_refuses_what_breaks_the_rules():
    from learnloop.actions.forms import CommentForm

    form = CommentForm(data={"body": "ok\ud800"})
    assert not form.is_valid() and "body" in form.errors
    assert 'maxlength="100000"' in str(form["body"])
    assert "100,000 characters" in form.fields["body"].help_text


def test_bulk_inserts_and_updates_meet_the_same_rules_as_a_save(team):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        Team.objects.bulk_create([Team(name="Fine", slug="fine"), Team(name="Bad\x00name", slug="bad")])
    assert "name" in refused.value.message_dict
    assert not Team.objects.filter(slug__in=["fine", "bad"]).exists()  # the whole batch or nothing

    team.name = "x" * 1_000
    with pytest.raises(ValidationError) as refused:
        Team.objects.bulk_update([team], ["name"])
    assert "name" in refused.value.message_dict
    team.refresh_from_db()
    assert team.name != "x" * 1_000

    team.description = "Unchecked\x00"  # not among the updated fields: not looked at, not written
    team.name = "Renamed"
    Team.objects.bulk_update([team], ["name"])
    team.refresh_from_db()
    assert team.name == "Renamed"
