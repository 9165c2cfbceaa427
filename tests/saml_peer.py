"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP (signing with Debian's xmlsec1),
served on a free loopback port by a thread of the test process.

Metadata is exchanged both ways as with a real provider: the IdP's own metadata document is what
Learnloop is configured with (LEARNLOOP_SAML_IDP_METADATA), and Learnloop's /integrations/saml/metadata/
is what the IdP learns the service provider from (`trust`).

Routes: GET /metadata, GET /sso/redirect (SP-initiated: shows a sign-in form for the AuthnRequest),
POST /sso/login (answers it), GET /sso/start?login=…&relay=… (IdP-initiated). The response page
POSTs the signed response to the assertion consumer service, as the HTTP-POST binding says.
"""

import base64
import contextlib
import datetime
import html
import itertools
import shutil
import threading
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import AUTHN_PASSWORD_PROTECTED, NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from tests.oidc_peer import free_port

XMLSEC = shutil.which("xmlsec1") or "/usr/bin/xmlsec1"
GROUPS_ATTRIBUTE = "urn:oid:1.3.6.1.4.1.5923.1.5.1.1"  # isMemberOf, as the IdP sends it
PEOPLE = {
    "ada": {"mail": ["ada@example.org"], "displayName": ["Ada Lovelace"], "isMemberOf": ["eng", "eng-leads"]},
    "grace": {"mail": ["grace@example.org"], "displayName": ["Grace Hopper"], "isMemberOf": []},
    "noemail": {"displayName": ["No Address"]},
}


def key_pair(folder: Path, name: str) -> tuple[Path, Path]:
    """A fresh RSA key and a self-signed certificate for it, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption(),
    ))
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class IdentityProvider:
    def __init__(self, folder: Path, *, port: int | None = None, people=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.people = people or PEOPLE
        self.key_file, self.cert_file = key_pair(folder, "idp")
        self.pending: dict[str, dict] = {}
        self._tickets = itertools.count(1)
        config = IdPConfig()
        config.load({
            "entityid": f"{self.url}/metadata",
            "service": {"idp": {
                "name": "Learnloop test IdP",
                "endpoints": {"single_sign_on_service": [(f"{self.url}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                "policy": {"default": {
                    "lifetime": {"minutes": 5},
                    "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                }},
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            }},
            "key_file": str(self.key_file), "cert_file": str(self.cert_file), "xmlsec_binary": XMLSEC,
            "metadata": {}, "allow_unknown_attributes": True,
        })
        self.config = config
        self.server = Server(config=config)
        self.metadata_file = folder / "idp-metadata.xml"
        self.metadata_file.write_text(self.metadata(), encoding="utf-8")

    @property
    def entity_id(self) -> str:
        return f"{self.url}/metadata"

    def metadata(self) -> str:
        return create_metadata_string(None, config=self.config, valid=24).decode()

    def trust(self, sp_metadata: str) -> None:
        """Learn the service provider from its metadata document."""
        self.server.metadata.load("inline", sp_metadata)

    def response_xml(self, login: str, *, destination: str, audience: str, in_response_to: str | None = None,
                     sign_assertion: bool = True, transient: bool = False) -> str:
        identity = self.people[login]
        name_id = NameID(
            format=NAMEID_FORMAT_TRANSIENT if transient else NAMEID_FORMAT_PERSISTENT,
            text=f"transient-{next(self._tickets)}" if transient else f"persistent-{login}",
        )
        response = self.server.create_authn_response(
            identity, in_response_to=in_response_to, destination=destination, sp_entity_id=audience,
            name_id=name_id, userid=login, authn={"class_ref": AUTHN_PASSWORD_PROTECTED},
            sign_assertion=sign_assertion, sign_response=False, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256,
        )
        return str(response)

    def response(self, login: str, **options) -> str:
        """A SAMLResponse form value, as the HTTP-POST binding carries it."""
        return base64.b64encode(self.response_xml(login, **options).encode()).decode()

    # --- the web side, for the browser ---------------------------------------------------------

    def _page(self, start_response, body: str, status="200 OK"):
        start_response(status, [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    def _post_back(self, start_response, acs: str, response: str, relay_state: str):
        # The HTTP-POST binding: a page whose form the browser submits to the service provider.
        return self._page(start_response, (
            "<html><body><h1>Test IdP: signed in</h1>"
            f'<form method="post" action="{html.escape(acs)}">'
            f'<input type="hidden" name="SAMLResponse" value="{html.escape(response)}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
            '<button type="submit">Continue to the service</button></form>'
            "<script>document.forms[0].submit()</script></body></html>"
        ))

    def __call__(self, environ, start_response):
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path == "/metadata":
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [self.metadata().encode()]
        if path == "/sso/redirect":
            request = self.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT).message
            ticket = str(next(self._tickets))
            self.pending[ticket] = {
                "id": request.id, "acs": request.assertion_consumer_service_url, "audience": request.issuer.text,
                "relay": query.get("RelayState", ""),
            }
            return self._page(start_response, (
                "<html><body><h1>Test IdP: sign in</h1>"
                f'<form method="post" action="/sso/login"><input type="hidden" name="ticket" value="{ticket}">'
                '<label>User name <input name="login"></label><button type="submit">Sign in</button>'
                "</form></body></html>"
            ))
        if path == "/sso/login" and method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {key: values[0] for key, values in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
            pending = self.pending.pop(form.get("ticket", ""), None)
            if pending is None or form.get("login") not in self.people:
                return self._page(start_response, "<h1>Unknown user</h1>", status="403 Forbidden")
            response = self.response(
                form["login"], destination=pending["acs"], audience=pending["audience"],
                in_response_to=pending["id"],
            )
            return self._post_back(start_response, pending["acs"], response, pending["relay"])
        if path == "/sso/start":
            # IdP-initiated: the portal's tile for the service, with no request to answer.
            acs, audience = query["acs"], query["audience"]
            response = self.response(query["login"], destination=acs, audience=audience)
            return self._post_back(start_response, acs, response, query.get("relay", ""))
        return self._page(start_response, "<h1>Not found</h1>", status="404 Not Found")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serving(provider: IdentityProvider):
    server = make_server("127.0.0.1", provider.port, provider, server_class=WSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
