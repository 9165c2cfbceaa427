"""Personal API tokens. (Sign-in limits are in throttle.py, the second factor in two_factor.py.)"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.accounts.models import ApiToken
from learnloop.accounts.tokens import hash_secret, new_secret
from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.ops import storage

TOKEN_PREFIX = "ll_"  # noqa: S105 (a public prefix, not a secret)
# Writing last_used_at on every API call would turn every read into a write; once a minute
# is precise enough to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_api_token(
    *, person, name: str, expires_in_days: int | None = None, ip_address: str | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("Give the token a name so you can recognise it later.")})
    if len(name) > 100:
        raise ValidationError({"name": gettext("Keep the name under 100 characters.")})
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise ValidationError({"expires_in_days": gettext("Expiry must be between 1 and 3650 days.")})
    raw = new_secret(TOKEN_PREFIX)
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            person=person,
            name=name,
            prefix=raw[:10],
            token_hash=hash_secret(raw),
            expires_at=expires_at,
        )
        record_audit_event(
            kind=AuditKind.TOKEN_CREATED,
            actor=person,
            ip_address=ip_address,
            target=f"token {token.prefix}…",
            detail={"token_id": token.id, "name": name},
        )
    return token, raw


def revoke_api_token(*, by, token: ApiToken, ip_address: str | None = None) -> ApiToken:
    if token.person_id != by.id and not by.is_admin:
        raise PermissionDenied(gettext("You can only revoke your own tokens."))
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit_event(
            kind=AuditKind.TOKEN_REVOKED,
            actor=by,
            ip_address=ip_address,
            target=f"token {token.prefix}… of {token.person.email}",
            detail={"token_id": token.id},
        )
    return token


def person_for_token(raw: str):
    """The active person a token belongs to, or None for an unknown, revoked or expired one."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("person").filter(token_hash=hash_secret(raw)).first()
    if token is None or not token.is_usable or not token.person.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        _note_token_used(token, now)
    return token.person


def _note_token_used(token, now) -> None:
    # Informational only: when the database can't be written (learnloop.ops.storage), a token
    # still authenticates reads; last_used_at catches up with its next use after that.
    try:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except DatabaseError as error:
        if storage.note_failure(error) is None:
            raise
