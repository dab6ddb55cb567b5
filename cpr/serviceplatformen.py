"""CPR look-ups through KOMBIT's Serviceplatformen (SF1520, "CPR replika opslag").

:class:`ServiceplatformenLookup` implements :class:`cpr.lookup.CprLookup`:

* :meth:`~ServiceplatformenLookup.person` calls PersonBaseDataExtendedService
  **v4**, operation ``PersonLookup``: SOAP 1.1, document/literal, in the
  invocation-context (mutual TLS) security model. The request and the response
  follow the contract in itk-dev/serviceplatformen's
  ``resources/person-base-data-extended-service-contract/`` (commit
  8a74aae6977e2984393a8bbf31120cca42d4d0e2; docs/decisions.md, decision 16).
* :meth:`~ServiceplatformenLookup.search` calls CPRQueryService v3, operation
  ``callCPRPersonList``. Its contract was not found; everything about it that
  no public source states is marked INFERRED here and listed in
  docs/decisions.md. It is off (``searches`` is False) until the setting
  ``CPR_QUERY_ENABLED`` is on, which it should be only once a municipality has
  the contract and has checked this against it.

Transport: the standard library's :mod:`http.client` over an
:class:`ssl.SSLContext` that holds the municipality's client certificate (OCES3,
PEM) and trusts ``SF1520_CA_FILE`` (or, when that is empty, the operating
system's store). One kept-alive connection per thread and endpoint spares a TLS
handshake per look-up. ``SF1520_TIMEOUT`` is a deadline for the whole call:
connecting, the handshake, sending and reading the answer (every wait gets only
the time left; a server that stalls is cut off at the deadline).

Answers are untrusted XML, parsed with defusedxml (no DTD, no entities, no
external references) and read by namespace URI, never by prefix.
"""

from __future__ import annotations

import http.client
import logging
import os
import re
import ssl
import threading
import time
import uuid
import xml.etree.ElementTree as ET  # types and ParseError; parsing is defusedxml's
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import defusedxml.ElementTree as SafeET
from django.conf import settings
from django.core import checks

from apoc.exceptions import gettext_noop

from . import statuses
from .lookup import CprPerson, LookupNotConfigured, LookupUnavailable
from .personnummer import mask_all, parse

__all__ = [
    "ACTION_PERSON_LIST",
    "ACTION_PERSON_LOOKUP",
    "NS",
    "PBDE_SERVICE_UUID",
    "ServiceplatformenLookup",
    "Sf1520Config",
    "check_configuration",
    "parse_person_list_response",
    "parse_person_lookup_response",
    "person_list_request",
    "person_lookup_request",
    "solr_query",
]

logger = logging.getLogger(__name__)


class NS:
    """The namespaces of the contract (all schemas are ``elementFormDefault="qualified"``)."""

    SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
    #: PersonBaseDataExtendedService v4: the request wrapper and every response element.
    PBDE = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/"
    INVOCATION = "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/"
    AUTHORITY = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/"
    PNR = "http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/"
    FAULT = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/"
    #: CPRQueryService v3: from its soapAction and a zeep-generated body
    #: (Stighebbelstrup/serviceplatformen_python); the WSDL itself was not found.
    QUERY = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/CPRQueryService/3/"


#: The WSDL's soapAction for PersonLookup.
ACTION_PERSON_LOOKUP = NS.PBDE + "PersonLookup"
#: The soapAction for callCPRPersonList (Stighebbelstrup's endpoint list).
ACTION_PERSON_LIST = NS.QUERY + "callCPRPersonList"
#: ``service.uuid`` in the v4 contract's ``sp/service.properties``.
PBDE_SERVICE_UUID = "e6be2436-bf35-4df2-83fe-925142825dc2"

#: INFERRED: itk-dev/serviceplatformen (>= 0.0.4) turns a SoapFault whose message
#: contains this into NoPnrFoundException, "performing a call to the
#: PersonBaseDataExtended service with an unknown PNR". No contract file says it.
NOT_FOUND_FAULT = "pnr not found"

