"""The Serviceplatformen adapter (SF1520) against a fake Serviceplatformen over real mutual TLS.

Every test here talks HTTPS to ``tests/fake_serviceplatformen.py`` on 127.0.0.1: the
client certificate, the TLS handshake, the SOAP envelope and the parsing are all real.
"""

from __future__ import annotations

import dataclasses
import http.client
import logging
import socket
import ssl
import time
from datetime import date

import defusedxml.ElementTree as SafeET
import pytest
from cryptography.hazmat.primitives import serialization
from django.core.checks.registry import registry
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from cpr.lookup import CprPerson, LookupNotConfigured, LookupUnavailable, get_lookup
from cpr.personnummer import mod11_ok
from cpr.serviceplatformen import (
    ServiceplatformenLookup,
    Sf1520Config,
    check_configuration,
    solr_query,
    xsd_date,
    xsd_datetime_date,
)
from tests.fake_serviceplatformen import (
    PERSON_LOOKUP_PATH,
    QUERY_PATH,
    FakePerson,
    FakeServiceplatformen,
)

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
PBDE = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/"
INV = "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/"
AUT = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/"
PNR = "http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/"
QUERY = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/CPRQueryService/3/"


@pytest.fixture
def fake(fake_serviceplatformen):
    """The fake, with APOC's settings pointing at it for the test."""
    with override_settings(**fake_serviceplatformen.settings()):
        yield fake_serviceplatformen


@pytest.fixture
def lookup(fake):
    return ServiceplatformenLookup(on_behalf_of="sara")


def lookup_with(fake: FakeServiceplatformen, **settings) -> ServiceplatformenLookup:
    with override_settings(**fake.settings(**settings)):
        return ServiceplatformenLookup()


