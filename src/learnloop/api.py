"""The REST API at /api/v1: one NinjaAPI, one router per domain, one error format.

Every error is JSON with a human-readable "detail" string; validation errors add "errors"
with the field-level problems, so clients can show a message without parsing anything. That
holds for paths and methods that don't exist and for unexpected failures too: nothing under
/api/v1 answers with an HTML error page.
"""

import logging
from functools import wraps

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.core import signals
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError
from django.http import Http404, HttpResponseNotAllowed
from django.urls import URLPattern, re_path, reverse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import REF_TEMPLATE, flatten_properties
from ninja.parser import Parser
from ninja.schema import NinjaGenerateJsonSchema
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from learnloop import __version__
from learnloop.accounts.api import router as tokens_router
from learnloop.accounts.services import person_for_token
from learnloop.api_base import (
    UNPARSED,
    checked_json_body,
    document_errors,
    document_text_limits,
    parameter_problems,
)
from learnloop.audit.api import router as audit_router
from learnloop.integrations.webhook_openapi import webhooks_section
from learnloop.ops import storage
from learnloop.org.api import router as org_router
from learnloop.org.attribute_api import router as person_attributes_router

logger = logging.getLogger("learnloop.api")

NOT_AUTHENTICATED = (
    "Authentication required: send a personal API token as 'Authorization: Bearer <token>', "
    "or sign in from the browser."
)
UNUSABLE_CREDENTIALS = (
    "Authentication required: this API token is unknown, revoked or expired, or its owner was "
    "deactivated. Create a new one under Account → API tokens."
)
CSRF_FAILED = (
    "CSRF check failed: requests that change something with your browser session must send the "
    "CSRF cookie's value (csrftoken; __Host-csrftoken in production) in the X-CSRFToken header "
    "(or use an API token instead)."
)


