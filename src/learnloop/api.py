"""The REST API at /api/v1: one NinjaAPI, one router per domain, one error format.

Every error is JSON with a human-readable "detail" string; validation errors add "errors"
with the field-level problems, so clients can show a message without parsing anything.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from learnloop import __version__
from learnloop.accounts.api import router as tokens_router
from learnloop.accounts.services import person_for_token
from learnloop.audit.api import router as audit_router
from learnloop.org.api import router as org_router


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer ll_…` with a personal API token."""

    def authenticate(self, request, token):
        person = person_for_token(token)
        if person is not None:
            request.user = person
        return person


api = NinjaAPI(
    title="Learnloop API",
    version=__version__,
    description=(
        "Learnloop's REST API. Authenticate with a personal API token "
        "(`Authorization: Bearer ll_…`, create one under Account → API tokens) or, from the "
        "browser, with your session and CSRF token. Errors are JSON: `{\"detail\": \"message\"}`, "
        "plus `errors` with field-level problems for invalid input."
    ),
    urls_namespace="api",
    auth=[PersonalTokenAuth(), django_auth],
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


@api.exception_handler(NinjaValidationError)
def request_validation_error(request, error):
    problems = []
    for item in error.errors:
        location = ".".join(str(part) for part in item.get("loc", ()) if part not in {"body", "payload"})
        problems.append({"field": location, "message": item.get("msg", "invalid")})
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
    return api.create_response(
        request,
        {"detail": "Authentication required: send a personal API token as 'Authorization: Bearer <token>'."},
        status=401,
    )


@api.exception_handler(HttpError)
def http_error(request, error):
    return api.create_response(request, {"detail": str(error)}, status=error.status_code)


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(request, {"detail": str(error) or "Not found."}, status=404)


@api.exception_handler(ObjectDoesNotExist)
def object_not_found(request, error):
    return api.create_response(request, {"detail": "Not found."}, status=404)


api.add_router("/", org_router)
api.add_router("/tokens", tokens_router)
api.add_router("/audit", audit_router)
