"""Shared pieces for every domain's API router."""

import types
import typing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Literal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination
from ninja.renderers import JSONRenderer
from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

# Integers a client sends are bounded where they enter, so a number no column can hold is the
# client's mistake (422), not a database overflow (500): ids are BigAutoField keys, other whole
# numbers (version numbers, counts, days) fit the smallest integer column both databases have.
MAX_ID = 2**63 - 1
MAX_INT = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Number = Annotated[int, Field(ge=1, le=MAX_INT)]  # a version number and the like: counted from 1
# A whole number whose real range is a domain rule: the service answers 400 with the reason, this
# only keeps it storable.
Int32 = Annotated[int, Field(ge=-MAX_INT - 1, le=MAX_INT)]


class PersonRef(Schema):
    """A person as other objects name them. One class for every router: the OpenAPI document
    files schemas by class name, so look-alike copies would clash there."""

    id: int
    full_name: str
    email: str


class TeamRef(Schema):
    """A team as other objects name them (one class for every router, like PersonRef)."""

    id: int
    name: str
    slug: str


def _json_kinds(annotation) -> set[type]:
    """The JSON value types a field's annotation admits (None for "anything")."""
    if annotation in (int, float, bool, str):
        return {annotation}
    if annotation is type(None):
        return {type(None)}
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return {type(value) for value in typing.get_args(annotation)}
    if origin in (typing.Union, types.UnionType, Annotated):
        arguments = typing.get_args(annotation)
        kinds = [_json_kinds(argument) for argument in (arguments[:1] if origin is Annotated else arguments)]
        return None if any(kind is None for kind in kinds) else set().union(*kinds)
    return None  # dates, lists, nested schemas, dicts: pydantic's own checks suffice


_JSON_NAMES = {int: "an integer", float: "a number", bool: "a boolean", str: "a string"}


def _wrong_json_type(kinds: set[type], value) -> str | None:
    if isinstance(value, bool):
        return None if bool in kinds else "a boolean"
    if isinstance(value, str) and str not in kinds and kinds & {int, float, bool}:
        return "a string"
    if isinstance(value, float) and float not in kinds and int in kinds:
        return "a number with a fraction part" if not value.is_integer() else "a decimal number"
    return None


class InputSchema(Schema):
    """A request body. Unknown fields are refused (400, naming them) rather than silently ignored, so a typo
    or a field the caller may not set (like `role` on /me) never looks like it worked.

    JSON types are taken at their word too: pydantic would turn `"5"`, `true` or `5.0` into the
    integer 5, and a client whose request doesn't match the published schema should hear so."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_loose_json_types(cls, data):
        if not isinstance(data, dict):
            return data
        for name, field in cls.model_fields.items():
            key = field.alias or name
            if key not in data:
                continue
            kinds = _json_kinds(field.annotation)
            values = [data[key]]
            if kinds is None and typing.get_origin(field.annotation) is list and isinstance(data[key], list):
                kinds, values = _json_kinds(typing.get_args(field.annotation)[0]), data[key]
            for value in values if kinds else []:
                wrong = _wrong_json_type(kinds, value)
                if wrong:
                    expected = " or ".join(sorted(_JSON_NAMES[kind] for kind in kinds if kind in _JSON_NAMES))
                    raise PydanticCustomError("json_type", f"{key}: expected {expected}, got {wrong}")
        return data


@contextmanager
def request_fields(**renames: str) -> Iterator[None]:
    """Name a service's fields as the request does ("manager" -> "manager_id"), so a client
    finds each problem under the field it sent."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {renames.get(field, field): problems for field, problems in error.error_dict.items()}
        ) from error


def person_ref(person_id: int, *, field: str, active: bool = False):
    """A person named in a body or a filter: an unknown id (or, with active=True, someone
    deactivated) is the client's bad input (400)."""
    people = get_user_model().objects.filter(pk=person_id)
    person = (people.filter(is_active=True) if active else people).first()
    if person is None:
        raise ValidationError({field: f"No {'active ' if active else ''}person with id {person_id}."})
    return person


def team_ref(team_id: int, *, field: str, current: bool = False):
    """A team named in a body or a filter: an unknown id (or, with current=True, an archived
    team) is the client's bad input (400). The model is looked up by name: the shared API layer
    sits below the apps and imports none of them."""
    teams = apps.get_model("org", "Team").objects.filter(pk=team_id)
    team = (teams.filter(archived_at=None) if current else teams).first()
    if team is None:
        raise ValidationError({field: f"No team with id {team_id}."})
    return team


# --- Errors ----------------------------------------------------------------------------------------
# Every error answer is JSON with a human-readable `detail`; these are its documented shapes.


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in a sentence a person can read.")


class BadInputOut(ErrorOut):
    """400: the request was well formed but the data breaks a rule (or the body isn't JSON)."""

    errors: dict[str, list[str]] | None = Field(
        None, description="The problems by field, as the request named them; absent for a body that isn't JSON."
    )