def eventually(condition, seconds: float = 2.0) -> bool:
    """Whether ``condition()`` comes true within ``seconds`` (the fake's threads count)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def failure(call) -> tuple[LookupUnavailable, float]:
    started = time.monotonic()
    with pytest.raises(LookupUnavailable) as caught:
        call()
    return caught.value, time.monotonic() - started


# --- PersonLookup: answers ----------------------------------------------------------------------


def test_a_person_is_read_in_full(lookup):
    assert lookup.person("010190-2000") == CprPerson(
        personnummer="010190-2000",
        status="20",
        status_date=date(2023, 9, 4),
        given_names="Anna Maria",
        surname="Kowalska",
        addressing_name="Anna Maria Kowalska",
        birth_date=date(1990, 1, 1),
        sex="F",
    )


def test_a_number_without_modulus_11_is_found_like_any_other(lookup):
    assert not mod11_ok("0101902000")
    assert lookup.person("0101902000").personnummer == "010190-2000"


@pytest.mark.parametrize(
    ("number", "status", "status_date", "sex"),
    [
        ("150348-1991", "90", date(2024, 11, 30), "M"),  # dead
        ("240785-1962", "01", date(2025, 2, 1), "F"),  # residence in Denmark
        ("021179-2019", "80", date(2025, 6, 15), "M"),  # emigrated
    ],
)
def test_statuses_come_as_two_digits_with_their_date(lookup, number, status, status_date, sex):
    person = lookup.person(number)
    assert (person.status, person.status_date, person.sex) == (status, status_date, sex)


def test_emigration_details_without_a_status_mean_emigrated(fake, lookup):
    fake.add_person(
        FakePerson(
            "090592-2068", "Ewa", "Nowak", date(1992, 5, 9), "F", status=None, emigrated_to=5150
        )
    )
    assert lookup.person("090592-2068").status == "80"


def test_no_status_and_no_emigration_is_no_status(fake, lookup):
    fake.add_person(FakePerson("090592-2068", "Ewa", "Nowak", date(1992, 5, 9), "F", status=None))
    person = lookup.person("090592-2068")
    assert (person.status, person.status_date) == ("", None)


def test_the_status_is_authoritative_over_emigration_details(fake, lookup):
    # Emigrated once, and back with a residence: CPR's status says 01.
    fake.add_person(
        FakePerson(
            "090592-2068", "Ewa", "Nowak", date(1992, 5, 9), "F", status=1, emigrated_to=5150
        )
    )
    assert lookup.person("090592-2068").status == "01"


def test_an_unknown_number_is_none(fake, lookup):
    assert lookup.person("010101-1234") is None
    assert fake.request_count == 1


def test_an_answer_about_another_number_is_refused(fake, lookup):
    fake.people["0101902000"] = fake.people["1503481991"]
    error, _ = failure(lambda: lookup.person("010190-2000"))
    assert error.reason == "answer"


def test_the_client_certificate_identifies_apoc_and_one_connection_serves_many_lookups(
    fake, lookup
):
    for number in ("010190-2000", "150348-1991", "010101-1234"):
        lookup.person(number)
    assert {request.client for request in fake.requests} == {"APOC test system (Testkommune)"}
    assert fake.connections == 1


def test_a_connection_the_server_closed_is_replaced_without_a_failure(fake, lookup):
    lookup.person("010190-2000")
    fake.drop_connections()
    time.sleep(0.05)
    assert lookup.person("150348-1991").status == "90"
    assert fake.connections == 2


# --- PersonLookup: the request on the wire -----------------------------------------------------


def children(element) -> list[str]:
    return [child.tag for child in element]


def test_the_request_has_the_contracts_exact_shape(fake, lookup):
    lookup.person("010190-2000")
    request = fake.last_request
    assert request.path == PERSON_LOOKUP_PATH
    assert request.headers["SOAPAction"] == f'"{PBDE}PersonLookup"'
    assert request.headers["Content-Type"] == "text/xml; charset=utf-8"

    envelope = SafeET.fromstring(request.body)
    assert envelope.tag == f"{{{SOAP}}}Envelope"
    assert children(envelope) == [f"{{{SOAP}}}Header", f"{{{SOAP}}}Body"]
    (lookup_request,) = envelope.find(f"{{{SOAP}}}Body")
    assert lookup_request.tag == f"{{{PBDE}}}PersonLookupRequest"
    assert children(lookup_request) == [f"{{{INV}}}InvocationContext", f"{{{PNR}}}PNR"]
    context, pnr = lookup_request
    assert children(context) == [
        f"{{{INV}}}ServiceAgreementUUID",
        f"{{{INV}}}UserSystemUUID",
        f"{{{INV}}}UserUUID",
        f"{{{INV}}}OnBehalfOfUser",
        f"{{{INV}}}ServiceUUID",
        f"{{{INV}}}CallersServiceCallIdentifier",
    ]
    values = {child.tag.split("}")[1]: child.text for child in context}
    assert values["ServiceAgreementUUID"] == fake.agreement.service_agreement_uuid
    assert values["UserSystemUUID"] == fake.agreement.user_system_uuid
    assert values["UserUUID"] == fake.agreement.user_uuid
    assert values["ServiceUUID"] == "e6be2436-bf35-4df2-83fe-925142825dc2"
    assert values["OnBehalfOfUser"] == "sara"
    assert len(values["CallersServiceCallIdentifier"]) == 36
    assert pnr.text == "0101902000"


def test_without_a_caseworker_there_is_no_on_behalf_of_user(fake):
    ServiceplatformenLookup().person("010190-2000")
    context = SafeET.fromstring(fake.last_request.body).find(f".//{{{INV}}}InvocationContext")
    assert f"{{{INV}}}OnBehalfOfUser" not in children(context)


def test_upper_case_uuids_in_the_settings_go_out_in_lower_case(fake):
    agreement = fake.agreement.service_agreement_uuid.upper()
    lookup = lookup_with(fake, SF1520_SERVICE_AGREEMENT_UUID=agreement)
    assert lookup.person("010190-2000") is not None


def test_a_caseworkers_name_is_escaped(fake):
    ServiceplatformenLookup(on_behalf_of="a<b&c>\x00d").person("010190-2000")
    context = SafeET.fromstring(fake.last_request.body).find(f".//{{{INV}}}InvocationContext")
    assert context.find(f"{{{INV}}}OnBehalfOfUser").text == "a<b&c>d"


# --- PersonLookup: failures ---------------------------------------------------------------------


def test_a_slow_answer_beyond_the_timeout_is_unavailable_in_time(fake):
    lookup = lookup_with(fake, SF1520_TIMEOUT=0.5)
    fake.latency = 5
    error, elapsed = failure(lambda: lookup.person("010190-2000"))
    assert error.reason == "timeout"
    assert 0.4 < elapsed < 1.5
    assert error.message == "CPR kunne ikke søges: Serviceplatformen svarede ikke i tide."


def test_a_slow_answer_within_the_timeout_is_fine(fake, lookup):
    fake.latency = 0.05
    assert lookup.person("010190-2000").status == "20"


def test_the_deadline_covers_a_server_that_never_completes_the_handshake(fake):
    # A listening socket nobody accepts from: TCP connects, TLS waits for ever.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        url = f"https://127.0.0.1:{port}{PERSON_LOOKUP_PATH}"
        lookup = lookup_with(fake, SF1520_ENDPOINT=url, SF1520_TIMEOUT=0.5)
        error, elapsed = failure(lambda: lookup.person("010190-2000"))
    assert error.reason == "timeout"
    assert elapsed < 1.5


def test_a_server_that_is_down_is_unavailable(sf1520_certificates):
    with FakeServiceplatformen(sf1520_certificates) as stopped:
        settings = stopped.settings()
    with override_settings(**settings):
        error, elapsed = failure(lambda: ServiceplatformenLookup().person("010190-2000"))
    assert error.reason == "connection"
    assert elapsed < 1


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("close", "connection"), ("503", "http"), ("fault", "fault"), ("garbage", "answer")],
)
def test_failures_of_the_service_are_unavailable(fake, lookup, mode, reason):
    fake.failure = mode
    error, _ = failure(lambda: lookup.person("010190-2000"))
    assert error.reason == reason
    assert error.message.startswith("CPR kunne ikke søges: ")


def test_a_fault_names_no_secret_in_its_message_and_masks_numbers_in_its_detail(fake, caplog):
    # A service UUID the agreement does not know: the fake's SOAP Client fault.
    lookup = lookup_with(fake, SF1520_SERVICE_UUID="00000000-0000-4000-8000-000000000000")
    with caplog.at_level(logging.WARNING, logger="cpr.serviceplatformen"):
        error, _ = failure(lambda: lookup.person("010190-2000"))
    assert error.reason == "fault"
    assert "no service agreement with ServiceUUID" in error.detail
    assert error.message == "CPR kunne ikke søges: Serviceplatformen afviste forespørgslen."
    assert "010190-XXXX" in caplog.text
    assert "2000" not in caplog.text.replace("010190-XXXX", "")


def test_xml_with_entities_is_refused_unexpanded(fake, lookup):
    fake.failure = "dtd"
    error, _ = failure(lambda: lookup.person("010190-2000"))
    assert error.reason == "answer"


def test_without_a_client_certificate_the_server_refuses_the_handshake(fake, lookup):
    anonymous = ServiceplatformenLookup(
        dataclasses.replace(lookup.config, cert_file="", key_file="")
    )
    error, _ = failure(lambda: anonymous.person("010190-2000"))
    assert error.reason in ("tls", "connection")
    assert eventually(lambda: fake.handshake_failures == 1)
    assert fake.request_count == 0


def test_a_client_certificate_from_another_ca_is_refused(fake, sf1520_certificates):
    lookup = lookup_with(
        fake,
        SF1520_CERT_FILE=str(sf1520_certificates.foreign_client_cert),
        SF1520_KEY_FILE=str(sf1520_certificates.foreign_client_key),
    )
    error, _ = failure(lambda: lookup.person("010190-2000"))
    assert error.reason in ("tls", "connection")
    assert eventually(lambda: fake.handshake_failures == 1)
    assert fake.request_count == 0


def test_a_server_apoc_does_not_trust_is_refused(fake, sf1520_certificates):
    lookup = lookup_with(fake, SF1520_CA_FILE=str(sf1520_certificates.foreign_client_cert))
    error, _ = failure(lambda: lookup.person("010190-2000"))
    assert error.reason == "tls"
    assert fake.request_count == 0


def test_a_missing_setting_stops_before_any_request(fake):
    lookup = lookup_with(fake, SF1520_USER_UUID="")
    with pytest.raises(LookupNotConfigured) as caught:
        lookup.person("010190-2000")
    assert "SF1520_USER_UUID is not set." in caught.value.detail
    assert fake.request_count == 0


# --- search: CPRQueryService (inferred, off by default) ----------------------------------------

ANNA = {"given_names": "Anna Maria", "surname": "Kowalska", "birth_date": date(1990, 1, 1)}


def test_search_is_off_by_default_and_asks_nobody(fake, lookup):
    assert lookup.searches is False
    with pytest.raises(LookupNotConfigured) as caught:
        lookup.search(**ANNA, sex="F")
    assert caught.value.reason == "search_disabled"
    assert caught.value.message == (
        "CPR kunne ikke søges: søgning på navn og fødselsdato er ikke slået til."
    )
    assert fake.request_count == 0


@pytest.fixture
def searching(fake):
    with override_settings(CPR_QUERY_ENABLED=True):
        lookup = get_lookup(on_behalf_of="sara")
    assert lookup.searches is True
    return lookup


@pytest.mark.parametrize("shape", ["nested", "flat"])
def test_search_finds_the_person_in_either_answer_shape(fake, searching, shape):
    fake.query_shape = shape
    (person,) = searching.search(**ANNA, sex="F")
    assert person == CprPerson(
        personnummer="010190-2000",
        status="20",
        status_date=date(2023, 9, 4),
        given_names="Anna Maria",
        surname="Kowalska",
        addressing_name="Anna Maria Kowalska",
        birth_date=date(1990, 1, 1),
        sex="F",
    )


def test_search_without_a_sex_and_in_other_cases(fake, searching):
    found = searching.search(
        given_names="anna", surname="KOWALSKA", birth_date=date(1990, 1, 1), sex=""
    )
    assert [p.personnummer for p in found] == ["010190-2000"]


def test_search_reads_emigration_beside_persondata(fake, searching):
    fake.add_person(
        FakePerson(
            "021179-2019", "Lukas", "Müller", date(1979, 11, 2), "M", status=None, emigrated_to=5180
        )
    )
    (person,) = searching.search(
        given_names="Lukas", surname="Müller", birth_date=date(1979, 11, 2), sex="M"
    )
    assert person.status == "80"


def test_search_that_matches_nobody_is_empty(fake, searching):
    assert searching.search(**ANNA, sex="M") == []
    assert searching.search(**{**ANNA, "surname": "Hansen"}, sex="F") == []


def test_search_finds_namesakes(fake, searching):
    fake.add_person(
        FakePerson("010190-2018", "Anna", "Kowalska", date(1990, 1, 1), "F", middle_name="Maria")
    )
    found = searching.search(**ANNA, sex="F")
    assert sorted(p.personnummer for p in found) == ["010190-2000", "010190-2018"]


def test_the_search_request_has_the_inferred_shape(fake, searching):
    searching.search(**ANNA, sex="F")
    request = fake.last_request
    assert request.path == QUERY_PATH
    assert request.headers["SOAPAction"] == f'"{QUERY}callCPRPersonList"'
    (body,) = SafeET.fromstring(request.body).find(f"{{{SOAP}}}Body")
    assert body.tag == f"{{{QUERY}}}callCPRPersonListRequest"
    assert children(body) == [
        f"{{{AUT}}}AuthorityContext",
        f"{{{INV}}}InvocationContext",
        f"{{{QUERY}}}searchParameter",
    ]
    authority, context, parameter = body
    assert authority.find(f"{{{AUT}}}MunicipalityCVR").text == "12345678"
    assert context.find(f"{{{INV}}}ServiceUUID").text == fake.query_service_uuid
    assert parameter.text == (
        'q=(fornavn:"Anna" OR mellemnavn:"Anna") AND (fornavn:"Maria" OR mellemnavn:"Maria") '
        'AND (efternavn:"Kowalska" OR mellemnavn:"Kowalska") AND foedselsdato:"1990-01-01" '
        'AND koen:"K"'
    )


def test_without_a_cvr_no_authority_context_is_sent(fake):
    lookup = lookup_with(fake, CPR_QUERY_ENABLED=True, SF1520_MUNICIPALITY_CVR="")
    lookup.search(**ANNA, sex="F")
    (body,) = SafeET.fromstring(fake.last_request.body).find(f"{{{SOAP}}}Body")
    assert children(body)[0] == f"{{{INV}}}InvocationContext"


def test_a_failing_search_is_unavailable(fake, searching):
    fake.failure = "fault"
    error, _ = failure(lambda: searching.search(**ANNA, sex="F"))
    assert error.reason == "fault"


def test_solr_terms_are_quoted_and_escaped():
    query = solr_query(
        given_names='Jo"hn\\', surname="O'Brien", birth_date=date(1990, 1, 1), sex="M"
    )
    assert query == (
        'q=(fornavn:"Jo\\"hn\\\\" OR mellemnavn:"Jo\\"hn\\\\") '
        'AND (efternavn:"O\'Brien" OR mellemnavn:"O\'Brien") '
        'AND foedselsdato:"1990-01-01" AND koen:"M"'
    )


# --- The fake holds to the contract ------------------------------------------------------------


def post_to_fake(fake, body: bytes, action: str, path: str = PERSON_LOOKUP_PATH):
    context = ssl.create_default_context(cafile=str(fake.certificates.ca_file))
    context.load_cert_chain(fake.certificates.client_cert, fake.certificates.client_key)
    connection = http.client.HTTPSConnection("127.0.0.1", fake.port, context=context, timeout=5)
    try:
        connection.request(
            "POST", path, body=body, headers={"Content-Type": "text/xml", "SOAPAction": action}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def request_body(
    fake,
    *,
    context: str | None = None,
    user_uuid: str | None = None,
    pnr: str = "0101902000",
    ns: str = PBDE,
) -> bytes:
    """A PersonLookup request written by hand, with other prefixes than APOC's."""
    agreement = fake.agreement
    if context is None:
        context = (
            f"<i:ServiceAgreementUUID>{agreement.service_agreement_uuid}</i:ServiceAgreementUUID>"
            f"<i:UserSystemUUID>{agreement.user_system_uuid}</i:UserSystemUUID>"
            f"<i:UserUUID>{user_uuid or agreement.user_uuid}</i:UserUUID>"
            f"<i:ServiceUUID>{fake.service_uuid}</i:ServiceUUID>"
        )
    return (
        f'<s:Envelope xmlns:s="{SOAP}" xmlns:p="{ns}" xmlns:i="{INV}" xmlns:n="{PNR}"><s:Body>'
        f"<p:PersonLookupRequest><i:InvocationContext>{context}</i:InvocationContext>"
        f"<n:PNR>{pnr}</n:PNR></p:PersonLookupRequest></s:Body></s:Envelope>"
    ).encode()


ACTION = f"{PBDE}PersonLookup"


def test_the_fake_answers_a_hand_written_request_with_other_prefixes(fake):
    status, answer = post_to_fake(fake, request_body(fake), ACTION)
    assert status == 200
    assert b"PersonLookupResponse" in answer


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"pnr": "010190-2000"}, b"PNR must be 10 digits"),
        ({"ns": PBDE.replace("/4/", "/5/")}, b"expected PersonLookupRequest"),
        ({"user_uuid": "KOMMUNE"}, b"not a UUIDtype"),
        ({"context": ""}, b"InvocationContext has no ServiceAgreementUUID"),
        ({"action": PBDE + "Lookup"}, b"SOAPAction"),
    ],
)
def test_the_fake_answers_a_request_that_breaks_the_contract_with_a_client_fault(
    fake, change, complaint
):
    action = change.pop("action", ACTION)
    status, answer = post_to_fake(fake, request_body(fake, **change), action)
    assert status == 500
    assert b"<faultcode>soap:Client</faultcode>" in answer
    assert complaint in answer
    assert b"PNR not found" not in answer


def test_the_fake_wants_the_invocation_context_before_the_pnr(fake):
    body = request_body(fake).replace(b"<n:PNR>0101902000</n:PNR>", b"")
    body = body.replace(
        b"<p:PersonLookupRequest>", b"<p:PersonLookupRequest><n:PNR>0101902000</n:PNR>"
    )
    status, answer = post_to_fake(fake, body, ACTION)
    assert status == 500 and b"out of place" in answer


def test_the_fake_answers_an_unknown_number_with_pnr_not_found(fake):
    status, answer = post_to_fake(fake, request_body(fake, pnr="0101011234"), ACTION)
    assert status == 500
    assert b"<faultstring>PNR not found</faultstring>" in answer


# --- Dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["1970-01-01", "1970-01-01+01:00", "1970-01-01Z", "1970-01-01-05:00"]
)
def test_an_xsd_date_is_its_day_whatever_the_offset(text):
    assert xsd_date(text) == date(1970, 1, 1)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2000-01-01T00:00:00.000+01:00", date(2000, 1, 1)),
        ("2000-01-01T00:00:00", date(2000, 1, 1)),
        ("2000-01-01T12:30:00Z", date(2000, 1, 1)),
        # Midnight in Copenhagen, written in UTC, is the next Danish day.
        ("1999-12-31T23:00:00Z", date(2000, 1, 1)),
        ("2000-06-30T23:30:00+00:00", date(2000, 7, 1)),
        ("2000-01-01T24:00:00", date(2000, 1, 2)),
    ],
)
def test_an_xsd_datetime_is_read_as_a_danish_day(text, day):
    assert xsd_datetime_date(text) == day


@pytest.mark.parametrize("text", ["01-01-2000", "2000-01-01T00:00", "2000-13-01T00:00:00"])
def test_a_malformed_date_time_is_an_error(text):
    with pytest.raises(ValueError):
        xsd_datetime_date(text)


# --- The system check (cpr.E005, cpr.E006) ------------------------------------------------------


def check_ids(**settings) -> list[tuple[str, str]]:
    with override_settings(**settings):
        found = registry.run_checks()
    return [(m.id, m.msg) for m in found if m.id in ("cpr.E005", "cpr.E006")]


def test_the_fakes_settings_pass_the_check(fake):
    assert check_ids(**fake.settings()) == []
    assert check_ids(**fake.settings(CPR_QUERY_ENABLED=True)) == []


def test_the_local_lookup_needs_no_sf1520_settings():
    assert check_ids(CPR_LOOKUP="cpr.lookup.LocalLookup", SF1520_ENDPOINT="") == []


def test_a_missing_setting_is_an_error_that_names_it(fake):
    found = check_ids(**fake.settings(SF1520_ENDPOINT="", SF1520_CERT_FILE=""))
    assert (
        "cpr.E005",
        "CPR_LOOKUP is the Serviceplatformen look-up, but SF1520_ENDPOINT is not set.",
    ) in found
    assert (
        "cpr.E006",
        "CPR_LOOKUP is the Serviceplatformen look-up, but SF1520_CERT_FILE is not set.",
    ) in found


def test_the_query_settings_are_needed_only_when_search_is_on(fake):
    off = fake.settings(SF1520_QUERY_ENDPOINT="", SF1520_QUERY_SERVICE_UUID="")
    assert check_ids(**off) == []
    found = [msg for _, msg in check_ids(**{**off, "CPR_QUERY_ENABLED": True})]
    assert any("SF1520_QUERY_ENDPOINT is not set" in msg for msg in found)
    assert any("SF1520_QUERY_SERVICE_UUID is not set" in msg for msg in found)


@pytest.mark.parametrize(
    ("setting", "value", "complaint"),
    [
        ("SF1520_USER_UUID", "kommune", "is not a UUID"),
        ("SF1520_ENDPOINT", "http://exttest.serviceplatformen.dk/x", "not an https:// address"),
        ("SF1520_MUNICIPALITY_CVR", "1234", "not 8 digits"),
        ("SF1520_TIMEOUT", 0, "more than 0 seconds"),
    ],
)
def test_a_malformed_setting_is_an_error(fake, setting, value, complaint):
    ((error_id, msg),) = check_ids(**fake.settings(**{setting: value}))
    assert error_id == "cpr.E005" and setting in msg and complaint in msg


def test_a_file_that_does_not_exist_is_an_error(fake, tmp_path):
    missing = tmp_path / "kommune.pem"
    ((error_id, msg),) = check_ids(**fake.settings(SF1520_CERT_FILE=str(missing)))
    assert error_id == "cpr.E006"
    assert f"SF1520_CERT_FILE is '{missing}', which is not a file." in msg


def test_an_encrypted_key_is_an_error(fake, tmp_path):
    key = serialization.load_pem_private_key(fake.certificates.client_key.read_bytes(), None)
    encrypted = tmp_path / "encrypted.key"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"hemmelig"),
        )
    )
    ((error_id, msg),) = check_ids(**fake.settings(SF1520_KEY_FILE=str(encrypted)))
    assert error_id == "cpr.E006" and "is encrypted" in msg


def test_a_key_that_does_not_belong_to_the_certificate_is_an_error(fake, sf1520_certificates):
    ((error_id, msg),) = check_ids(
        **fake.settings(SF1520_KEY_FILE=str(sf1520_certificates.foreign_client_key))
    )
    assert error_id == "cpr.E006" and "cannot be loaded together" in msg


def test_manage_py_check_fails_and_says_what_is_missing(fake):
    with (
        override_settings(**fake.settings(SF1520_SERVICE_AGREEMENT_UUID="")),
        pytest.raises(SystemCheckError) as caught,
    ):
        call_command("check")
    assert "(cpr.E005) CPR_LOOKUP is the Serviceplatformen look-up, but " in str(caught.value)
    assert "SF1520_SERVICE_AGREEMENT_UUID is not set." in str(caught.value)


def test_the_check_reads_the_settings_once_through_the_config(fake):
    with override_settings(**fake.settings()):
        config = Sf1520Config.from_settings()
    assert check_configuration(config) == []
    assert config.service_uuid == "e6be2436-bf35-4df2-83fe-925142825dc2"
    assert config.timeout == 3.0 and config.query_enabled is False
