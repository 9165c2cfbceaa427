"""Secrets handed out once and stored only as hashes (API tokens, invitation links)."""

import hashlib
import secrets


def new_secret(prefix: str) -> str:
    return f"{prefix}{secrets.token_urlsafe(32)}"


def hash_secret(raw: str) -> str:
    # The secrets are 256 random bits, so a fast hash is enough: there is nothing to guess.
    return hashlib.sha256(raw.encode()).hexdigest()