class FieldProblemOut(Schema):
    field: str = Field(description="Where, as sent: a body field (dotted for nested ones) or a parameter.")
    message: str


class InvalidRequestOut(ErrorOut):
    """422: the request does not fit the operation's parameters or body schema."""

    errors: list[FieldProblemOut]


ERROR_SCHEMAS = {
    400: BadInputOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 405: ErrorOut, 409: ErrorOut, 413: ErrorOut,
    422: InvalidRequestOut, 500: ErrorOut, 503: ErrorOut,
}

ERROR_DESCRIPTIONS = {
    400: "Bad input: a field or query parameter the operation doesn't take, or a rule about the data was "
         "broken (errors by field), or the body is not JSON",
    401: "Not authenticated: no credentials, or an unusable API token",
    403: "Not allowed: a permission rule says no, or a browser session's CSRF token is missing",
    404: "Not found, or not visible to you",
    409: "Conflict with the current state",
    413: "The request body is too large",
    422: "The request does not fit the parameters or body schema (errors list each problem)",
    500: "Unexpected failure on the server; it was logged",
    503: "Nothing can be saved right now (the server's disk is full or its data is read-only); reads still work",
}


def errors(*codes: int) -> dict[int, type[Schema]]:
    """Error answers an operation gives beyond the ones every operation of its shape can give
    (see `standard_error_codes`): `response={200: ThingOut, **errors(403)}`."""
    return {code: ERROR_SCHEMAS[code] for code in codes}


def standard_error_codes(method: str, operation: dict) -> set[int]:
    """The error codes the API's own machinery can answer for an operation, whatever its handler
    does: from its authentication, CSRF check, parameters and body (see learnloop.api)."""
    codes = {500}
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    writes = method.lower() not in {"get", "head", "options"}
    if operation.get("security"):
        codes.add(401)
        if writes:
            codes.add(403)  # a browser session without its CSRF token
    codes.add(400)  # an unknown query parameter (any operation) or body field is refused, naming it
    if writes:
        codes.add(503)  # storage can't be written (learnloop.ops.storage); reads go on
    if parameters or has_body:
        codes.add(422)
    if has_body:
        codes |= {400, 413}  # not JSON; larger than DATA_UPLOAD_MAX_MEMORY_SIZE
    if any(parameter["in"] == "path" for parameter in parameters):
        codes.add(404)  # every id in a path is looked up
    return codes


def document_errors(schema: dict) -> dict:
    """Add the standard error answers (and the error shapes) to every operation of an OpenAPI
    document, so none can be forgotten; codes an operation declares itself are kept."""
    from ninja.openapi.schema import REF_TEMPLATE
    from ninja.schema import NinjaGenerateJsonSchema

    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in {*ERROR_SCHEMAS.values()}:
        generated = model.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
        )
        components.update(generated.pop("$defs", {}))
        components[model.__name__] = generated
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for code in sorted(standard_error_codes(method, operation)):
                if code in responses or str(code) in responses:
                    continue
                responses[code] = {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(
                        model=ERROR_SCHEMAS[code].__name__)}}},
                }
            # Descriptions for codes declared with errors(): ninja only knows "Bad Request" and friends.
            for code, response in responses.items():
                if int(code) in ERROR_DESCRIPTIONS and response.get("description") in (None, "", *_GENERIC):
                    response["description"] = ERROR_DESCRIPTIONS[int(code)]
    return schema


_GENERIC = {"Bad Request", "Unauthorized", "Forbidden", "Not Found", "Conflict", "Unprocessable Content",
            "Unprocessable Entity", "Content Too Large", "Payload Too Large", "Internal Server Error",
            "Service Unavailable"}


class Pagination(LimitOffsetPagination):
    """The one way every API list pages (`@paginate(Pagination)`; docs/api.md, "Lists"): `limit`
    (default 50, at most 500) and `offset` in, `{"items": [...], "count": N, "next": URL}` out,
    where count is every matching item, so a client sees when there is more, and next is the
    URL of the following page (the same filters, offset moved on by limit), or null on the
    last one. ninja's limit/offset pagination, with an upper bound on `offset` too: an offset no
    database takes (SQLite refuses one past 2⁶³) is the client's mistake (422), not a crash.
    tests/api/test_pagination.py checks that every list in the OpenAPI document pages this way."""

    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT,
                           description="How many items to return (at most "
                                       f"{ninja_settings.PAGINATION_MAX_LIMIT}).")
        offset: int = Field(0, ge=0, le=MAX_INT, description="How many matching items to skip.")

    class Output(Schema):
        items: list
        count: int = Field(description="How many items match in all, on every page.")
        next: str | None = Field(description="The URL of the next page (same filters and limit), or null when "
                                             "this page is the last.")

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        following = pagination.offset + pagination.limit
        page["next"] = None
        if following < page["count"] and following <= MAX_INT:
            query = request.GET.copy()
            query["limit"], query["offset"] = str(pagination.limit), str(following)
            page["next"] = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return page