class InvalidToken(AuthenticationError):
    """A bearer token was sent and doesn't work."""


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer ll_…` with a personal API token."""

    def authenticate(self, request, token):
        person = person_for_token(token)
        if person is None:
            # A client that sent a token meant to use it: say it is invalid (401) instead of
            # falling through to session auth, whose CSRF check would answer 403.
            raise InvalidToken()
        request.user = person
        return person


class BrowserSessionAuth(SessionAuth):
    """The browser's session; changes also need the CSRF token.

    Unlike ninja's SessionAuth, this only checks CSRF for a signed-in session, so a request
    without any credentials gets 401 rather than a CSRF error.
    """

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, CSRF_FAILED)
        return user


def _query_parameter_names(operation) -> set[str]:
    """The query parameters an operation declares, named as the OpenAPI document names them."""
    names = set()
    for model in operation.models:
        if model.__ninja_param_source__ != "query":
            continue
        schema = model.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema)
        for name, details in schema.get("properties", {}).items():
            names |= {flat for flat, _, _ in flatten_properties(name, details, False, schema.get("$defs", {}))}
    return names


UNKNOWN_QUERY_PARAMETER = "Unknown query parameter: this operation does not take it."
UNKNOWN_BODY_FIELD = "Unknown field: this operation does not take it."


def _refuse_unknown_query_parameters(operation) -> None:
    """Like a body's unknown fields (api_base.InputSchema), a query parameter the operation doesn't
    take is refused (400, naming it): `?tema=3` must not look like a filter that worked, least of
    all on an export, where the file would quietly hold everything. The parameters' and
    the body's texts are checked against the input rules here too (api_base.checked_json_body)."""
    if getattr(operation, "_refuses_unknown_query", False):
        return
    # Named on the operation's first request, not here: working them out builds the query
    # model's JSON schema, and this runs for every operation whenever the URLs load
    # (api_loading.py: `learnloop check` and every command that reverses a URL pay for it).
    known: set[str] | None = None
    get_values = operation._get_values

    def checked_get_values(request, path_params, temporal_response):
        nonlocal known
        if known is None:
            known = _query_parameter_names(operation)  # two first requests at once: the same set twice
        unknown = sorted(set(request.GET) - known)
        if unknown:
            raise NinjaValidationError(
                [{"loc": ("query", name), "msg": UNKNOWN_QUERY_PARAMETER, "type": "extra_forbidden"}
                 for name in unknown]
            )
        if problems := parameter_problems(request, path_params):
            raise NinjaValidationError(problems)
        if request.body and request.content_type == "application/json":
            checked_json_body(request)  # the input rules; CheckedParser then hands ninja the result
        return get_values(request, path_params, temporal_response)

    operation._get_values = checked_get_values
    operation._refuses_unknown_query = True


class CheckedParser(Parser):
    """ninja's JSON parser, reusing the body the input rules already parsed and checked."""

    def parse_body(self, request):
        data = checked_json_body(request)
        if data is UNPARSED:
            raise ValueError("The request body is not JSON.")
        return data


class LearnloopAPI(NinjaAPI):
    """NinjaAPI whose unknown paths and unsupported methods also answer in JSON, and whose
    OpenAPI document lists the error answers of every operation."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["webhooks"] = webhooks_section()
        return document_text_limits(document_errors(schema))

    def _get_urls(self):
        for bound in self._get_bound_routers():
            for path_view in bound.path_operations.values():
                for operation in path_view.operations:
                    _refuse_unknown_query_parameters(operation)
        urls = [
            URLPattern(url.pattern, self._json_method_errors(url.callback), url.default_args, url.name)
            if isinstance(url, URLPattern)
            else url
            for url in super()._get_urls()
        ]
        # Like every API view, exempt from Django's CSRF middleware (which answers in HTML):
        # there is nothing here to protect.
        urls.append(re_path(r"^.*$", csrf_exempt(self._unknown_path), name="unknown-path"))
        return urls

    def _json_method_errors(self, view):
        if iscoroutinefunction(view):
            return view

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                replacement = self.create_response(
                    request,
                    {"detail": f"{request.method} is not supported here; use {allowed}."},
                    status=405,
                )
                replacement["Allow"] = allowed
                return replacement
            return response

        return wrapper

    def _unknown_path(self, request):
        docs = reverse(f"{self.urls_namespace}:openapi-view")
        return self.create_response(
            request,
            {"detail": f"There is no API endpoint at {request.path}; {docs} lists them all."},
            status=404,
        )


class BundledSwagger(Swagger):
    """The docs page from the copy of Swagger UI that ninja ships, served as our own static
    files. ninja uses it only when it is an installed app, and otherwise loads Swagger UI from
    a CDN, which the Content-Security-Policy refuses; it is not installed so that commands that
    never serve the API don't import it (see NINJA_DIR in settings)."""

    template_cdn = str(settings.NINJA_DIR / "templates" / "ninja" / "swagger.html")


api = LearnloopAPI(
    title="Learnloop API",
    version=__version__,
    description=(
        "Learnloop's REST API. Authenticate with a personal API token "
        "(`Authorization: Bearer ll_…`, create one under Account → API tokens) or, from the "
        "browser, with your session and CSRF token. Errors are JSON: `{\"detail\": \"message\"}`, "
        "plus `errors` with field-level problems for invalid input."
    ),
    urls_namespace="api",
    parser=CheckedParser(),
    auth=[PersonalTokenAuth(), BrowserSessionAuth()],
    docs=BundledSwagger(),
    docs_url="/docs",
)


def _field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(message) for item in items for message in item.messages]
                for field, items in error.error_dict.items()}
    return {"__all__": [str(message) for message in error.messages]}


@api.exception_handler(DjangoValidationError)
def domain_validation_error(request, error):
    errors = _field_errors(error)
    message = " ".join(message for messages in errors.values() for message in messages)
    return api.create_response(request, {"detail": message, "errors": errors}, status=400)


# Where ninja says a problem was found; the field is named as the client sent it.
_PARAMETER_SOURCES = {"query", "path", "header", "cookie", "form", "file"}


def _field_name(location) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] == "body":
        parts = parts[2:]  # "body", then the operation's parameter name ("payload")
    elif parts and parts[0] in _PARAMETER_SOURCES:
        parts = parts[1:]
    return ".".join(parts)


def _is_unknown_field(item) -> bool:
    return item.get("type") == "extra_forbidden"


@api.exception_handler(NinjaValidationError)
def request_validation_error(request, error):
    problems = [
        {"field": _field_name(item.get("loc", ())),
         "message": UNKNOWN_BODY_FIELD if _is_unknown_field(item) and item.get("loc", ("",))[0] == "body"
         else item.get("msg", "invalid")}
        for item in error.errors
    ]
    unknown = [problem["field"] for item, problem in zip(error.errors, problems, strict=True)
               if _is_unknown_field(item)]
    if unknown:
        # A field or parameter the operation doesn't take is refused, never dropped: 400 in the
        # same shape as a field a rule refuses (BadInputOut), naming every such field; any other
        # problem found in the same request is listed with them.
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(problem["field"] or "__all__", []).append(problem["message"])
        noun = "field" if len(unknown) == 1 else "fields"
        return api.create_response(
            request,
            {"detail": f"Unknown {noun} {', '.join(unknown)}: this operation does not take "
                       f"{'it' if len(unknown) == 1 else 'them'}, and nothing was done.",
             "errors": by_field},
            status=400,
        )
    message = "; ".join(f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems)
    return api.create_response(
        request, {"detail": f"Invalid request: {message}", "errors": problems}, status=422
    )