#: An answer larger than this is refused unread; a person's record is a few kB.
MAX_ANSWER_BYTES = 2 * 1024 * 1024
#: The longest string InvocationContext's optional elements take.
MAX_CONTEXT_TEXT = 255

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


# --- Configuration ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sf1520Config:
    """The ``SF1520_*`` settings, read once per look-up object."""

    endpoint: str
    query_endpoint: str
    cert_file: str
    key_file: str
    ca_file: str
    service_agreement_uuid: str
    user_system_uuid: str
    user_uuid: str
    service_uuid: str
    query_service_uuid: str
    municipality_cvr: str
    timeout: float
    query_enabled: bool

    @classmethod
    def from_settings(cls) -> Sf1520Config:
        def text(name: str, default: str = "") -> str:
            return str(getattr(settings, name, default) or "").strip()

        return cls(
            endpoint=text("SF1520_ENDPOINT"),
            query_endpoint=text("SF1520_QUERY_ENDPOINT"),
            cert_file=text("SF1520_CERT_FILE"),
            key_file=text("SF1520_KEY_FILE"),
            ca_file=text("SF1520_CA_FILE"),
            service_agreement_uuid=text("SF1520_SERVICE_AGREEMENT_UUID"),
            user_system_uuid=text("SF1520_USER_SYSTEM_UUID"),
            user_uuid=text("SF1520_USER_UUID"),
            service_uuid=text("SF1520_SERVICE_UUID", PBDE_SERVICE_UUID),
            query_service_uuid=text("SF1520_QUERY_SERVICE_UUID"),
            municipality_cvr=text("SF1520_MUNICIPALITY_CVR"),
            timeout=float(getattr(settings, "SF1520_TIMEOUT", 3.0)),
            query_enabled=bool(getattr(settings, "CPR_QUERY_ENABLED", False)),
        )


#: Setting name -> field, for what the request needs (checked at start and before a call).
_REQUIRED = {
    "SF1520_ENDPOINT": "endpoint",
    "SF1520_SERVICE_AGREEMENT_UUID": "service_agreement_uuid",
    "SF1520_USER_SYSTEM_UUID": "user_system_uuid",
    "SF1520_USER_UUID": "user_uuid",
    "SF1520_SERVICE_UUID": "service_uuid",
}
_REQUIRED_FOR_QUERY = {
    "SF1520_QUERY_ENDPOINT": "query_endpoint",
    "SF1520_QUERY_SERVICE_UUID": "query_service_uuid",
}
_FILES = {"SF1520_CERT_FILE": "cert_file", "SF1520_KEY_FILE": "key_file"}
_UUIDS = (
    "SF1520_SERVICE_AGREEMENT_UUID",
    "SF1520_USER_SYSTEM_UUID",
    "SF1520_USER_UUID",
    "SF1520_SERVICE_UUID",
    "SF1520_QUERY_SERVICE_UUID",
)
_ENDPOINTS = ("SF1520_ENDPOINT", "SF1520_QUERY_ENDPOINT")
_FIELDS = {**_REQUIRED, **_REQUIRED_FOR_QUERY, **_FILES}
_CVR = re.compile(r"[0-9]{8}")


def _setting_problems(config: Sf1520Config, *, query: bool) -> list[str]:
    """What is missing or malformed in the settings a request is built from."""
    wanted = {**_REQUIRED, **(_REQUIRED_FOR_QUERY if query else {})}
    problems = [
        f"{name} is not set." for name, field in wanted.items() if not getattr(config, field)
    ]
    for name in _UUIDS:
        value = getattr(config, _FIELDS[name])
        if value and _uuid(value) is None:
            problems.append(f"{name} is {value!r}, which is not a UUID.")
    for name in _ENDPOINTS:
        value = getattr(config, _FIELDS[name])
        parts = urlsplit(value)
        if value and (parts.scheme != "https" or not parts.hostname):
            problems.append(f"{name} is {value!r}, which is not an https:// address.")
    if config.municipality_cvr and not _CVR.fullmatch(config.municipality_cvr):
        problems.append(
            f"SF1520_MUNICIPALITY_CVR is {config.municipality_cvr!r}, which is not 8 digits."
        )
    if not config.timeout > 0:
        problems.append(f"SF1520_TIMEOUT is {config.timeout!r}; it must be more than 0 seconds.")
    return problems


