"""A local fake of KOMBIT's Serviceplatformen for SF1520, over real mutual TLS.

It is a separate HTTPS server on 127.0.0.1 (an ephemeral port, a background
thread) that APOC's :class:`cpr.serviceplatformen.ServiceplatformenLookup`
talks to exactly as it would talk to Serviceplatformen:

* :func:`make_certificates` makes, with ``cryptography``, a test CA, a server
  certificate for 127.0.0.1 and localhost, a client certificate (the
  municipality's OCES3 certificate in real life) and, for the tests that a
  stranger is refused, a client certificate from another CA. PEM files in a
  directory.
* The server **requires** a client certificate its CA issued
  (``ssl.CERT_REQUIRED``): without one the TLS handshake fails and no request
  is read (``handshake_failures`` counts them).
* ``POST /service/CPR/PersonBaseDataExtended/4`` with the SOAPAction
  ``…/PersonBaseDataExtended/4/PersonLookup`` answers PersonLookup as the v4
  contract describes it (namespaced ``PersonLookupResponse/persondata/…``), an
  unknown PNR with a SOAP fault whose faultstring says "PNR not found" (as
  itk-dev's client expects it; no contract file shows that fault), and a
  request that does not follow the contract with a SOAP Client fault that says
  what is wrong.
* ``POST /service/CPR/Query/3`` with the SOAPAction ``…/CPRQueryService/3/
  callCPRPersonList`` understands the SOLR query APOC writes and answers the
  people who match, in the shape APOC infers (``person`` elements holding
  ``persondata``; ``query_shape = "flat"`` puts persondata's children straight
  into ``person``). Both are APOC's guesses, not Serviceplatformen's contract.

The fake writes down the contract on its own: it shares no constant with the
adapter, so a wrong namespace in one is not repeated in the other.

It can answer slowly (``latency`` seconds), fail (``failure``: ``"close"``
closes the connection without an answer, ``"503"``, ``"fault"`` a SOAP Server
fault, ``"garbage"`` a 200 that is not XML, ``"dtd"`` a 200 with a DOCTYPE that
defines entities), drop its kept-alive connections (``drop_connections``),
counts TLS connections (``connections``) and requests and keeps the requests
(``requests``, with the raw body), and holds a few people (:data:`DEFAULT_PEOPLE`;
``add_person`` adds more).

Use it as a context manager, or through the pytest fixture
``fake_serviceplatformen`` in ``tests/conftest.py``; ``fake.settings()`` gives the
Django settings that point APOC at it. It imports neither pytest nor Django, so
``bench/`` can use it too::

    with FakeServiceplatformen() as fake:
        with override_settings(**fake.settings()):
            ...
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import re
import shutil
import socket
import socketserver
import ssl
import tempfile
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element  # the type only; parsing is defusedxml's
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeET
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "DEFAULT_PEOPLE",
    "PERSON_LOOKUP_PATH",
    "QUERY_PATH",
    "Certificates",
    "FakePerson",
    "FakeServiceplatformen",
    "ReceivedRequest",
    "make_certificates",
]

PERSON_LOOKUP_PATH = "/service/CPR/PersonBaseDataExtended/4"
QUERY_PATH = "/service/CPR/Query/3"

# The contract, written down here independently of cpr/serviceplatformen.py.
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
PBDE = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/"
INV = "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/"
AUT = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/"
CALL = "http://serviceplatformen.dk/xml/schemas/CallContext/1/"
PNR = "http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/"
SPF = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/"
QUERY = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/CPRQueryService/3/"
ACTIONS = {PERSON_LOOKUP_PATH: PBDE + "PersonLookup", QUERY_PATH: QUERY + "callCPRPersonList"}

#: sp/service.properties of the v4 contract.
PBDE_SERVICE_UUID = "e6be2436-bf35-4df2-83fe-925142825dc2"
#: The "Om CPR Query" page's UUID, taken as CPRQueryService's service UUID (a guess).
QUERY_SERVICE_UUID = "3aed2c45-5ec0-4c85-9435-9ef71e7d7ee1"

_UUID = re.compile(r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}")
_INVOCATION_UUIDS = ("ServiceAgreementUUID", "UserSystemUUID", "UserUUID", "ServiceUUID")
_INVOCATION_TEXTS = ("OnBehalfOfUser", "CallersServiceCallIdentifier", "AccountingInfo")
MAX_BODY = 1024 * 1024


# --- Certificates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificates:
    """PEM files: the test CA, the server's and the client's certificates and keys, and a
    client certificate from a CA the server does not trust."""

    directory: Path
    ca_file: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    foreign_client_cert: Path
    foreign_client_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "APOC test"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _certificate(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    *,
    usage: x509.ObjectIdentifier | None = None,
    san: list[x509.GeneralName] | None = None,
) -> x509.Certificate:
    now = datetime.now(UTC)
    subject = _name(name)
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.BasicConstraints(ca=issuer is None, path_length=0 if issuer is None else None),
            critical=True,
        )
        .add_extension(_key_usage(ca=issuer is None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
            critical=False,
        )
    )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _write(directory: Path, stem: str, cert: x509.Certificate, key: Any) -> tuple[Path, Path]:
    cert_path, key_path = directory / f"{stem}.crt", directory / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def make_certificates(directory: Path) -> Certificates:
    """A fresh CA with a server and a client certificate, and a foreign client (EC P-256)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Fake Serviceplatformen test CA", ca_key, None)
    ca_file, _ = _write(directory, "ca", ca, ca_key)

    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate(
        "localhost",
        server_key,
        (ca, ca_key),
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        san=[
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ],
    )
    server_cert, server_key_path = _write(directory, "server", server, server_key)

    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _certificate(
        "APOC test system (Testkommune)",
        client_key,
        (ca, ca_key),
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    client_cert, client_key_path = _write(directory, "client", client, client_key)

    stranger_ca_key = ec.generate_private_key(ec.SECP256R1())
    stranger_ca = _certificate("Another CA", stranger_ca_key, None)
    foreign_key = ec.generate_private_key(ec.SECP256R1())
    foreign = _certificate(
        "APOC test system (Testkommune)",
        foreign_key,
        (stranger_ca, stranger_ca_key),
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    foreign_cert, foreign_key_path = _write(directory, "foreign-client", foreign, foreign_key)
    return Certificates(
        directory=directory,
        ca_file=ca_file,
        server_cert=server_cert,
        server_key=server_key_path,
        client_cert=client_cert,
        client_key=client_key_path,
        foreign_client_cert=foreign_cert,
        foreign_client_key=foreign_key_path,
    )


# --- People -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakePerson:
    """A person in the fake's CPR replica. ``status`` as CPR sends it (an integer), or
    None to leave the status out (the XSD allows it)."""

    personnummer: str  # DDMMYY-SSSS
    given_name: str  # fornavn
    surname: str  # efternavn
    birth_date: date
    sex: str  # "M" or "F"
    status: int | None = 20
    #: statusdato/dato, an xsd:dateTime as the fake sends it.
    status_date: str = "2024-03-01T00:00:00.000+01:00"
    middle_name: str = ""  # mellemnavn
    addressing_name: str = ""  # personadresseringsnavn; "Fornavn Mellemnavn Efternavn" when empty
    #: udrejseoplysninger/udrejselandekode (a CPR country code) when emigrated.
    emigrated_to: int | None = None
    street: str = ""  # aktuelAdresse/vejnavn, for a person with a residence

    @property
    def digits(self) -> str:
        return self.personnummer.replace("-", "")

    @property
    def name_for_addressing(self) -> str:
        names = (self.given_name, self.middle_name, self.surname)
        return self.addressing_name or " ".join(name for name in names if name)


#: Birth dates and sexes agree with the numbers (century digit, last digit's parity).
DEFAULT_PEOPLE: tuple[FakePerson, ...] = (
    # 1 January 1990 is one of the CPR office's dates without modulus 11.
    FakePerson(
        "010190-2000",
        "Anna",
        "Kowalska",
        date(1990, 1, 1),
        "F",
        status=20,
        status_date="2023-09-04T00:00:00.000+02:00",
        middle_name="Maria",
    ),
    FakePerson(
        "150348-1991",
        "Jens",
        "Hansen",
        date(1948, 3, 15),
        "M",
        status=90,
        status_date="2024-11-30T00:00:00.000+01:00",
        middle_name="Peter",
    ),
    FakePerson(
        "240785-1962",
        "Sofia",
        "Rossi",
        date(1985, 7, 24),
        "F",
        status=1,
        status_date="2025-02-01T00:00:00.000+01:00",
        street="Vesterbrogade",
    ),
    FakePerson(
        "021179-2019",
        "Lukas",
        "Müller",
        date(1979, 11, 2),
        "M",
        status=80,
        status_date="2025-06-15T00:00:00.000+02:00",
        emigrated_to=5180,
    ),
)


# --- The server ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    soap_action: str
    headers: dict[str, str]
    body: bytes
    #: The client certificate's common name.
    client: str


@dataclass(frozen=True)
class Agreement:
    """The service agreement the fake knows: InvocationContext must name it."""

    service_agreement_uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    user_system_uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    user_uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    municipality_cvr: str = "12345678"


class _Invalid(Exception):
    """The request breaks the contract: a Client fault."""


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins the request threads

    def __init__(self, fake: FakeServiceplatformen, host: str) -> None:
        self.fake = fake
        super().__init__((host, 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer's would look the address up in DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def finish_request(self, request: socket.socket, client_address: Any) -> None:
        # The handshake runs here, in the connection's own thread.
        fake = self.fake
        tls = fake._context.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
        fake._track(tls, add=True)
        try:
            tls.settimeout(5)
            try:
                tls.do_handshake()
            except (ssl.SSLError, OSError):
                fake._count_handshake_failure()
                return
            fake._count_connection()
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            fake._track(tls, add=False)
            tls.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away (a timeout test) is no error of the fake's


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Serviceplatformen
    server_version = "FakeServiceplatformen/1"
    timeout = 10  # an idle kept-alive connection is closed after this
    disable_nagle_algorithm = True  # headers and body go in two writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_GET(self) -> None:
        self.server.fake._send(self, 405, b"POST only\n", "text/plain")


class FakeServiceplatformen:
    """See the module's documentation."""

    def __init__(
        self,
        certificates: Certificates | None = None,
        *,
        people: Iterable[FakePerson] = DEFAULT_PEOPLE,
        host: str = "127.0.0.1",
    ) -> None:
        self._own_directory: Path | None = None
        if certificates is None:
            self._own_directory = Path(tempfile.mkdtemp(prefix="fake-serviceplatformen-"))
            certificates = make_certificates(self._own_directory)
        self.certificates = certificates
        self.host = host
        self.agreement = Agreement()
        self.service_uuid = PBDE_SERVICE_UUID
        self.query_service_uuid = QUERY_SERVICE_UUID
        self.people: dict[str, FakePerson] = {p.digits: p for p in people}
        #: Seconds to wait before answering.
        self.latency = 0.0
        #: None, "close", "503", "fault", "garbage" or "dtd".
        self.failure: str | None = None
        #: "nested" (person/persondata/…) or "flat" (person/personnummer, person/navn, …).
        self.query_shape = "nested"
        self.requests: list[ReceivedRequest] = []
        self.handshake_failures = 0
        #: TLS connections that completed the handshake.
        self.connections = 0
        self._lock = threading.Lock()
        self._connections: set[ssl.SSLSocket] = set()
        self._stopping = threading.Event()
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._context.load_cert_chain(certificates.server_cert, certificates.server_key)
        self._context.load_verify_locations(certificates.ca_file)
        self._context.verify_mode = ssl.CERT_REQUIRED
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- Life --------------------------------------------------------------------------------

    def start(self) -> FakeServiceplatformen:
        self._stopping.clear()
        self._server = _Server(self, self.host)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-serviceplatformen",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering, close every connection, join every thread."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self.drop_connections()
        self._server.server_close()
        assert self._thread is not None
        self._thread.join()
        self._server = self._thread = None
        if self._own_directory is not None:
            shutil.rmtree(self._own_directory, ignore_errors=True)
            self._own_directory = None

    def __enter__(self) -> FakeServiceplatformen:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- For tests ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def person_lookup_url(self) -> str:
        return self.url + PERSON_LOOKUP_PATH

    @property
    def query_url(self) -> str:
        return self.url + QUERY_PATH

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    @property
    def last_request(self) -> ReceivedRequest:
        with self._lock:
            return self.requests[-1]

    def drop_connections(self) -> None:
        """Close every open connection, as a server does with idle kept-alive ones."""
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            # The plain socket's shutdown, so no TLS state changes under a reader.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(connection, socket.SHUT_RDWR)

    def add_person(self, person: FakePerson) -> FakePerson:
        self.people[person.digits] = person
        return person

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """Django settings that make APOC ask this fake (as the client certificate's owner)."""
        found = {
            "CPR_LOOKUP": "cpr.serviceplatformen.ServiceplatformenLookup",
            "SF1520_ENDPOINT": self.person_lookup_url,
            "SF1520_QUERY_ENDPOINT": self.query_url,
            "SF1520_CERT_FILE": str(self.certificates.client_cert),
            "SF1520_KEY_FILE": str(self.certificates.client_key),
            "SF1520_CA_FILE": str(self.certificates.ca_file),
            "SF1520_SERVICE_AGREEMENT_UUID": self.agreement.service_agreement_uuid,
            "SF1520_USER_SYSTEM_UUID": self.agreement.user_system_uuid,
            "SF1520_USER_UUID": self.agreement.user_uuid,
            "SF1520_SERVICE_UUID": self.service_uuid,
            "SF1520_QUERY_SERVICE_UUID": self.query_service_uuid,
            "SF1520_MUNICIPALITY_CVR": self.agreement.municipality_cvr,
            "SF1520_TIMEOUT": 3.0,
            "CPR_QUERY_ENABLED": False,
        }
        return {**found, **overrides}

    # -- Serving -----------------------------------------------------------------------------

    def _track(self, connection: ssl.SSLSocket, *, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(connection)

    def _count_handshake_failure(self) -> None:
        with self._lock:
            self.handshake_failures += 1

    def _count_connection(self) -> None:
        with self._lock:
            self.connections += 1

    def _handle(self, handler: _Handler) -> None:
        length = handler.headers.get("Content-Length")
        if length is None or not length.isdigit() or int(length) > MAX_BODY:
            self._send(handler, 411, b"Content-Length required\n", "text/plain", close=True)
            return
        body = handler.rfile.read(int(length))
        action = (handler.headers.get("SOAPAction") or "").strip().strip('"')
        peer = handler.connection.getpeercert() or {}
        subject = dict(item for rdn in peer.get("subject", ()) for item in rdn)
        with self._lock:
            self.requests.append(
                ReceivedRequest(
                    path=handler.path,
                    soap_action=action,
                    headers=dict(handler.headers.items()),
                    body=body,
                    client=subject.get("commonName", ""),
                )
            )
        if self.latency and self._stopping.wait(self.latency):
            handler.close_connection = True
            return
        if self.failure == "close":
            handler.close_connection = True  # no answer at all
            return
        if self.failure == "503":
            self._send(handler, 503, b"Service Unavailable\n", "text/plain")
            return
        if self.failure == "garbage":
            self._send(handler, 200, b"<html>Maintenance", "text/xml; charset=utf-8")
            return
        if self.failure == "dtd":
            self._send(handler, 200, _WITH_ENTITIES, "text/xml; charset=utf-8")
            return
        if self.failure == "fault":
            self._send_fault(handler, "soap:Server", "Internal error", "SP-500")
            return
        status, answer = self._answer(handler.path, action, body, handler.headers)
        self._send(handler, status, answer, "text/xml; charset=utf-8")

    def _send(
        self, handler: _Handler, status: int, body: bytes, content_type: str, *, close: bool = False
    ) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            if close:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            handler.wfile.write(body)
            handler.wfile.flush()
        except OSError:
            handler.close_connection = True  # the client gave up

    def _send_fault(self, handler: _Handler, code: str, text: str, error_code: str) -> None:
        self._send(handler, 500, fault_envelope(code, text, error_code), "text/xml; charset=utf-8")

    def _answer(self, path: str, action: str, body: bytes, headers: Any) -> tuple[int, bytes]:
        if path not in ACTIONS:
            return 404, fault_envelope("soap:Client", f"No service at {path}", "SP-404")
        try:
            if action != ACTIONS[path]:
                raise _Invalid(f"SOAPAction {action!r} is not {ACTIONS[path]!r}")
            if not (headers.get("Content-Type") or "").startswith("text/xml"):
                raise _Invalid("Content-Type must be text/xml (SOAP 1.1)")
            request = _request_element(body)
            if path == PERSON_LOOKUP_PATH:
                return self._person_lookup(request)
            return self._person_list(request)
        except _Invalid as error:
            return 500, fault_envelope("soap:Client", f"Invalid request: {error}", "SP-400")

    def _person_lookup(self, request: Element) -> tuple[int, bytes]:
        if request.tag != f"{{{PBDE}}}PersonLookupRequest":
            raise _Invalid(f"expected PersonLookupRequest in {PBDE}, got {request.tag}")
        parts = _sequence(
            request,
            [f"{{{CALL}}}CallContext", f"{{{AUT}}}AuthorityContext", f"{{{INV}}}InvocationContext"],
            f"{{{PNR}}}PNR",
        )
        self._check_invocation_context(parts.get(f"{{{INV}}}InvocationContext"), self.service_uuid)
        _check_authority_context(parts.get(f"{{{AUT}}}AuthorityContext"))
        pnr = (parts[f"{{{PNR}}}PNR"].text or "").strip()
        if not re.fullmatch(r"[0-9]{10}", pnr):
            raise _Invalid(f"PNR must be 10 digits (PNRType, no dash), got {pnr!r}")
        person = self.people.get(pnr)
        if person is None:
            return 500, fault_envelope("soap:Server", "PNR not found", "CPR-NOT-FOUND")
        return 200, _envelope(
            {"ns5": PBDE},
            "<ns5:PersonLookupResponse>"
            + _persondata(person, "ns5")
            + _adresse(person, "ns5")
            + "<ns5:relationer/></ns5:PersonLookupResponse>",
        )

    def _person_list(self, request: Element) -> tuple[int, bytes]:
        if request.tag != f"{{{QUERY}}}callCPRPersonListRequest":
            raise _Invalid(f"expected callCPRPersonListRequest in {QUERY}, got {request.tag}")
        parts = _sequence(
            request,
            [f"{{{AUT}}}AuthorityContext", f"{{{INV}}}InvocationContext"],
            f"{{{QUERY}}}searchParameter",
        )
        self._check_invocation_context(
            parts.get(f"{{{INV}}}InvocationContext"), self.query_service_uuid
        )
        _check_authority_context(parts.get(f"{{{AUT}}}AuthorityContext"))
        clauses = _solr_clauses(parts[f"{{{QUERY}}}searchParameter"].text or "")
        found = [p for p in self.people.values() if all(_matches(p, c) for c in clauses)]
        rows = "".join(
            "<ns2:person>"
            + (
                _persondata(p, "ns2") + _adresse(p, "ns2")
                if self.query_shape == "nested"
                else _persondata(p, "ns2", wrapper=False) + _adresse(p, "ns2")
            )
            + "</ns2:person>"
            for p in found
        )
        return 200, _envelope(
            {"ns2": QUERY}, f"<ns2:callCPRPersonListResponse>{rows}</ns2:callCPRPersonListResponse>"
        )

    def _check_invocation_context(self, context: Element | None, service_uuid: str) -> None:
        seen = _invocation_children(context)
        for name in _INVOCATION_UUIDS:
            if name not in seen:
                raise _Invalid(f"InvocationContext has no {name}")
            if not _UUID.fullmatch(seen[name]):
                raise _Invalid(f"{name} {seen[name]!r} is not a UUIDtype (lower-case hex)")
        for name in _INVOCATION_TEXTS:
            if len(seen.get(name, "")) > 255:
                raise _Invalid(f"{name} is longer than 255 characters")
        agreement = self.agreement
        expected = {
            "ServiceAgreementUUID": agreement.service_agreement_uuid,
            "UserSystemUUID": agreement.user_system_uuid,
            "UserUUID": agreement.user_uuid,
            "ServiceUUID": service_uuid,
        }
        for name, value in expected.items():
            if seen[name] != value:
                raise _Invalid(f"no service agreement with {name} {seen[name]}")


# --- XML ----------------------------------------------------------------------------------------


def _invocation_children(context: Element | None) -> dict[str, str]:
    """InvocationContext's children by name (an ``xsd:all``: any order, each at most once)."""
    if context is None:
        raise _Invalid("InvocationContext is required in the invocation-context model")
    seen: dict[str, str] = {}
    for child in context:
        namespace, _, name = child.tag[1:].partition("}")
        if namespace != INV or name not in (*_INVOCATION_UUIDS, *_INVOCATION_TEXTS):
            raise _Invalid(f"unexpected element {child.tag} in InvocationContext")
        if name in seen:
            raise _Invalid(f"{name} twice in InvocationContext")
        seen[name] = child.text or ""
    return seen


def _request_element(body: bytes) -> Element:
    """The one element in the SOAP 1.1 Body."""
    try:
        envelope = SafeET.fromstring(body, forbid_dtd=True)
    except Exception as error:
        raise _Invalid(f"not well-formed XML: {error}") from None
    if envelope.tag != f"{{{SOAP}}}Envelope":
        raise _Invalid(f"the root must be Envelope in {SOAP} (SOAP 1.1), got {envelope.tag}")
    children = list(envelope)
    if children and children[0].tag == f"{{{SOAP}}}Header":
        children = children[1:]
    if len(children) != 1 or children[0].tag != f"{{{SOAP}}}Body":
        raise _Invalid("Envelope must hold an optional Header and then the Body")
    content = list(children[0])
    if len(content) != 1:
        raise _Invalid(f"Body must hold one element, holds {len(content)}")
    return content[0]


def _sequence(element: Element, optional: list[str], required: str) -> dict[str, Element]:
    """The children of an ``xsd:sequence`` of ``optional`` elements and then ``required``."""
    order = [*optional, required]
    found: dict[str, Element] = {}
    position = 0
    if (element.text or "").strip():
        raise _Invalid(f"text in {element.tag}")
    for child in element:
        if child.tag not in order[position:]:
            raise _Invalid(f"{child.tag} is out of place in {element.tag} (order: {order})")
        position = order.index(child.tag) + 1
        found[child.tag] = child
    if required not in found:
        raise _Invalid(f"{element.tag} has no {required}")
    return found


def _check_authority_context(context: Element | None) -> None:
    if context is None:
        return
    children = list(context)
    if [c.tag for c in children] != [f"{{{AUT}}}MunicipalityCVR"] or not re.fullmatch(
        r"[0-9]{8}", children[0].text or ""
    ):
        raise _Invalid("AuthorityContext must hold one MunicipalityCVR of 8 digits")


_CLAUSE = re.compile(r'\((?P<any>[^()]*)\)|(?P<one>\w+:"(?:[^"\\]|\\.)*")')
_TERM = re.compile(r'(\w+):"((?:[^"\\]|\\.)*)"')
_FIELDS = {"fornavn", "mellemnavn", "efternavn", "foedselsdato", "koen"}


def _solr_clauses(query: str) -> list[list[tuple[str, str]]]:
    """The clauses of the SOLR query APOC writes: ``q=`` and clauses joined by AND, each a
    term ``field:"value"`` or terms joined by OR in parentheses."""
    if not query.startswith("q=") or not query[2:].strip():
        raise _Invalid(f"searchParameter must be a SOLR query q=…, got {query!r}")
    clauses = []
    for part in query[2:].split(" AND "):
        match = _CLAUSE.fullmatch(part.strip())
        if match is None:
            raise _Invalid(f"cannot read the clause {part!r}")
        terms = match["any"].split(" OR ") if match["any"] is not None else [match["one"]]
        clause = []
        for term in terms:
            parsed = _TERM.fullmatch(term.strip())
            if parsed is None or parsed[1] not in _FIELDS:
                raise _Invalid(f"cannot read the term {term!r}")
            clause.append((parsed[1], re.sub(r"\\(.)", r"\1", parsed[2])))
        clauses.append(clause)
    return clauses


def _matches(person: FakePerson, clause: list[tuple[str, str]]) -> bool:
    def words(text: str) -> list[str]:
        return text.casefold().split()

    values = {
        "fornavn": words(person.given_name),
        "mellemnavn": words(person.middle_name),
        "efternavn": words(person.surname),
        "foedselsdato": [person.birth_date.isoformat()],
        "koen": ["k" if person.sex == "F" else "m"],
    }
    return any(value.casefold() in values[name] for name, value in clause)


#: Entities that expand a thousandfold (a small "billion laughs"); a safe parser refuses it.
_WITH_ENTITIES = (
    b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b"<x>&lol3;</x></soap:Body></soap:Envelope>"
)


def _xml(value: object) -> str:
    return escape(str(value))


def _envelope(namespaces: dict[str, str], body: str) -> bytes:
    declarations = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in namespaces.items())
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP}">'
        f"<soap:Body{declarations}>{body}</soap:Body></soap:Envelope>"
    ).encode()


def fault_envelope(code: str, text: str, error_code: str) -> bytes:
    """A SOAP 1.1 fault with the ServiceplatformFault detail of the contract."""
    return _envelope(
        {},
        f"<soap:Fault><faultcode>{_xml(code)}</faultcode><faultstring>{_xml(text)}</faultstring>"
        f'<detail><spf:ServiceplatformFault xmlns:spf="{SPF}"><spf:ErrorList><spf:Error>'
        f"<spf:ErrorCode>{_xml(error_code)}</spf:ErrorCode><spf:ErrorText>{_xml(text)}"
        "</spf:ErrorText></spf:Error></spf:ErrorList></spf:ServiceplatformFault></detail>"
        "</soap:Fault>",
    )


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _persondata(person: FakePerson, p: str, *, wrapper: bool = True) -> str:
    """``persondataType``'s children in the XSD's order, as far as the fake has them."""
    names = f"<{p}:personadresseringsnavn>{_xml(person.name_for_addressing)}</{p}:personadresseringsnavn>"
    names += f"<{p}:fornavn>{_xml(person.given_name)}</{p}:fornavn>"
    if person.middle_name:
        names += f"<{p}:mellemnavn>{_xml(person.middle_name)}</{p}:mellemnavn>"
    names += f"<{p}:efternavn>{_xml(person.surname)}</{p}:efternavn>"
    inner = (
        f"<{p}:personnummer>{person.digits}</{p}:personnummer>"
        f"<{p}:navn>{names}</{p}:navn>"
        # xsd:date with an offset, as os2web_datalookup parses it.
        f"<{p}:foedselsdato><{p}:dato>{person.birth_date.isoformat()}+01:00</{p}:dato>"
        f"</{p}:foedselsdato>"
        f"<{p}:alder>{_age(person.birth_date, date.today())}</{p}:alder>"
        f"<{p}:koen>{'K' if person.sex == 'F' else 'M'}</{p}:koen>"
        f"<{p}:antalBoernUnder18>0</{p}:antalBoernUnder18>"
        + (
            f"<{p}:status><{p}:status>{person.status}</{p}:status>"
            f"<{p}:statusdato><{p}:dato>{_xml(person.status_date)}</{p}:dato></{p}:statusdato>"
            f"</{p}:status>"
            if person.status is not None
            else ""
        )
        + f"<{p}:tilmeldtDigitalpost>false</{p}:tilmeldtDigitalpost>"
    )
    return f"<{p}:persondata>{inner}</{p}:persondata>" if wrapper else inner


def _adresse(person: FakePerson, p: str) -> str:
    inner = ""
    if person.street:
        inner += (
            f"<{p}:aktuelAdresse><{p}:kommunekode>101</{p}:kommunekode>"
            f"<{p}:husnummer>001</{p}:husnummer><{p}:postnummer>1620</{p}:postnummer>"
            f"<{p}:postdistrikt>København V</{p}:postdistrikt>"
            f"<{p}:vejnavn>{_xml(person.street)}</{p}:vejnavn></{p}:aktuelAdresse>"
        )
    if person.emigrated_to is not None:
        inner += (
            f"<{p}:udrejseoplysninger><{p}:udrejselandekode>{person.emigrated_to}"
            f"</{p}:udrejselandekode><{p}:udrejsedato><{p}:dato>{_xml(person.status_date)}"
            f"</{p}:dato></{p}:udrejsedato></{p}:udrejseoplysninger>"
        )
    return f"<{p}:adresse>{inner}</{p}:adresse>" if inner else ""