@api.exception_handler(PermissionDenied)
def permission_denied(request, error):
    message = str(error) or "You don't have permission to do that."
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(AuthenticationError)
def not_authenticated(request, error):
    message = UNUSABLE_CREDENTIALS if isinstance(error, InvalidToken) else NOT_AUTHENTICATED
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def http_error(request, error):
    return api.create_response(request, {"detail": str(error)}, status=error.status_code)


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(request, {"detail": str(error) or "Not found."}, status=404)


@api.exception_handler(ObjectDoesNotExist)
def object_not_found(request, error):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, error):
    return api.create_response(request, {"detail": "The request body is too large."}, status=413)


@api.exception_handler(SuspiciousOperation)
def suspicious_request(request, error):
    return api.create_response(request, {"detail": "The request could not be processed."}, status=400)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def value_out_of_range(request, error):
    # The last line of defence behind the bounds the schemas declare (learnloop.api_base.Id and
    # friends): a number or text the database can't store is the client's bad input, not a crash.
    logger.warning("Value out of range in %s %s: %s", request.method, request.path, error)
    return api.create_response(
        request, {"detail": "A value in the request is out of range or too long for what it is stored in."},
        status=400,
    )


STORAGE_UNAVAILABLE = (
    "Nothing can be saved right now: {description}. Nothing in this request was saved; reading "
    "still works. Try again later."
)


@api.exception_handler(DatabaseError)
@api.exception_handler(OSError)
def storage_unavailable(request, error):
    # A full disk or read-only data is the server's condition, not a bug: say so (503) and let
    # the client retry; anything else is an unexpected error like any other.
    condition = storage.note_failure(error)
    if condition is None:
        return unexpected_error(request, error)
    response = api.create_response(
        request, {"detail": STORAGE_UNAVAILABLE.format(description=condition.description)}, status=503
    )
    response["Retry-After"] = "60"
    response._has_been_logged = True  # the condition is logged once (learnloop.ops.storage), not per request
    return response


@api.exception_handler(Exception)
def unexpected_error(request, error):
    # Logged and signalled like Django's own handler does (so error reporting and the test
    # client still see it), but answered in the API's format instead of an HTML page.
    logger.error("Unexpected error in %s %s", request.method, request.path, exc_info=error)
    signals.got_request_exception.send(sender=None, request=request)
    return api.create_response(
        request, {"detail": "Something went wrong on our side; the error was logged."}, status=500
    )


api.add_router("/", org_router)
api.add_router("/", person_attributes_router)
api.add_router("/tokens", tokens_router)
api.add_router("/audit", audit_router)
api.add_router("/tasks", "learnloop.ops.api.router")
api.add_router("/knowledge", "learnloop.knowledge.api.router")
api.add_router("/knowledge", "learnloop.knowledge.attachment_api.router")
api.add_router("/actions", "learnloop.actions.api.router")
api.add_router("/reflection", "learnloop.reflection.api.router")
api.add_router("/experiments", "learnloop.experiments.api.router")
api.add_router("/experiments", "learnloop.experiments.warehouse_api.router")
api.add_router("/warehouse-metrics", "learnloop.experiments.warehouse_api.library_router")
api.add_router("/surveys", "learnloop.surveys.api.router")
api.add_router("/growth", "learnloop.growth.api.router")
api.add_router("/insights", "learnloop.insights.metrics_api.router")
api.add_router("/insights", "learnloop.insights.themes_api.router")
api.add_router("/network", "learnloop.network.api.router")
api.add_router("/systems", "learnloop.systems.api.router")
api.add_router("/strategy", "learnloop.strategy.api.router")
api.add_router("/webhooks", "learnloop.integrations.api.router")
api.add_router("/calendars", "learnloop.integrations.calendar_api.router")
api.add_router("/notification-preferences", "learnloop.integrations.preferences_api.router")
api.add_router("/chat-channels", "learnloop.integrations.chat_api.router")
