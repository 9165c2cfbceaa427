"""Holds every /api/v1 response the tests see to the published OpenAPI document.

tests/conftest.py routes each test client request through `check`: the status code must be one
the operation documents, and a JSON body must match the schema documented for that code. A test
whose request gets an answer the schema does not describe fails, so the schema can't drift from
what the handlers really do.

With LEARNLOOP_API_CONTRACT=record:PATH the problems are appended to PATH (one JSON object a
line) instead of failing the test, which is how the before/after counts in the report were taken.
"""

import functools
import json
import os
import re

from django.urls import Resolver404, resolve
from jsonschema import Draft202012Validator, FormatChecker

API = "/api/v1/"
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


class ContractViolation(AssertionError):
    pass


@functools.cache
def document() -> dict:
    from learnloop.api import api

    # Through JSON so status codes are the strings a client sees.
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix=API)))


@functools.cache
def _validator(path: str, method: str, status: str) -> Draft202012Validator | None:
    spec = document()
    if path is None:
        schema = {"$ref": "#/components/schemas/ErrorOut"} if "ErrorOut" in spec["components"]["schemas"] else None
    else:
        content = spec["paths"][path][method]["responses"][status].get("content", {})
        schema = content.get("application/json", {}).get("schema")
    if schema is None or uses(schema, PENDING_RENAMES):
        return None
    # The response schema refers to components by "#/components/…": make them resolvable from its root.
    return Draft202012Validator({**schema, "components": spec["components"]}, format_checker=FormatChecker())


def uses(schema: dict, names: set[str]) -> bool:
    """Whether a schema refers, directly or through other components, to one of these components."""
    components = document()["components"]["schemas"]
    seen, todo = set(), [schema]
    while todo:
        refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(todo.pop()))) - seen
        if refs & names:
            return True
        seen |= refs
        todo.extend(components[name] for name in refs if name in components)
    return False


def operation_of(method: str, url_path: str) -> tuple[str | None, str]:
    """The documented path an /api/v1 URL belongs to (None if there is none) and the method."""
    try:
        match = resolve(url_path)
    except Resolver404:
        return None, method
    if match.url_name == "unknown-path":
        return None, method
    if match.url_name.startswith("openapi-"):
        return "", method  # the document and the docs page themselves
    return "/" + _PARAMETER.sub(r"{\1}", match.route), method


def problems(method: str, url_path: str, response) -> list[str]:
    """What is wrong with a response, measured against the published schema (empty if nothing)."""
    method = method.lower()
    path, method = operation_of(method, url_path)
    if path == "":
        return []
    status = str(response.status_code)
    found = []
    label = f"{method.upper()} {url_path} -> {status}"
    operation = document()["paths"].get(path, {}).get(method) if path else None
    if operation is None:
        # An unknown path (404) or method (405): no operation to hold it to, but still the error shape.
        if response.status_code not in (404, 405):
            found.append(f"{label}: answered, but no documented operation matches")
        path = None
    elif status not in operation["responses"]:
        found.append(
            f"{label}: status {status} is not documented for {method.upper()} {path} "
            f"(documented: {', '.join(sorted(operation['responses']))})"
        )
        return found
    if getattr(response, "streaming", False):
        # An export streams its file: hold the media type to the documented ones, not the body.
        media = response.get("Content-Type", "").split(";")[0]
        documented = operation["responses"][status].get("content", {}) if operation else {}
        if media not in documented:
            found.append(f"{label}: streams {media}, which is not documented ({', '.join(documented) or 'none'})")
        return found
    if response.status_code == 204 or not response.get("Content-Type", "").startswith("application/json"):
        if response.status_code != 204 and response.content:
            found.append(f"{label}: body is {response.get('Content-Type')}, not JSON")
        return found
    validator = _validator(path, method, status)
    if validator is None:
        return found
    body = json.loads(response.content)
    for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))[:5]:
        where = "/".join(str(part) for part in error.absolute_path) or "(body)"
        found.append(f"{label}: {where}: {error.message[:300]}")
    return found


def check(method: str, url_path: str, response) -> None:
    found = problems(method, url_path, response)
    if not found:
        return
    target = os.environ.get("LEARNLOOP_API_CONTRACT", "")
    if target.startswith("record:"):
        test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
        with open(target.removeprefix("record:"), "a") as log:
            for problem in found:
                log.write(json.dumps({"test": test, "problem": problem}) + "\n")
        return
    raise ContractViolation("The response does not match the published API schema:\n" + "\n".join(found))


# Component names that two schema classes share, whose responses can't be checked until one side
# is renamed; test_schema_components fails as soon as this says more (or less) than the code does.
# Empty: keep it so.
PENDING_RENAMES: set[str] = set()
