"""The published description of the API: a valid OpenAPI document, documented operations that
really exist, and interactive docs that work without reaching out to a CDN."""

import json
import re

import pytest
from django.urls import Resolver404, resolve
from openapi_spec_validator import validate

from learnloop.api import api

pytestmark = pytest.mark.django_db

API = "/api/v1"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_openapi_document_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)  # raises with the first problem found


def test_openapi_document_describes_every_domain(schema):
    paths = set(schema["paths"])
    for expected in ("/api/v1/me", "/api/v1/people", "/api/v1/teams", "/api/v1/memberships",
                     "/api/v1/invitations", "/api/v1/import/people", "/api/v1/tokens", "/api/v1/audit"):
        assert expected in paths


def test_every_success_answer_has_a_body_schema(schema):
    # A client generated from the document needs the shape of each answer; 204 has no body.
    missing = []
    for path, method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if 200 <= int(code) < 300 and int(code) != 204:
                content = response.get("content", {})
                if content and all(media.get("schema", {}).get("format") == "binary" for media in content.values()):
                    continue  # a file download (an attachment): its body is the file
                body = content.get("application/json", {}).get("schema") or {}
                if not ({"$ref", "anyOf", "items", "properties", "additionalProperties"} & set(body)):
                    missing.append(f"{method.upper()} {path} {code}")
    assert missing == []


def test_every_operation_has_a_summary_or_description(schema):
    undocumented = [f"{method.upper()} {path}" for path, method, operation in _operations(schema)
                    if not (operation.get("summary") or operation.get("description"))]
    assert undocumented == []


def test_every_operation_is_summarised_by_hand_not_by_its_function_name():
    # django-ninja falls back to the view function's name ("Get Person"); a reader of the docs
    # deserves a sentence that says what the operation does.
    generated = []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                fallback = operation.view_func.__name__.title().replace("_", " ")
                if operation.summary == fallback and not operation.description:
                    generated.append(f"{','.join(operation.methods)} {path}")
    assert generated == []


def test_every_documented_path_and_method_is_routed(schema, admin, api_as):
    client = api_as(admin)
    for path, method, _ in _operations(schema):
        url = re.sub(r"\{[^}]+\}", "999999", path)
        try:
            match = resolve(url)
        except Resolver404:
            pytest.fail(f"{path} is documented but not routed")
        assert match.namespace == "api", path
        assert match.url_name != "unknown-path", f"{path} is documented but not routed"
        response = getattr(client, method)(url, content_type="application/json")
        # Unknown ids give 404 "Not found" from the operation, an empty body 422; never 405.
        assert response.status_code != 405, f"{method.upper()} {path} is documented but not routed"
        documented = schema["paths"][path][method]["responses"].get(str(response.status_code), {}).get("content", {})
        media = response["Content-Type"].split(";")[0]
        # JSON, or a file type the operation documents for this answer (an export's text/csv).
        assert media == "application/json" or media in documented, f"{method.upper()} {path}"


def test_interactive_docs_render_and_load_their_assets_from_this_server(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "swagger" in page.lower()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert any(asset.endswith(".js") for asset in assets)
    assert any(asset.endswith(".css") for asset in assets)
    # No address on a CDN anywhere in the page (a bare "cdn" can occur by chance in the page's
    # random CSP nonce, so only addresses are looked at).
    assert not re.search(r"(?:https?:)?//[^\s\"']*cdn", page, flags=re.IGNORECASE)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page), "docs load something from another host"
    for asset in assets:
        assert asset.startswith("/"), asset
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        if fetched.streaming:
            fetched.close()


def test_interactive_docs_point_at_this_apis_schema(client):
    page = client.get(f"{API}/docs").content.decode()
    assert f"{API}/openapi.json" in page


ERROR_SHAPES = {"ErrorOut", "BadInputOut", "InvalidRequestOut"}


def test_every_operation_documents_its_error_answers_with_the_shared_shapes(schema):
    problems = []
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        expected = {"422", "500"} if operation.get("parameters") or "requestBody" in operation else {"500"}
        if operation.get("security"):
            expected.add("401")
        if "{" in path:
            expected.add("404")
        if method != "get":
            expected |= {"400", "403"} if operation.get("security") else {"400"}
        if not expected <= codes:
            problems.append(f"{method.upper()} {path} lacks {sorted(expected - codes)}")
        for code, response in operation["responses"].items():
            if int(code) < 400:
                continue
            reference = json.dumps(response.get("content", {}))
            if not any(f"#/components/schemas/{shape}" in reference for shape in ERROR_SHAPES):
                problems.append(f"{method.upper()} {path} {code} is not a shared error shape")
    assert problems == []


def test_error_shapes_are_published(schema):
    components = schema["components"]["schemas"]
    assert components["ErrorOut"]["required"] == ["detail"]
    assert components["InvalidRequestOut"]["required"] == ["detail", "errors"]
    assert "errors" in components["BadInputOut"]["properties"]


def _request_texts(schema):
    """(component, property, schema) for every text property of a component a request body uses."""
    components = schema["components"]["schemas"]
    names, pending = set(), [
        media["schema"] for item in schema["paths"].values() for operation in item.values()
        for media in operation.get("requestBody", {}).get("content", {}).values()
    ]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if ref := node.get("$ref"):
                name = ref.rsplit("/", 1)[-1]
                if name not in names:
                    names.add(name)
                    pending.append(components[name])
            pending.extend(value for value in node.values() if isinstance(value, dict | list))
        elif isinstance(node, list):
            pending.extend(node)
    for name in sorted(names):
        for prop, details in components[name].get("properties", {}).items():
            for option in [details, *details.get("anyOf", []), details.get("items") or {}]:
                if option.get("type") == "string" and not {"format", "enum", "const"} & set(option):
                    yield name, prop, option


def test_every_text_a_request_sends_documents_its_longest_length(schema):
    texts = list(_request_texts(schema))
    assert len(texts) > 50  # the document has many: the walk found them
    assert [(name, prop) for name, prop, option in texts if "maxLength" not in option] == []
    limits = {(name, prop): option["maxLength"] for name, prop, option in texts}
    assert limits[("EntryIn", "body")] == 100_000 and limits[("EntryIn", "title")] == 10_000


def test_a_text_over_its_documented_length_is_refused_with_the_field_named(schema, member, api_as):
    [limit] = {option["maxLength"] for name, prop, option in _request_texts(schema)
               if (name, prop) == ("EntryIn", "title")}
    response = api_as(member).post("/api/v1/knowledge/entries", {"kind": "lesson", "title": "x" * (limit + 1)},
                                   content_type="application/json")
    assert response.status_code == 400
    assert "title" in json.dumps(response.json())
