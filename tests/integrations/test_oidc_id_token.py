"""The ID token is validated by Authlib (signature, issuer, audience, nonce, expiry): tokens
signed here with a generated key, against the client Learnloop configures."""

import time

import pytest
from authlib.common.errors import AuthlibBaseError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from learnloop.integrations import oidc

ISSUER = "https://idp.example"
CLIENT = "learnloop-client"


@pytest.fixture(scope="module")
def keys():
    return RSAKey.generate_key(2048, parameters={"kid": "k1"}), RSAKey.generate_key(2048, parameters={"kid": "k1"})


@pytest.fixture
def provider(settings, keys, monkeypatch):
    settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = ISSUER, CLIENT, "secret"
    monkeypatch.setattr(oidc, "_clients", {})
    client = oidc.client()
    # What discovery would have loaded; nothing is fetched.
    client.server_metadata.update({
        "issuer": ISSUER, "jwks": KeySet([keys[0]]).as_dict(private=False), "_loaded_at": time.time(),
        "id_token_signing_alg_values_supported": ["RS256"],
    })
    return client


def validate(provider, token):
    # As the sign-in view asks the library to.
    options = oidc.id_token_claims_options(provider.server_metadata)
    return provider.parse_id_token(token, nonce="n1", claims_options=options)


def id_token(key, **changes):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "s1", "nonce": "n1", "iat": now, "exp": now + 300, **changes}
    return {"id_token": jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key), "access_token": "a"}


def test_a_good_token_is_accepted(provider, keys):
    assert validate(provider, id_token(keys[0]))["sub"] == "s1"


@pytest.mark.parametrize("changes", [
    {"iss": "https://other.example"},
    {"aud": "someone-else"},
    {"aud": ["someone-else"], "azp": CLIENT},
    {"nonce": "replayed"},
    {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
])
def test_a_token_for_another_issuer_audience_nonce_or_time_is_refused(provider, keys, changes):
    with pytest.raises((AuthlibBaseError, JoseError)) as refused:
        validate(provider, id_token(keys[0], **changes))
    expected = {"iss": "'iss'", "aud": "'aud'", "nonce": "'nonce'", "exp": "expired"}[next(iter(changes))]
    assert expected in str(refused.value)


def test_a_token_signed_by_another_key_is_refused(provider, keys, monkeypatch):
    # The client fetches the key set again on an unknown signature; it still has the right keys.
    monkeypatch.setattr(provider, "fetch_jwk_set", lambda force=False: provider.server_metadata["jwks"])
    with pytest.raises((AuthlibBaseError, JoseError)):
        validate(provider, id_token(keys[1]))