def _file_problems(config: Sf1520Config) -> list[str]:
    problems = [
        f"{name} is not set." for name, field in _FILES.items() if not getattr(config, field)
    ]
    named = {**_FILES, **({"SF1520_CA_FILE": "ca_file"} if config.ca_file else {})}
    for name, field in named.items():
        path = Path(getattr(config, field))
        if getattr(config, field) and not path.is_file():
            problems.append(f"{name} is {str(path)!r}, which is not a file.")
        elif getattr(config, field) and not os.access(path, os.R_OK):
            problems.append(f"{name} is {str(path)!r}, which APOC cannot read.")
    if problems:
        return problems
    if "ENCRYPTED" in Path(config.key_file).read_text(encoding="ascii", errors="replace"):
        return [
            f"SF1520_KEY_FILE {config.key_file!r} is encrypted. APOC needs the key "
            "unencrypted, in a file only APOC's user can read."
        ]
    try:
        _load_context(config.cert_file, config.key_file, config.ca_file)
    except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
        return [
            "SF1520_CERT_FILE, SF1520_KEY_FILE and SF1520_CA_FILE cannot be loaded "
            f"together (PEM certificate, its key, CA certificates): {error}"
        ]
    return []


def check_configuration(config: Sf1520Config | None = None) -> list[checks.CheckMessage]:
    """The system check of the settings (``cpr.E005``) and files (``cpr.E006``)."""
    config = config or Sf1520Config.from_settings()
    hint = "See the README, 'CPR look-up through Serviceplatformen'."
    found: list[checks.CheckMessage] = [
        checks.Error(
            f"CPR_LOOKUP is the Serviceplatformen look-up, but {problem}", hint=hint, id="cpr.E005"
        )
        for problem in _setting_problems(config, query=config.query_enabled)
    ]
    found += [
        checks.Error(
            f"CPR_LOOKUP is the Serviceplatformen look-up, but {problem}", hint=hint, id="cpr.E006"
        )
        for problem in _file_problems(config)
    ]
    return found


