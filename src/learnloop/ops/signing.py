"""HMAC signatures for backup archives.

A checksum only proves that the data fits the manifest; whoever edits a row can recompute it.
The signature is an HMAC-SHA256 of the manifest's exact bytes (which hold the data's SHA-256,
the row counts and the schema), keyed with a secret that is not in the archive, so an edited
archive can only be re-signed by someone who holds the key.

The key is `LEARNLOOP_BACKUP_KEY`. Without it the key is derived from SECRET_KEY, so backups
are signed out of the box, but then a backup restores only where SECRET_KEY is the same.
`LEARNLOOP_BACKUP_KEY_FALLBACKS` lists earlier keys that are still accepted for verification
(key rotation); new backups are always signed with the current key.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings

SIGNATURE_NAME = "signature.json"
ALGORITHM = "HMAC-SHA256"
_DERIVATION_LABEL = b"learnloop backup signing key v1"
_KEY_ID_LABEL = b"learnloop backup key id"


class SignatureError(Exception):
    """The archive's signature is missing, malformed or does not verify."""


@dataclass(frozen=True)
class SigningKey:
    secret: bytes
    source: str  # where it came from, for messages: never the key itself

    @property
    def key_id(self) -> str:
        # A fingerprint that names the key in manifests and messages without revealing it.
        return hmac.new(self.secret, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]

    def sign(self, message: bytes) -> str:
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


def current_key() -> SigningKey:
    explicit = getattr(settings, "BACKUP_KEY", "") or ""
    if explicit:
        return SigningKey(explicit.encode(), "LEARNLOOP_BACKUP_KEY")
    derived = hmac.new(settings.SECRET_KEY.encode(), _DERIVATION_LABEL, hashlib.sha256).digest()
    return SigningKey(derived, "derived from SECRET_KEY")


def accepted_keys() -> list[SigningKey]:
    keys = [current_key()]
    for index, old in enumerate(getattr(settings, "BACKUP_KEY_FALLBACKS", []) or []):
        keys.append(SigningKey(old.encode(), f"LEARNLOOP_BACKUP_KEY_FALLBACKS[{index}]"))
    return keys


def signature_for(manifest_bytes: bytes) -> bytes:
    key = current_key()
    document = {"algorithm": ALGORITHM, "key_id": key.key_id, "manifest_hmac": key.sign(manifest_bytes)}
    return json.dumps(document, indent=2, sort_keys=True).encode()


def verify_signature(manifest_bytes: bytes, signature_bytes: bytes) -> SigningKey:
    """Return the key that signed the manifest, or raise SignatureError saying why not."""
    try:
        document = json.loads(signature_bytes)
        algorithm, key_id, claimed = document["algorithm"], document["key_id"], document["manifest_hmac"]
    except (ValueError, KeyError, TypeError) as error:
        raise SignatureError("The backup's signature can't be read: the file is damaged or was edited.") from error
    if algorithm != ALGORITHM or not isinstance(claimed, str) or not isinstance(key_id, str):
        raise SignatureError(f"The backup's signature uses an unknown algorithm ({algorithm!r}).")
    keys = accepted_keys()
    for key in keys:
        if hmac.compare_digest(key.sign(manifest_bytes), claimed):
            return key
    if key_id not in {key.key_id for key in keys}:
        known = ", ".join(f"{key.key_id} ({key.source})" for key in keys)
        raise SignatureError(
            f"The backup was signed with another key (key id {key_id}); this installation knows {known}. "
            "Set LEARNLOOP_BACKUP_KEY (or LEARNLOOP_BACKUP_KEY_FALLBACKS) to the key that signed it."
        )
    raise SignatureError(
        "The backup's signature does not match its contents: the file was edited (or damaged) after it "
        "was made, even though its checksum may have been recomputed."
    )