class Shown(Sequence):
    """A queryset shown through a function (a row to the dict the API answers with), applied
    only to the rows of the page Pagination cuts: the count stays a COUNT query. `each_page`
    instead takes the page's rows at once (to look up what they need in one query)."""

    def __init__(self, rows, show: Callable | None = None, *, each_page: Callable | None = None):
        self.rows = rows
        self.show_page = each_page or (lambda page: [show(row) for row in page])

    def __len__(self) -> int:
        return self.rows.count() if hasattr(self.rows, "count") and not isinstance(self.rows, list) else len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.show_page(self.rows[index])
        return self.show_page([self.rows[index]])[0]


# --- Input rules for every request -----------------------------------------------------------------
# learnloop.api wires these into every operation, so a field can't be left unchecked.

UNPARSED = object()


def checked_json_body(request):
    """The request's JSON body, parsed once, with every text checked (learnloop.input_rules):
    a NUL, a lone surrogate (`"\\ud800"` is valid JSON but no valid text) or an over-long text
    is the client's bad input (400, named by field), as is a body nested too deep. UNPARSED when
    the body isn't JSON; ninja then answers that itself."""
    import json

    from learnloop.input_rules import length_problem, load_json, text_limit, text_problem, walk_texts

    cached = getattr(request, "_learnloop_json", None)
    if cached is not None:
        return cached
    try:
        data = load_json(request.body)
    except json.JSONDecodeError:
        return UNPARSED
    except ValueError as error:  # too deep
        raise ValidationError(f"The request body {error}") from None
    problems: dict[str, list[str]] = {}
    for where, text in walk_texts(data):
        name = next((part for part in reversed(where.split(".")) if not part.isdigit()), "")
        problem = text_problem(text) or length_problem(text, text_limit(name))
        if problem:
            problems.setdefault(where or "body", []).append(f"The text {problem}")
    if problems:
        raise ValidationError(problems)
    request._learnloop_json = data
    return data


def parameter_problems(request, path_params: dict) -> list[dict]:
    """Query and path parameters whose text can't be used (NUL, lone surrogate), as ninja
    validation problems (422, like any other parameter that doesn't fit)."""
    from learnloop.input_rules import text_problem

    found = []
    for source, values in (("query", [(key, value) for key in request.GET for value in request.GET.getlist(key)]),
                           ("path", list(path_params.items()))):
        for key, value in values:
            if isinstance(value, str) and (problem := text_problem(value)):
                found.append({"loc": (source, key), "msg": f"The text {problem}"})
    return found


def document_text_limits(schema: dict) -> dict:
    """Give every text a request body can hold its `maxLength` in the OpenAPI document: the limit
    checked_json_body applies (learnloop.input_rules, by field name), unless the schema declares a
    tighter one. Only schemas reachable from request bodies: a response may quote more."""
    from learnloop.input_rules import text_limit

    components = schema.get("components", {}).get("schemas", {})
    prefix = "#/components/schemas/"
    pending = [
        media["schema"]
        for item in schema.get("paths", {}).values()
        for operation in item.values()
        for media in operation.get("requestBody", {}).get("content", {}).values()
        if "schema" in media
    ]
    seen: set[int] = set()

    def limit_texts(node, name: str) -> None:
        if not isinstance(node, dict) or id(node) in seen:
            return
        seen.add(id(node))
        reference = node.get("$ref", "")
        if reference.startswith(prefix):
            limit_texts(components.get(reference[len(prefix):]), name)
        if node.get("type") == "string" and "format" not in node and "enum" not in node and "const" not in node:
            node.setdefault("maxLength", text_limit(name))
        for property_name, property_schema in node.get("properties", {}).items():
            limit_texts(property_schema, property_name)
        for key in ("items", "additionalProperties"):
            limit_texts(node.get(key), name)
        for key in ("anyOf", "oneOf", "allOf"):
            for option in node.get(key, ()):
                limit_texts(option, name)

    for body in pending:
        limit_texts(body, "")
    return schema


# --- Exports ---------------------------------------------------------------------------------------
# A list as a file (learnloop.web.tables writes it; docs/exports.md): `?format=csv` or `json`.

ExportFormat = Literal["csv", "json"]

EXPORT_OPENAPI = {
    "responses": {
        200: {
            "description": "The whole list as a download: CSV (UTF-8 with a byte order mark; text that a "
                           "spreadsheet would run as a formula starts with ') or a JSON array of objects "
                           "with the CSV's columns as keys",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        },
    },
}


def prebuilt_answer(data, *, status: int = 200) -> HttpResponse:
    """An answer whose body the handler built itself as plain values, written as the API's
    renderer writes every answer. ninja then does not validate it against the operation's
    response schema (it passes responses through as they are), which is the point on a hot
    path (the search: a page of 100 hits took 4.5 ms to validate); the schema still documents it,
    and a test must hold the body equal to what the schema would have made."""
    renderer = JSONRenderer()
    return HttpResponse(
        renderer.render(None, data, response_status=status), status=status,
        content_type=f"{renderer.media_type}; charset={renderer.charset}",
    )
