"""Time-based one-time passwords (RFC 6238 on top of RFC 4226's HOTP), as authenticator apps use.

Written here rather than taken from a package: the algorithm is a dozen lines of hmac and is
checked against the RFC's own test vectors in tests/accounts/test_totp.py.
"""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    """160 random bits in unpadded base32, the form authenticator apps accept."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret_b32: str) -> bytes:
    cleaned = secret_b32.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def time_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def code_at(secret_b32: str, at: float | None = None) -> str:
    return hotp(_key(secret_b32), time_step(at))


def matching_step(secret_b32: str, code: str, *, at: float | None = None, drift: int = 1) -> int | None:
    """The time step whose code this is, allowing `drift` steps of clock skew either way."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _key(secret_b32)
    now = time_step(at)
    found = None
    for step in range(now - drift, now + drift + 1):
        # Compare every candidate so the time taken says nothing about which one matched.
        if hmac.compare_digest(hotp(key, step), code):
            found = step
    return found


def provisioning_uri(secret_b32: str, *, account: str, issuer: str = "Learnloop") -> str:
    """The otpauth:// URI authenticator apps read (usually from a QR code of this text)."""
    label = quote(f"{issuer}:{account}")
    query = urlencode(
        {"secret": secret_b32, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"
