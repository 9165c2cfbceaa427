"""Property-based fuzzing of what people send: every JSON request body the API takes (driven by
the published OpenAPI schema) and every file parser behind a CLI command. Whatever the input
(NUL, lone surrogates, huge or non-finite numbers, far-off dates, deep nesting, any delimiter),
the answer is a 4xx or a one-line refusal, never a 500 or a traceback.

Deterministic for CI: derandomized, no example database, a bounded number of examples
(LEARNLOOP_FUZZ_EXAMPLES per operation or parser, default 6)."""

import io
import json
import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnloop.analytics.psychometrics.answers_file import AnswersFileError, read_answers
from learnloop.analytics.psychometrics.scoring import LikertScale
from learnloop.analytics.stats.aggregates_file import AggregatesFileError, parse_aggregates
from learnloop.api import api
from learnloop.input_rules import text_problem, walk_texts
from learnloop.knowledge.transfer.files import FileProblem, parse_file
from learnloop.org.importing import import_people, import_teams
from learnloop.surveys.instrument_files import InstrumentError, parse_instrument
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1"
EXAMPLES = int(os.environ.get("LEARNLOOP_FUZZ_EXAMPLES", "6"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck))

# --- What a hostile or careless client sends ------------------------------------------------------

NASTY_TEXT = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "🙂", "1e308", "-1", "0001-01-01", "9999-12-31",
    "NaN", "x" * 20_000, "<script>", "'; drop table", "\u202e", "a;b,c\td",
])
UNSTORABLE = st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfffy"])
TEXT = st.one_of(UNSTORABLE, NASTY_TEXT, st.text(max_size=40))
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 2**31, 2**63, 10**20]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324]),
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=6,
)


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _json_body_operations():
    """(method, path, body schema, the document) for every operation that takes a JSON body."""
    document = api.get_openapi_schema()
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                found.append((method, path, content["schema"], document))
    return found


DATES = st.sampled_from(["0001-01-01", "9999-12-31", "1899-12-31", "2026-01-05", "2201-01-01", "2026-02-30"])
IDS = st.one_of(st.integers(min_value=1, max_value=6), st.sampled_from([0, -1, 2**31, 2**63, 10**30]))


def _from_schema(schema: dict, document: dict, depth: int = 0):
    """Values that fit the schema's shape (so they get past the request's validation to the
    services and the database) but are as nasty as the shape allows."""
    schema = _resolve(schema, document)
    if depth > 4:
        return JSON_VALUES
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of(*[_from_schema(option, document, depth + 1) for option in schema[key]])
    kind = schema.get("type")
    if kind == "string":
        return DATES if schema.get("format") in ("date", "date-time") else TEXT
    if kind == "integer":
        return IDS
    if kind == "number":
        return NUMBERS
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(_from_schema(schema.get("items", {}), document, depth + 1), max_size=3)
    if kind == "object" or "properties" in schema:
        properties = {name: _from_schema(value, document, depth + 1)
                      for name, value in schema.get("properties", {}).items()}
        required = set(schema.get("required", []))
        return st.fixed_dictionaries({name: value for name, value in properties.items() if name in required},
                                     optional={name: value for name, value in properties.items()
                                               if name not in required})
    return JSON_VALUES


def _bodies(schema: dict, document: dict):
    """Mostly bodies shaped like the schema with nasty values; sometimes any JSON at all, or a
    document nested absurdly deep."""
    shaped = _from_schema(schema, document).map(_encode)
    deep = st.integers(min_value=30, max_value=100_000).map(
        lambda depth: f'{{"x": {"[" * depth}{"]" * depth}}}'.encode())
    return st.one_of(shaped, shaped, shaped, shaped, JSON_VALUES.map(_encode), deep)


def _encode(body) -> bytes:
    return json.dumps(body).encode()


