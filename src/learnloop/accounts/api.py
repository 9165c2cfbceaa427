"""API for personal tokens: list, create (the secret is returned once), revoke."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from learnloop.accounts.models import ApiToken
from learnloop.accounts.services import create_api_token, revoke_api_token
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


class TokenIn(Schema):
    name: str
    expires_in_days: int | None = None


@router.get("", response=list[TokenOut], summary="My API tokens")
def list_tokens(request):
    return list(ApiToken.objects.filter(person=request.user))


@router.post("", response={201: TokenCreatedOut}, summary="Create an API token")
def create_token(request, payload: TokenIn):
    token, raw = create_api_token(
        person=request.user,
        name=payload.name,
        expires_in_days=payload.expires_in_days,
        ip_address=client_ip(request),
    )
    token.token = raw
    return 201, token


@router.delete("/{token_id}", response=TokenOut, summary="Revoke one of my API tokens")
def revoke_token(request, token_id: int):
    # Admins may revoke anyone's token; everyone else only sees their own.
    tokens = ApiToken.objects.all() if request.user.is_admin else ApiToken.objects.filter(person=request.user)
    token = get_object_or_404(tokens.select_related("person"), pk=token_id)
    return revoke_api_token(by=request.user, token=token, ip_address=client_ip(request))