def _uuid(value: str) -> str | None:
    """``value`` as the contract's UUIDtype wants it (lower-case hex), or None."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


# --- Requests -----------------------------------------------------------------------------------

#: Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str, limit: int | None = None) -> str:
    value = _NOT_XML.sub("", value)
    return escape(value[:limit] if limit else value)


def _invocation_context(
    config: Sf1520Config, *, service_uuid: str, on_behalf_of: str, call_id: str
) -> str:
    """``inv:InvocationContext`` (prefix ``inv``, declared on the envelope).

    The type is an ``xsd:all``, so any order is valid; this is the schema's own
    order, which KOMBIT's demo request also uses. UUIDs in lower case (UUIDtype's
    pattern).
    """
    children = [
        ("ServiceAgreementUUID", _uuid(config.service_agreement_uuid)),
        ("UserSystemUUID", _uuid(config.user_system_uuid)),
        ("UserUUID", _uuid(config.user_uuid)),
    ]
    if on_behalf_of:
        children.append(("OnBehalfOfUser", on_behalf_of))
    children.append(("ServiceUUID", _uuid(service_uuid)))
    if call_id:
        children.append(("CallersServiceCallIdentifier", call_id))
    inner = "".join(
        f"<inv:{name}>{_text(value or '', MAX_CONTEXT_TEXT)}</inv:{name}>"
        for name, value in children
    )
    return f"<inv:InvocationContext>{inner}</inv:InvocationContext>"


def _envelope(namespaces: dict[str, str], body: str) -> bytes:
    declarations = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in namespaces.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{NS.SOAP}"{declarations}>'
        f"<soapenv:Header/><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def person_lookup_request(
    config: Sf1520Config, pnr: str, *, on_behalf_of: str = "", call_id: str = ""
) -> bytes:
    """The SOAP envelope of PersonLookup for ``pnr`` (ten digits).

    ``PersonLookupRequest`` is a sequence: CallContext?, AuthorityContext?,
    InvocationContext?, PNR. In the invocation-context model it carries
    InvocationContext, then PNR.
    """
    if not (len(pnr) == 10 and pnr.isascii() and pnr.isdigit()):
        raise ValueError("PNR must be ten digits")
    context = _invocation_context(
        config, service_uuid=config.service_uuid, on_behalf_of=on_behalf_of, call_id=call_id
    )
    return _envelope(
        {"pbde": NS.PBDE, "inv": NS.INVOCATION, "pnr": NS.PNR},
        f"<pbde:PersonLookupRequest>{context}<pnr:PNR>{pnr}</pnr:PNR></pbde:PersonLookupRequest>",
    )


def person_list_request(
    config: Sf1520Config, query: str, *, on_behalf_of: str = "", call_id: str = ""
) -> bytes:
    """The SOAP envelope of callCPRPersonList for a SOLR query.

    INFERRED: the only public body (token model) is ``callCPRPersonListRequest`` with
    ``AuthorityContext/MunicipalityCVR`` and ``searchParameter``. In the mutual-TLS
    model APOC sends ``InvocationContext`` as PersonLookupRequest does, and the
    AuthorityContext too when ``SF1520_MUNICIPALITY_CVR`` is set, in
    PersonLookupRequest's order (AuthorityContext before InvocationContext).
    """
    authority = ""
    if config.municipality_cvr:
        authority = (
            "<aut:AuthorityContext><aut:MunicipalityCVR>"
            f"{_text(config.municipality_cvr)}</aut:MunicipalityCVR></aut:AuthorityContext>"
        )
    context = _invocation_context(
        config, service_uuid=config.query_service_uuid, on_behalf_of=on_behalf_of, call_id=call_id
    )
    namespaces = {"q": NS.QUERY, "inv": NS.INVOCATION}
    if authority:
        namespaces["aut"] = NS.AUTHORITY
    return _envelope(
        namespaces,
        f"<q:callCPRPersonListRequest>{authority}{context}"
        f"<q:searchParameter>{_text(query)}</q:searchParameter></q:callCPRPersonListRequest>",
    )


# INFERRED: the SOLR field names. The KOMBIT page lists name, birth date and sex
# among the criteria and says the query follows CPR's ADRSOG1; the one public
# example uses `standardadresse` and `postnummer`, the element names of
# PersonBaseDataExtended's address. The fields below are the same service's
# persondata element names.
SOLR_GIVEN_NAME = "fornavn"
SOLR_MIDDLE_NAME = "mellemnavn"
SOLR_SURNAME = "efternavn"
SOLR_BIRTH_DATE = "foedselsdato"
SOLR_SEX = "koen"
#: The contract's koenType: K (kvinde) and M (mand).
_CPR_SEX = {"M": "M", "F": "K"}


def _solr_term(value: str) -> str:
    """A quoted SOLR term: only ``\\`` and ``"`` need escaping inside quotes."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def solr_query(*, given_names: str, surname: str, birth_date: date, sex: str) -> str:
    """The ``searchParameter`` for a person search (INFERRED throughout).

    Every word of the given names must be a first or middle name, every word of
    the surname a surname or middle name (CPR files some names that a passport
    calls surnames as middle names), and the birth date and sex must match. The
    ``q=`` prefix is the one public example's.
    """
    clauses = [
        f"({SOLR_GIVEN_NAME}:{_solr_term(word)} OR {SOLR_MIDDLE_NAME}:{_solr_term(word)})"
        for word in given_names.split()
    ]
    clauses += [
        f"({SOLR_SURNAME}:{_solr_term(word)} OR {SOLR_MIDDLE_NAME}:{_solr_term(word)})"
        for word in surname.split()
    ]
    clauses.append(f"{SOLR_BIRTH_DATE}:{_solr_term(birth_date.isoformat())}")
    if sex:
        if sex not in _CPR_SEX:
            raise ValueError(f"sex must be 'M', 'F' or '', not {sex!r}")
        clauses.append(f"{SOLR_SEX}:{_solr_term(_CPR_SEX[sex])}")
    return "q=" + " AND ".join(clauses)


# --- Transport ----------------------------------------------------------------------------------


class _Deadline(Exception):
    """The call's deadline passed while reading."""


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    content_type: str
    body: bytes


def _no_password() -> bytes:
    # An encrypted key fails to load instead of OpenSSL prompting on a terminal.
    return b""


_contexts: dict[tuple[Any, ...], ssl.SSLContext] = {}
_contexts_lock = threading.Lock()
_connections = threading.local()


def _load_context(cert_file: str, key_file: str, ca_file: str) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert_file:
        context.load_cert_chain(cert_file, key_file or None, password=_no_password)
    return context


def _context(config: Sf1520Config) -> ssl.SSLContext:
    """The TLS context for these files, loaded again when one of them changes."""
    paths = (config.cert_file, config.key_file, config.ca_file)
    key = tuple((path, os.stat(path).st_mtime_ns if path else 0) for path in paths)
    with _contexts_lock:
        context = _contexts.get(key)
        if context is None:
            context = _contexts[key] = _load_context(*paths)
        return context


def _pool() -> dict[tuple[Any, ...], http.client.HTTPSConnection]:
    pool = getattr(_connections, "pool", None)
    if pool is None:
        pool = _connections.pool = {}
    return pool


#: What a kept-alive connection that the server closed meanwhile raises on reuse.
_STALE = (ConnectionResetError, BrokenPipeError, ssl.SSLEOFError, ssl.SSLZeroReturnError)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Deadline
    return left


def _exchange(
    connection: http.client.HTTPSConnection,
    path: str,
    body: bytes,
    headers: dict[str, str],
    deadline: float,
) -> _Answer:
    connection.timeout = _remaining(deadline)
    if connection.sock is None:
        connection.connect()  # TCP and the TLS handshake, within the time left
    sock = connection.sock
    sock.settimeout(_remaining(deadline))
    connection.request("POST", path, body=body, headers=headers)
    sock.settimeout(_remaining(deadline))
    response = connection.getresponse()
    chunks: list[bytes] = []
    size = 0
    while True:
        sock.settimeout(_remaining(deadline))
        chunk = response.read1(65536)  # one receive, so each wait gets only the time left
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise LookupUnavailable("answer", detail=f"answer larger than {MAX_ANSWER_BYTES} bytes")
        chunks.append(chunk)
    # read1() does not mark a fully read body as done; close() does, and leaves the
    # kept-alive connection ready for the next request.
    response.close()
    return _Answer(response.status, response.getheader("Content-Type", ""), b"".join(chunks))


def _post(config: Sf1520Config, url: str, action: str, body: bytes) -> _Answer:
    """POST a SOAP 1.1 request to ``url`` within ``config.timeout`` seconds."""
    deadline = time.monotonic() + config.timeout
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": f'"{action}"',
        "Accept": "text/xml",
        "User-Agent": "APOC",
    }
    try:
        context = _context(config)
    except (OSError, ValueError) as error:
        raise LookupUnavailable("tls", detail=f"client certificate not loaded: {error}") from None
    key = (parts.hostname, parts.port or 443, id(context))
    pool = _pool()
    for attempt in (1, 2):
        connection = pool.get(key)
        reused = connection is not None and connection.sock is not None
        if connection is None:
            connection = pool[key] = http.client.HTTPSConnection(
                parts.hostname, parts.port or 443, context=context, timeout=config.timeout
            )
        try:
            return _exchange(connection, path, body, headers, deadline)
        except BaseException as error:
            connection.close()
            pool.pop(key, None)
            # A kept-alive connection the server had closed: once more on a fresh one.
            if attempt == 1 and reused and isinstance(error, _STALE):
                continue
            raise _unavailable(error) from None
    raise AssertionError("unreachable")


def _unavailable(error: BaseException) -> BaseException:
    """The LookupUnavailable for a transport failure (anything else passes through)."""
    if isinstance(error, LookupUnavailable):
        return error
    name = type(error).__name__
    if isinstance(error, _Deadline | TimeoutError):
        return LookupUnavailable("timeout", detail=name)
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return LookupUnavailable("tls", detail=f"{name}: {error}")
    if isinstance(error, OSError | http.client.HTTPException):
        return LookupUnavailable("connection", detail=f"{name}: {error}")
    return error


# --- Answers ------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element | None, name: str, ns: str | None) -> ET.Element | None:
    """The first child called ``name`` in ``ns``; with ``ns`` None, by local name alone."""
    if element is None:
        return None
    if ns is not None:
        return element.find(f"{{{ns}}}{name}")
    return next((child for child in element if _local(child.tag) == name), None)


def _value(element: ET.Element | None, path: str, ns: str | None) -> str:
    """The stripped text at ``path`` (names separated by ``/``), or empty."""
    for name in path.split("/"):
        element = _child(element, name, ns)
    return (element.text or "").strip() if element is not None else ""


def _parse_xml(answer: _Answer) -> ET.Element:
    charset = re.search(r"charset=\"?([\w.:-]+)", answer.content_type, re.IGNORECASE)
    try:
        data: bytes | str = answer.body
        if charset and charset[1].lower().replace("_", "-") not in ("utf-8", "utf8"):
            data = answer.body.decode(charset[1])  # HTTP's charset overrides the document's
        return SafeET.fromstring(data, forbid_dtd=True)
    except (ET.ParseError, ValueError, LookupError) as error:  # DefusedXmlException: ValueError
        raise LookupUnavailable(
            "answer" if answer.status == 200 else "http",
            detail=f"HTTP {answer.status}, not XML: {type(error).__name__}",
        ) from None


def _body_content(answer: _Answer) -> ET.Element:
    """The element in the SOAP Body; a SOAP fault raised (not-found returns it as is)."""
    envelope = _parse_xml(answer)
    body = _child(envelope, "Body", NS.SOAP) if envelope.tag == f"{{{NS.SOAP}}}Envelope" else None
    content = next(iter(body), None) if body is not None else None
    if content is None:
        raise LookupUnavailable(
            "answer" if answer.status == 200 else "http",
            detail=f"HTTP {answer.status}, no SOAP 1.1 envelope with a body",
        )
    if content.tag != f"{{{NS.SOAP}}}Fault" and answer.status != 200:
        raise LookupUnavailable("http", detail=f"HTTP {answer.status}")
    return content


def _fault(content: ET.Element) -> tuple[str, str] | None:
    """The fault's code and string (with the ServiceplatformFault errors) if it is one."""
    if content.tag != f"{{{NS.SOAP}}}Fault":
        return None
    # SOAP 1.1: faultcode, faultstring and detail are unqualified.
    code, text = _value(content, "faultcode", None), _value(content, "faultstring", None)
    errors = content.iterfind(f"detail/{{{NS.FAULT}}}ServiceplatformFault//{{{NS.FAULT}}}Error")
    details = [
        f"{_value(error, 'ErrorCode', NS.FAULT)}: {_value(error, 'ErrorText', NS.FAULT)}"
        for error in errors
    ]
    return code, "; ".join([text, *details])


def _is_not_found(fault: tuple[str, str]) -> bool:
    return NOT_FOUND_FAULT in fault[1].split(";")[0].lower()


_XSD_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_XSD_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?"
)


def xsd_date(text: str) -> date | None:
    """An ``xsd:date``, with or without a time zone (which does not move the day)."""
    if not text:
        return None
    match = _XSD_DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"not an xsd:date: {text!r}")
    return date(int(match[1]), int(match[2]), int(match[3]))


def xsd_datetime_date(text: str) -> date | None:
    """The Danish calendar day of an ``xsd:dateTime``; without an offset, the day written."""
    if not text:
        return None
    match = _XSD_DATETIME.fullmatch(text)
    if match is None:
        raise ValueError(f"not an xsd:dateTime: {text!r}")
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    moment = datetime(year, month, day) + timedelta(hours=hour, minutes=minute, seconds=second)
    zone = match[7]
    if zone is None:
        return moment.date()
    offset = timedelta(0)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return (moment - offset).replace(tzinfo=ZoneInfo("UTC")).astimezone(COPENHAGEN).date()


def _status(persondata: ET.Element, ns: str | None, emigrated: bool) -> str:
    text = _value(persondata, "status/status", ns)
    if not text:
        # The status is authoritative; without one, emigration details still say "80".
        return statuses.EMIGRATED if emigrated else ""
    code = f"{int(text):02d}"
    if statuses.by_code(code) is None:
        raise ValueError(f"unknown CPR status {text!r}")
    return code


def _person(persondata: ET.Element, ns: str | None, *, emigrated: bool) -> CprPerson:
    """A :class:`CprPerson` from a ``persondataType`` element (raises ValueError)."""
    digits = _value(persondata, "personnummer", ns)
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit()):
        raise ValueError("persondata without a personnummer of ten digits")
    sex = _value(persondata, "koen", ns)
    if sex not in ("", "K", "M"):
        raise ValueError(f"unknown koen {sex!r}")
    given = [_value(persondata, f"navn/{name}", ns) for name in ("fornavn", "mellemnavn")]
    return CprPerson(
        personnummer=f"{digits[:6]}-{digits[6:]}",
        status=_status(persondata, ns, emigrated),
        status_date=xsd_datetime_date(_value(persondata, "status/statusdato/dato", ns)),
        given_names=" ".join(" ".join(given).split()),
        surname=" ".join(_value(persondata, "navn/efternavn", ns).split()),
        addressing_name=_value(persondata, "navn/personadresseringsnavn", ns),
        birth_date=xsd_date(_value(persondata, "foedselsdato/dato", ns)),
        sex={"K": "F", "M": "M"}.get(sex, ""),
    )


def parse_person_lookup_response(content: ET.Element) -> CprPerson:
    """The person in a ``PersonLookupResponse`` (read by namespace URI)."""
    if content.tag != f"{{{NS.PBDE}}}PersonLookupResponse":
        raise ValueError(f"expected PersonLookupResponse, got {_local(content.tag)}")
    persondata = _child(content, "persondata", NS.PBDE)
    if persondata is None:
        # The XSD allows it; no source shows it. Not proof that the number is unknown.
        raise ValueError("PersonLookupResponse without persondata")
    emigrated = _child(_child(content, "adresse", NS.PBDE), "udrejseoplysninger", NS.PBDE)
    return _person(persondata, NS.PBDE, emigrated=emigrated is not None)


def _records(element: ET.Element, parent: ET.Element) -> Iterator[tuple[ET.Element, ET.Element]]:
    """Person records anywhere below ``element``: a ``persondata`` element, or an element
    holding ``personnummer`` and a structured ``navn`` itself; with the element around it."""
    names = {_local(child.tag): child for child in element}
    navn = names.get("navn")
    if _local(element.tag) == "persondata" or (
        "personnummer" in names and navn is not None and len(navn)
    ):
        yield element, parent
        return
    for child in element:
        yield from _records(child, element)


def parse_person_list_response(content: ET.Element) -> list[CprPerson]:
    """The people in a ``callCPRPersonList`` answer.

    INFERRED: the response's shape is unknown. It is read leniently, by local name in
    any namespace: every ``persondata`` element, or every element that holds a
    ``personnummer`` and a ``navn`` with parts, is a person in PersonLookupResponse's
    terms; ``adresse/udrejseoplysninger`` beside or inside it marks emigration.
    """
    people = []
    for record, around in _records(content, content):
        places = (record, around) if _local(record.tag) == "persondata" else (record,)
        emigrated = any(
            _child(_child(place, "adresse", None), "udrejseoplysninger", None) is not None
            for place in places
        )
        people.append(_person(record, None, emigrated=emigrated))
    return people


# --- The look-up --------------------------------------------------------------------------------


class ServiceplatformenLookup:
    """CPR's replica through Serviceplatformen (SF1520), over mutual TLS."""

    description = gettext_noop("CPR-replika via Serviceplatformen")

    def __init__(self, config: Sf1520Config | None = None, *, on_behalf_of: str = "") -> None:
        self.config = config or Sf1520Config.from_settings()
        self.on_behalf_of = on_behalf_of

    @property
    def searches(self) -> bool:
        """Only with ``CPR_QUERY_ENABLED``: the query contract is inferred (module doc)."""
        return self.config.query_enabled

    @classmethod
    def check_configuration(cls) -> list[checks.CheckMessage]:
        """For ``cpr.checks``: what is missing in the settings, as system-check errors."""
        return check_configuration()

    def person(self, personnummer: str) -> CprPerson | None:
        number = parse(personnummer)
        self._require(query=False)
        call_id = str(uuid.uuid4())
        body = person_lookup_request(
            self.config, number.digits, on_behalf_of=self.on_behalf_of, call_id=call_id
        )
        where = f"PersonLookup {number.masked} call {call_id}"
        content = self._call(self.config.endpoint, ACTION_PERSON_LOOKUP, body, where)
        fault = _fault(content)
        if fault is not None:
            if _is_not_found(fault):
                return None
            raise self._failed(LookupUnavailable("fault", detail=_fault_detail(fault)), where)
        try:
            person = parse_person_lookup_response(content)
        except ValueError as error:
            raise self._failed(
                LookupUnavailable("answer", detail=mask_all(str(error))), where
            ) from None
        if person.personnummer != number.formatted:
            raise self._failed(
                LookupUnavailable("answer", detail="the answer is about another personnummer"),
                where,
            )
        return person

    def search(
        self, *, given_names: str, surname: str, birth_date: date, sex: str
    ) -> list[CprPerson]:
        if not self.searches:
            raise LookupNotConfigured("search_disabled", detail="CPR_QUERY_ENABLED is off")
        self._require(query=True)
        query = solr_query(given_names=given_names, surname=surname, birth_date=birth_date, sex=sex)
        call_id = str(uuid.uuid4())
        body = person_list_request(
            self.config, query, on_behalf_of=self.on_behalf_of, call_id=call_id
        )
        where = f"callCPRPersonList call {call_id}"
        content = self._call(self.config.query_endpoint, ACTION_PERSON_LIST, body, where)
        fault = _fault(content)
        if fault is not None:
            raise self._failed(LookupUnavailable("fault", detail=_fault_detail(fault)), where)
        try:
            return parse_person_list_response(content)
        except ValueError as error:
            raise self._failed(
                LookupUnavailable("answer", detail=mask_all(str(error))), where
            ) from None

    def _require(self, *, query: bool) -> None:
        problems = _setting_problems(self.config, query=query)
        if problems:
            raise LookupNotConfigured(detail=" ".join(problems))

    def _call(self, url: str, action: str, body: bytes, where: str) -> ET.Element:
        started = time.monotonic()
        try:
            content = _body_content(_post(self.config, url, action, body))
        except LookupUnavailable as error:
            raise self._failed(error, where) from None
        logger.debug("%s answered in %.0f ms", where, (time.monotonic() - started) * 1000)
        return content

    @staticmethod
    def _failed(error: LookupUnavailable, where: str) -> LookupUnavailable:
        logger.warning("CPR look-up failed (%s): %s: %s", where, error.reason, error.detail)
        return error


def _fault_detail(fault: tuple[str, str]) -> str:
    return mask_all(f"SOAP fault {fault[0]}: {fault[1]}")[:500]