def _organization(admin) -> dict[str, object]:
    """A few things for the paths' ids to name, so handlers get past their look-ups."""
    team = factories.team(name="Fuzz team")
    factories.membership(admin, team, role="facilitator")
    client = factories.token_client(admin)
    action = client.post(f"{API}/actions", {"title": "Fuzz action", "team_id": team.pk},
                         content_type="application/json").json()
    entry = client.post(f"{API}/knowledge/entries", {"kind": "lesson", "title": "Fuzz lesson", "body": "Body"},
                        content_type="application/json").json()
    today = timezone.localdate()
    client.get(f"{API}/surveys/instruments")
    campaign = client.post(f"{API}/surveys/campaigns", {
        "name": "Fuzz pulse", "instrument": "pulse", "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=14)).isoformat()}, content_type="application/json").json()
    return {"team_id": team.pk, "person_id": admin.pk, "action_id": action["id"], "entry_id": entry["id"],
            "campaign_id": campaign["id"], "slug": "pulse", "number": 1}


def _unstorable_text(answer) -> str | None:
    """Where an answer echoes text that should have been refused (SQLite would have stored it)."""
    return next((where for where, text in walk_texts(answer) if text_problem(text)), None)


def _fuzz(client, method: str, url: str, bodies, failures: list[str]) -> None:
    @FUZZ
    @given(body=bodies)
    def send(body):
        with transaction.atomic():
            response = getattr(client, method)(url, body, content_type="application/json")
            transaction.set_rollback(True)
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {url} {body[:200]!r} -> {response.status_code}")
        elif response.status_code < 300 and response.content and _unstorable_text(response.json()):
            failures.append(f"{method.upper()} {url} {body[:200]!r} -> stored {_unstorable_text(response.json())}")

    send()


def test_no_request_body_makes_the_api_fail(admin):
    known = _organization(admin)
    client = factories.token_client(admin)
    client.raise_request_exception = False
    operations = _json_body_operations()
    assert len(operations) > 40  # the whole schema
    failures = []

    for method, path, schema, document in operations:
        url = path  # the document names paths in full (/api/v1/…)
        for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
            url = url.replace(f"{{{name}}}", str(known.get(name, 1)))

        _fuzz(client, method, url, _bodies(schema, document), failures)
    assert failures == []


# --- Files the CLI commands read ------------------------------------------------------------------

CELLS = st.one_of(NASTY_TEXT, st.sampled_from(["variation", "users", "sum", "sum_squares", "Control", "B", "100",
                                               "5", "1e308", "inf", "nan", "-3", "1,5", '"q,"']),
                  NUMBERS.map(str), st.text(max_size=8))


@st.composite
def csv_texts(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = draw(st.lists(st.lists(CELLS, min_size=1, max_size=5), max_size=5))
    header = draw(st.sampled_from(["variation,users,sum", "variation;users;sum;sum_squares", "q1,q2,team", ""]))
    return header + "\n" + "\n".join(delimiter.join(row) for row in rows)


FILE_TEXTS = st.one_of(csv_texts(), csv_texts(), JSON_VALUES.map(lambda value: _encode(value).decode()),
                       st.integers(1, 100_000).map(lambda depth: "[" * depth + "]" * depth), TEXT)


@FUZZ
@given(text=FILE_TEXTS, metric_type=st.sampled_from(["mean", "binomial", "ratio"]))
def test_the_experiment_file_reader_only_refuses_with_a_message(text, metric_type):
    try:
        parse_aggregates(text, metric_type)
    except AggregatesFileError as error:
        assert str(error) and "\n" not in str(error)


@FUZZ
@given(data=st.one_of(FILE_TEXTS.map(lambda text: text.encode("utf-8", "surrogatepass")), st.binary(max_size=60)))
def test_the_survey_answers_reader_only_refuses_with_a_message(data):
    try:
        read_answers(data, items=["q1", "q2"], scale=LikertScale(1.0, 5.0), group="team")
    except AnswersFileError as error:
        assert str(error)


@FUZZ
@given(text=st.one_of(FILE_TEXTS, st.integers(1, 5000).map(lambda depth: "a: " + "[" * depth)))
def test_the_instrument_reader_only_refuses_with_a_message(text):
    try:
        parse_instrument(text)
    except InstrumentError as error:
        assert str(error)


@FUZZ
@given(data=st.one_of(FILE_TEXTS.map(lambda text: text.encode("utf-8", "surrogatepass")), st.binary(max_size=60)),
       front=st.sampled_from(["", "---\ntitle: T\n---\n", "---\ntags: " + "[" * 1200 + "\n---\n"]))
def test_the_markdown_reader_only_refuses_with_a_message(data, front):
    try:
        parse_file("entry.md", front.encode() + data)
    except FileProblem as error:
        assert str(error)


def test_the_import_readers_report_every_bad_file_by_row(admin):
    @FUZZ
    @given(data=st.one_of(FILE_TEXTS.map(lambda text: text.encode("utf-8", "surrogatepass")), st.binary(max_size=60)),
           header=st.sampled_from([b"name,kind\n", b"email;full_name;title\n", b""]))
    def check(data, header):
        with transaction.atomic():
            for importer in (import_teams, import_people):
                report = importer(by=admin, data=header + data, dry_run=False)
                assert report.ok or all(str(error) for error in report.errors)
            transaction.set_rollback(True)

    check()


def test_experiment_analyze_exits_2_with_one_line_on_any_bad_file(tmp_path):
    @FUZZ
    @given(text=FILE_TEXTS, suffix=st.sampled_from([".csv", ".json"]))
    def check(text, suffix):
        path = tmp_path / f"aggregates{suffix}"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            call_command("experiment", "analyze", str(path), "--metric-type", "mean", stdout=io.StringIO())
        except CommandError as error:
            assert error.returncode == 2
            assert "\n" not in str(error).strip()

    check()
