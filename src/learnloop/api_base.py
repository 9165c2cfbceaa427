"""Shared pieces for every domain's API router."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """A request body. Unknown fields are refused (422) rather than silently ignored, so a typo
    or a field the caller may not set (like `role` on /me) never looks like it worked."""

    model_config = ConfigDict(extra="forbid")


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
