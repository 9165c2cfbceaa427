"""Schemathesis over the whole published schema, as an admin, against the WSGI app in-process.

For every operation it generates valid requests (half of them aimed at ids that exist in a small
seeded organization, so handlers get past their look-ups) and invalid ones (wrong types, missing
or extra fields, out-of-range numbers) and checks:

- no server errors, and every status code and response body is one the schema documents;
- invalid requests are refused with a 4xx.

Each request runs in a savepoint that is rolled back, so destructive operations (deleting people,
deactivating the admin, closing a campaign) can't make the rest fail, and nothing is excluded.

Bounded for CI: LEARNLOOP_SCHEMATHESIS_EXAMPLES examples per operation and mode (default 3),
derandomized, so a run is repeatable. Findings are listed per operation with a curl command to
reproduce each; LEARNLOOP_SCHEMATHESIS_REPORT=PATH also writes them to PATH.
"""

import json
import os
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.api_contract import PENDING_RENAMES, document, uses

pytestmark = pytest.mark.django_db

API = "/api/v1"
JSON = "application/json"
EXAMPLES = int(os.environ.get("LEARNLOOP_SCHEMATHESIS_EXAMPLES", "3"))

# Operations left out of the run, each with its reason. Keep this empty unless an operation can't
# be tested this way at all; the savepoint around each request makes destructive ones safe.
EXCLUDED: dict[str, str] = {}

CHECKS = {
    schemathesis.GenerationMode.POSITIVE: [
        not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
    ],
    schemathesis.GenerationMode.NEGATIVE: [
        not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
        negative_data_rejection,
    ],
}


@contextmanager
def _connection_kept_open():
    """Django's test client keeps the connection (and so the test's transaction) open across
    requests by not closing old connections when a request starts or finishes; requests through
    the WSGI app need the same. (The test client reconnects the handler after each of its own
    requests, so this wraps only the Schemathesis part.)"""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _seed(admin) -> tuple[dict, list[str]]:
    """A small organization made through the API itself; returns the ids that exist, by the
    name of the path parameter that takes them, and what could not be made."""
    client = factories.token_client(admin)
    known: dict[str, object] = {}
    notes: list[str] = []

    def post(path, body=None, **extra):
        response = client.post(f"{API}{path}", body or {}, content_type=JSON, **extra)
        if response.status_code >= 300:
            notes.append(f"seed: POST {path} -> {response.status_code} {response.content[:200]!r}")
            return None
        return response.json() if response.content else {}

    member = factories.person(full_name="Sam Seed")
    department = factories.team(name="Seed department", kind="department")
    team = factories.team(name="Seed team", parent=department)
    factories.membership(admin, team, role="facilitator")
    membership = factories.membership(member, team)
    known |= {"person_id": member.pk, "team_id": team.pk, "membership_id": membership.pk}
    invitation = post("/invitations", {"email": "new.person@example.org", "full_name": "New Person"})
    known["invitation_id"] = invitation and invitation["id"]
    token = post("/tokens", {"name": "spare"})
    known["token_id"] = token and token["id"]

    lesson = post("/knowledge/entries", {"kind": "lesson", "title": "Roll back before you debug",
                                         "body": "When a deploy breaks checkout, roll back first."})
    question = post("/knowledge/entries", {"kind": "question", "title": "How do we roll back a deploy?"})
    if lesson and question:
        known["entry_id"] = lesson["id"]
        client.patch(f"{API}/knowledge/entries/{lesson['id']}", {"body": "Roll back first, then debug."},
                     content_type=JSON)
        known["number"] = 1
        link = post(f"/knowledge/entries/{lesson['id']}/links", {"target_id": question["id"]})
        known["link_id"] = link and link["id"]
        answer = post(f"/knowledge/entries/{question['id']}/answers", {"body": "With the deploy tool's undo."})
        known["answer_id"] = answer and answer["id"]

    action = post("/actions", {"title": "Write the rollback runbook", "team_id": team.pk})
    known["action_id"] = action and action["id"]

    experiment = post("/experiments", {
        "title": "Free shipping banner", "team_id": team.pk, "change": "a banner", "effect": "more orders",
        "population": "visitors", "success_metric": "conversion", "expected_delta": "+1%",
        "variants": [{"name": "Control"}, {"name": "Banner"}],
        "primary_metric": {"name": "conversion", "metric_type": "binomial"},
    })
    if experiment:
        known["experiment_id"] = experiment["id"]
        known["metric_id"] = experiment["metrics"][0]["id"]

    today = timezone.localdate()
    client.get(f"{API}/surveys/instruments")  # installs the built-in instruments
    known["slug"] = "pulse"
    campaign = post("/surveys/campaigns", {"name": "Seed pulse", "instrument": "pulse",
                                           "opens_on": today.isoformat(),
                                           "closes_on": (today + timedelta(days=14)).isoformat()})
    known["campaign_id"] = campaign and campaign["id"]

    templates = client.get(f"{API}/reflection/templates").json()["items"]
    known["template_id"] = templates[0]["id"] if templates else None
    session = post("/reflection/sessions", {"team_id": team.pk, "template_id": known["template_id"],
                                            "title": "Seed retro"})
    if session:
        known["session_id"] = session["id"]
    return {name: value for name, value in known.items() if value is not None}, notes


