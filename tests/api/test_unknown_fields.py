"""Unknown or inapplicable input is refused with a 400 that names it, never silently dropped
(issue 21, item 8). The first test walks every body schema the API takes, so an operation added
later with a plain `Schema` body (which would ignore unknown fields) fails here."""

import json
import re
import typing

import pytest
from pydantic import BaseModel

from learnloop.api import api

API = "/api/v1"
JSON = "application/json"


def _models(annotation) -> typing.Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models(argument)


def _input_models():
    """(operation, model) for every body model and every model nested in one."""
    api.urls  # noqa: B018 - binds the routers
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                for wrapper in operation.models:
                    if wrapper.__ninja_param_source__ not in {"body", "form"}:
                        continue
                    seen: set = set()
                    todo = [model for field in wrapper.model_fields.values() for model in _models(field.annotation)]
                    while todo:
                        model = todo.pop()
                        if model in seen:
                            continue
                        seen.add(model)
                        yield f"{'/'.join(operation.methods)} {bound.prefix}{path}", model
                        todo += [inner for field in model.model_fields.values() for inner in _models(field.annotation)]


def test_every_request_body_schema_refuses_unknown_fields():
    found = list(_input_models())
    assert len(found) > 50  # the walk reaches the API's bodies
    loose = sorted({f"{where}: {model.__name__}" for where, model in found
                    if model.model_config.get("extra") != "forbid"})
    assert not loose, "Request bodies must derive from learnloop.api_base.InputSchema:\n" + "\n".join(loose)


def test_the_openapi_document_says_so_too(client):
    components = client.get(f"{API}/openapi.json").json()["components"]["schemas"]
    bodies = set()
    for item in client.get(f"{API}/openapi.json").json()["paths"].values():
        for operation in item.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                bodies |= set(re.findall(r"#/components/schemas/(\w+)", json.dumps(content)))
    assert bodies
    for name in bodies:
        assert components[name].get("additionalProperties") is False, name


def _json_body_operations(client):
    document = client.get(f"{API}/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if JSON in content and "$ref" in content[JSON]["schema"]:
                yield method, re.sub(r"\{[^}]+\}", "1", path)


def test_an_unknown_field_is_a_400_naming_it_on_every_json_body(admin, api_as, client):
    caller = api_as(admin)
    operations = list(_json_body_operations(client))
    assert len(operations) > 40
    for method, path in operations:
        send = getattr(caller, method)
        response = send(path, json.dumps({"zz_not_a_field": 1}), content_type=JSON)
        assert response.status_code == 400, (method, path, response.status_code, response.content[:300])
        body = response.json()
        assert "zz_not_a_field" in body["errors"], (method, path, body)
        assert "zz_not_a_field" in body["detail"]


def test_a_valid_body_with_one_unknown_field_changes_nothing(admin, api_as, team):
    from learnloop.actions.models import Action

    caller = api_as(admin)
    response = caller.post(f"{API}/actions", {"title": "Roll back first", "team_id": team.pk, "owner_email": "x@y"},
                           content_type=JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == {"owner_email": ["Unknown field: this operation does not take it."]}
    assert response.json()["detail"].startswith("Unknown field owner_email")
    assert not Action.objects.exists()
    lesson = {"kind": "lesson", "title": "Roll back", "body": "Then debug.", "tags": ["a"], "colour": "red", "x": 1}
    response = caller.post(f"{API}/knowledge/entries", lesson, content_type=JSON)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"colour", "x"}


def test_unknown_field_and_a_wrong_type_are_reported_together(admin, api_as):
    response = api_as(admin).post(f"{API}/actions", {"title": 5, "colour": "red"}, content_type=JSON)
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"colour", "title"}


def test_nested_unknown_fields_are_named_by_their_path(admin, api_as, team):
    experiment = {"title": "Faster checkout", "team_id": team.pk, "change": "c", "effect": "e", "population": "p",
                  "success_metric": "s", "expected_delta": "+2%",
                  "variants": [{"name": "A"}, {"name": "B", "share": 2}],
                  "primary_metric": {"name": "conversion", "goal": "up"}}
    response = api_as(admin).post(f"{API}/experiments", experiment, content_type=JSON)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"variants.1.share", "primary_metric.goal"}


@pytest.mark.parametrize("path", ["/people?tema=3", "/actions?stauts=open", "/knowledge/entries?knd=lesson",
                                  "/reflection/sessions?teem=1", "/experiments?stat=running", "/me?x=1"])
def test_unknown_query_parameters_are_a_400_naming_them(admin, api_as, path):
    response = api_as(admin).get(f"{API}{path}")
    assert response.status_code == 400, response.content
    name = path.split("?")[1].split("=")[0]
    assert list(response.json()["errors"]) == [name]
