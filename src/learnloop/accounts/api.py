"""API for personal tokens: list, create (the secret is returned once), revoke."""

from datetime import datetime

from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from learnloop.accounts.selectors import revocable_token, tokens_of
from learnloop.accounts.services import create_api_token, revoke_api_token
from learnloop.api_base import Id, InputSchema, Int32, Pagination
from learnloop.audit.request import client_ip

router = Router(tags=["API tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret. It is shown only in this response.")


class TokenIn(InputSchema):
    name: str
    expires_in_days: Int32 | None = None


@router.get("", response=list[TokenOut], summary="My API tokens, newest first")
@paginate(Pagination)
def list_tokens(request):
    return tokens_of(request.user)


@router.post("", response={201: TokenCreatedOut}, summary="Create an API token (its secret is shown once)")
def create_token(request, payload: TokenIn):
    token, raw = create_api_token(
        person=request.user,
        name=payload.name,
        expires_in_days=payload.expires_in_days,
        ip_address=client_ip(request),
    )
    token.token = raw
    return Status(201, token)


@router.delete("/{token_id}", response=TokenOut, summary="Revoke one of my API tokens (admins: anyone's)")
def revoke_token(request, token_id: Id):
    token = revocable_token(viewer=request.user, token_id=token_id)
    return revoke_api_token(by=request.user, token=token, ip_address=client_ip(request))
