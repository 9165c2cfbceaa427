"""Shared pieces for every domain's API router."""

from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """A request body. Unknown fields are refused (422) rather than silently ignored, so a typo
    or a field the caller may not set (like `role` on /me) never looks like it worked."""

    model_config = ConfigDict(extra="forbid")
