"""docs/api.md cannot drift from the API: its endpoint tables name every operation of the OpenAPI
document, each under its tag, and nothing in it names an operation that doesn't exist."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

API = "/api/v1"
DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# `GET /people/{id}` or `DELETE /api/v1/tokens/{token_id}`: a method and a path in one code span.
MENTION = re.compile(rf"`({'|'.join(METHODS)}) ((?:{API})?/[^`\s?]*)")
ROW = re.compile(rf"^\|\s*`({'|'.join(METHODS)}) (/[^`\s]*)`\s*\|")


def _normal(method: str, path: str) -> str:
    """One spelling per operation: parameters are named as the reader likes ({id}, {n}, <id>)."""
    path = re.sub(r"\{[^}]*\}|<[^>]*>", "{}", path.removeprefix(API))
    return f"{method.upper()} {path}"


@pytest.fixture
def operations(client) -> dict[str, str]:
    """{"GET /people/{}": tag} for every operation the OpenAPI document publishes."""
    schema = client.get(f"{API}/openapi.json").json()
    return {
        _normal(method, path): operation["tags"][0]
        for path, item in schema["paths"].items() for method, operation in item.items()
        if method.upper() in METHODS
    }


def _endpoint_tables(text: str) -> list[tuple[str, str]]:
    """(operation, heading it is listed under) for each row of the tables under "## Endpoints"."""
    section = text.split("\n## Endpoints\n", 1)[1].split("\n## ", 1)[0]
    rows, heading = [], ""
    for line in section.splitlines():
        if line.startswith("### "):
            heading = line[4:].strip()
        elif match := ROW.match(line):
            rows.append((_normal(*match.groups()), heading))
    return rows


def test_the_endpoint_tables_list_every_operation_once_under_its_tag(operations):
    rows = _endpoint_tables(DOC.read_text())
    listed = [operation for operation, _ in rows]
    assert sorted(set(operations) - set(listed)) == [], "operations docs/api.md does not list"
    assert sorted({operation for operation in listed if listed.count(operation) > 1}) == [], "listed twice"
    misplaced = [f"{operation} under {heading!r}, tagged {operations[operation]!r}"
                 for operation, heading in rows if operation in operations and heading != operations[operation]]
    assert misplaced == []


def test_the_document_names_no_operation_that_does_not_exist(operations):
    named = {_normal(*match.groups()) for match in MENTION.finditer(DOC.read_text())}
    assert sorted(named - set(operations)) == []


def test_the_check_reads_the_tables_it_guards():
    # Guards the two tests above: they prove something only if rows and mentions are found.
    text = DOC.read_text()
    assert len(_endpoint_tables(text)) > 100
    assert _normal("get", "/api/v1/people/{person_id}") == _normal("GET", "/people/{id}") == "GET /people/{}"
