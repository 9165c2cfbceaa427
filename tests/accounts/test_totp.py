"""The authenticator code algorithm against the RFCs' published test vectors."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from learnloop.accounts import totp

RFC4226_CODES = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]

# RFC 6238, appendix B: time, then the 8-digit codes for SHA-1, SHA-256 and SHA-512.
RFC6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
SEEDS = {
    hashlib.sha1: b"12345678901234567890",
    hashlib.sha256: b"12345678901234567890123456789012",
    hashlib.sha512: b"1234567890" * 6 + b"1234",
}


@pytest.mark.parametrize(("counter", "code"), list(enumerate(RFC4226_CODES)))
def test_hotp_matches_rfc4226(counter, code):
    assert totp.hotp(b"12345678901234567890", counter) == code


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), RFC6238)
def test_totp_matches_rfc6238(at, sha1, sha256, sha512):
    for digest, expected in ((hashlib.sha1, sha1), (hashlib.sha256, sha256), (hashlib.sha512, sha512)):
        assert totp.hotp(SEEDS[digest], totp.time_step(at), digits=8, digest=digest) == expected


def test_six_digit_codes_are_checked_with_one_step_of_clock_skew():
    secret = base64.b32encode(SEEDS[hashlib.sha1]).decode()
    assert totp.code_at(secret, 59) == "287082"  # the last six digits of the RFC's 94287082
    step = totp.time_step(59)
    assert totp.matching_step(secret, "287082", at=59) == step
    assert totp.matching_step(secret, "287082", at=59 + 30) == step
    assert totp.matching_step(secret, "287082", at=59 + 60) is None
    assert totp.matching_step(secret, "28708", at=59) is None
    assert totp.matching_step(secret, "abcdef", at=59) is None


def test_new_secrets_are_160_random_bits_and_the_uri_carries_them():
    secret = totp.new_secret()
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == 20
    assert secret != totp.new_secret()
    uri = urlsplit(totp.provisioning_uri(secret, account="ada@example.org"))
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/Learnloop%3Aada%40example.org")
    assert parse_qs(uri.query) == {
        "secret": [secret],
        "issuer": ["Learnloop"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }
