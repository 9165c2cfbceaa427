"""Single-use response links. The token is derived from the invitation with the secret key, so
the task queue and the database hold only ids and hashes: neither hands out working links."""

import hashlib

from django.utils.crypto import salted_hmac

SALT = "learnloop.surveys.invitation"


def token_for(invitation) -> str:
    return salted_hmac(SALT, f"{invitation.campaign_id}:{invitation.pk}", algorithm="sha256").hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(str(token).encode()).hexdigest()