def _aim_at_known_ids(case, known: dict) -> None:
    for name in list(case.path_parameters or {}):
        if name in known:
            case.path_parameters[name] = known[name]


def _findings(operation, mode, headers, known) -> list[dict]:
    found: list[dict] = []

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy(generation_mode=mode), aim=st.booleans())
    def run(case, aim):
        if aim and mode is schemathesis.GenerationMode.POSITIVE:
            _aim_at_known_ids(case, known)  # (a negative case's path may be what is invalid)
        # The admin's token, unless the case is about a broken Authorization header.
        case.headers = {**headers, **(case.headers or {})}
        with transaction.atomic():
            response = case.call()
            transaction.set_rollback(True)
        try:
            case.validate_response(response, checks=CHECKS[mode], headers=case.headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                found.append({
                    "operation": operation.label, "mode": mode.value, "check": failure.title,
                    "status": response.status_code, "message": str(failure.message)[:500],
                    "curl": case.as_curl_command(),
                })

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid (no parameters, no body): there is no negative request to send.
        if mode is not schemathesis.GenerationMode.NEGATIVE:
            raise
    return found


def _report(findings: list[dict], notes: list[str]) -> str:
    by_kind = defaultdict(list)
    for finding in findings:
        by_kind[(finding["operation"], finding["check"])].append(finding)
    lines = [f"{len(by_kind)} distinct findings ({len(findings)} failing requests):"]
    for (label, check), items in sorted(by_kind.items()):
        first = items[0]
        lines.append(f"- {label}: {check} ({len(items)}×, {first['mode']}, e.g. status {first['status']})")
        lines.append(f"    {first['message'].splitlines()[0] if first['message'] else ''}")
        lines.append(f"    {first['curl']}")
    lines.extend(notes)
    return "\n".join(lines)


def test_schemathesis_finds_nothing_over_the_whole_schema(admin):
    started = time.monotonic()
    known, notes = _seed(admin)
    _, raw = factories.create_api_token(person=admin, name="schemathesis")
    headers = {"Authorization": f"Bearer {raw}"}
    with _connection_kept_open():
        findings, pending, operations, timings = _run_schemathesis(headers, known)
    elapsed = time.monotonic() - started
    report = _report(findings, notes)
    if pending:
        report += "\n\nWaiting for a component rename (not failed on):\n" + _report(pending, [])
    slowest = sorted(timings.items(), key=lambda item: -item[1])[:5]
    print("\nSlowest:", ", ".join(f"{label} {mode} {seconds:.1f} s" for (label, mode), seconds in slowest))
    print(f"\nSchemathesis: {operations} operations, {EXAMPLES} examples per mode, {elapsed:.0f} s\n{report}")
    if target := os.environ.get("LEARNLOOP_SCHEMATHESIS_REPORT"):
        with open(target, "w") as out:
            json.dump({"operations": operations, "seconds": round(elapsed, 1), "findings": findings,
                       "pending": pending, "seed_notes": notes, "excluded": EXCLUDED}, out, indent=1)
    assert operations > 100  # the whole schema, not a part that happened to load
    assert not findings, report
    assert not notes, "\n".join(notes)


def _run_schemathesis(headers, known):
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", get_wsgi_application())

    findings: list[dict] = []
    pending: list[dict] = []
    operations = 0
    timings = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in EXCLUDED:
            continue
        operations += 1
        # Until another branch renames reflection's side of a shared component name, the published
        # schema of operations that use it is wrong; their findings are listed, not failed on.
        waits_for_rename = uses(document()["paths"][operation.path][operation.method.lower()], PENDING_RENAMES)
        for mode in CHECKS:
            began = time.monotonic()
            for finding in _findings(operation, mode, headers, known):
                schema_violation = finding["check"] == "Response violates schema"
                (pending if waits_for_rename and schema_violation else findings).append(finding)
            timings[(operation.label, mode.value)] = time.monotonic() - began

    return findings, pending, operations, timings
