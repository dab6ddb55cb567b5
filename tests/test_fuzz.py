"""Bad input, fuzzed with hypothesis: never an unhandled exception, never a 500.

Every failure must be a form error or a domain error. Each target runs
``APOC_FUZZ_EXAMPLES`` examples (500 unless set; run pytest with
``--hypothesis-show-statistics`` to see how many ran). The pure rules get
arbitrary text, control characters, huge values, impossible dates and wrong
types; the forms get the same through their views with the test client, up
to four fields of an otherwise valid submission spoiled at a time.
"""

from __future__ import annotations

import io
import os
import re
import string
import uuid
import zlib
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image

from apoc.exceptions import DomainError
from cpr.eligibility import Category, EligibilityResult, IntakeFacts, Purpose, check_eligibility
from cpr.models import Allocation
from cpr.personnummer import InvalidPersonnummer, Personnummer, is_valid, parse
from documents.foreign_ids import SCHEMES, ForeignIdResult, check_foreign_id
from documents.mrz import MrzResult, parse_mrz
from jobnet.models import JobnetAccount
from registrations.forms import SearchForm
from registrations.models import Registration
from registrations.selectors import parse_search
from registrations.uploads import DocumentRejected, rebuild_document
from tests.factories import CaseworkerFactory, JobcentreFactory, RegistrationFactory, png_bytes
from tests.registrations.conftest import intake_post

EXAMPLES = int(os.environ.get("APOC_FUZZ_EXAMPLES", "500"))
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# --- Strategies -------------------------------------------------------------------------------

CONTROL = st.characters(codec=None, categories=["Cc", "Cf", "Zl", "Zp"])
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "Robert\x00Tables",
        "\u202eevil",
        "\ufeff",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%s%s%s%(x)s",
        "{{ 7*7 }}",
        "../../etc/passwd",
        "ﬀ",
        "٣١١٢٩٠",
        "０１０１９０-１２３４",
        "𝟎𝟏𝟎𝟏𝟗𝟎-𝟏𝟐𝟑𝟒",
        "1e309",
        "NaN",
        "-0",
        "9" * 400,
    ]
)
TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=CONTROL, max_size=10),
    NASTY,
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(1000, 30000)),
)
DATE_TEXT = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(
        [
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-00-10",
            "0000-00-00",
            "0001-01-01",
            "9999-12-31",
            "99999-01-01",
            "-2024-01-01",
            "31.12.2024",
            "2024-1-1",
            "today",
            "",
        ]
    ),
)
NUMBER_TEXT = st.one_of(
    st.integers(-(10**40), 10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e309", "0x10", "٣", "1_000", " 7 ", "+3", "3.0"]),
)
WRONG_TYPE = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.binary(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
    st.dates(),
)


def _anything(value_strategy):
    """A form value: text, a date or a number in text, several values, or a file."""
    return st.one_of(
        value_strategy,
        TEXT,
        DATE_TEXT,
        NUMBER_TEXT,
        st.lists(TEXT, min_size=2, max_size=3),
        st.just(SimpleUploadedFile("x.txt", b"not a field value")),
    )


# --- The pure rules ---------------------------------------------------------------------------


DIGITS = st.one_of(
    st.sampled_from(string.digits), st.characters(categories=["Nd"]), st.sampled_from("oOlI")
)


@st.composite
def personnummer_like(draw):
    """Something shaped like DDMMYY-SSSS, with any digits and separators."""
    head = "".join(draw(st.lists(DIGITS, min_size=4, max_size=8)))
    separator = draw(st.sampled_from(["", "-", " ", "  ", "–", "/", "\t"]))
    tail = "".join(draw(st.lists(DIGITS, min_size=2, max_size=6)))
    pad = draw(st.sampled_from(["", " ", "\n", "\x00"]))
    return pad + head + separator + tail + pad


@fuzz
@given(
    value=st.one_of(TEXT, personnummer_like(), WRONG_TYPE),
    today=st.one_of(st.none(), st.dates()),
)
def test_personnummer_parse(value, today):
    try:
        number = parse(value, today=today)
    except InvalidPersonnummer as error:
        event("refused")
        assert error.code and error.message
    else:
        event("parsed")
        assert isinstance(number, Personnummer)
        assert re.fullmatch(r"[0-9]{6}-[0-9]{4}", str(number))
        assert number.masked == str(number)[:7] + "XXXX"
        assert number.birth_date <= (today or date.today())
    assert is_valid(value, today=today) in (True, False)


EEA = ["PL", "DE", "SE", "NO", "IS", "LI", "CH", "FI", "RO", "BG", "DK", "GB", "US", "UA", "SY"]


@st.composite
def intake_facts(draw):
    optional_date = st.one_of(st.none(), st.dates())
    return IntakeFacts(
        nationality=draw(st.one_of(st.sampled_from(EEA), TEXT)),
        category=draw(st.sampled_from(list(Category))),
        birth_date=draw(optional_date),
        document_expiry=draw(optional_date),
        entry_date=draw(optional_date),
        purpose=draw(st.one_of(st.none(), st.sampled_from(list(Purpose)))),
        expected_stay_months=draw(st.one_of(st.none(), st.integers(-(10**9), 10**12))),
        has_personnummer=draw(st.booleans()),
        existing_personnummer=draw(st.one_of(TEXT, personnummer_like())),
        residence_registered=draw(st.booleans()),
        asylum_case_id=draw(TEXT),
        decision_date=draw(optional_date),
        decision_reference=draw(TEXT),
    )


@fuzz
@given(facts=intake_facts(), today=st.dates())
def test_eligibility_rules(facts, today):
    result = check_eligibility(facts, today=today)
    event("eligible" if result.eligible else "refused")
    assert isinstance(result, EligibilityResult)
    assert result.eligible == (not result.blocks)
    for reason in result.reasons:
        assert reason.code and reason.message  # every message renders


MRZ_ALPHABET = string.ascii_uppercase + string.digits + "<"


@st.composite
def mrz_like(draw):
    """Lines of MRZ characters in the three shapes and near them, some with noise."""
    rows, width = draw(st.sampled_from([(3, 30), (2, 36), (2, 44), (2, 30), (3, 44), (1, 44)]))
    width += draw(st.sampled_from([0, 0, 0, -1, 1]))
    lines = [
        draw(st.text(alphabet=MRZ_ALPHABET, min_size=width, max_size=width)) for _ in range(rows)
    ]
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        row = draw(st.integers(0, rows - 1))
        at = draw(st.integers(0, width))
        noise = draw(st.one_of(st.sampled_from("«‹ <abcéÖ\x00\t"), st.characters()))
        lines[row] = lines[row][:at] + noise + lines[row][at + 1 :]
    return draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n", " "])).join(lines)


@fuzz
@given(text=st.one_of(mrz_like(), mrz_like(), mrz_like(), TEXT, WRONG_TYPE), today=st.dates())
def test_mrz_parser(text, today):
    result = parse_mrz(text, today=today)
    event("read" if result.fields is not None else "not read")
    assert isinstance(result, MrzResult)
    for error in result.errors:
        assert isinstance(error, DomainError)
        assert error.code and error.message


@fuzz
@given(
    nationality=st.one_of(st.sampled_from(sorted(SCHEMES)), TEXT, WRONG_TYPE),
    value=st.one_of(
        TEXT,
        personnummer_like(),
        st.text(alphabet=string.digits + "-+/. AX", max_size=20),
        WRONG_TYPE,
    ),
    birth_date=st.one_of(st.none(), st.dates()),
    sex=st.one_of(st.none(), st.sampled_from(["M", "F", "X", ""]), TEXT),
    today=st.dates(),
)
def test_foreign_ids(nationality, value, birth_date, sex, today):
    result = check_foreign_id(nationality, value, birth_date=birth_date, sex=sex, today=today)
    event("ok" if result.ok else "errors")
    assert isinstance(result, ForeignIdResult)
    for problem in result.errors + result.warnings:
        assert isinstance(problem, DomainError)
        assert problem.code and problem.message


@fuzz
@given(text=st.one_of(TEXT, personnummer_like(), DATE_TEXT))
def test_search_form_and_query(text):
    form = SearchForm({"q": text})
    if form.is_valid():
        parse_search(form.cleaned_data["q"])
    else:
        assert form.errors["q"]


# --- The forms, through their views -----------------------------------------------------------


@pytest.fixture
def caseworker(db):
    jobcentre = JobcentreFactory(municipality_code="101", municipality="København")
    return CaseworkerFactory(username="fuzz", jobcentre=jobcentre)


@pytest.fixture
def caseworker_client(client, caseworker):
    client.force_login(caseworker)
    return client


INTAKE_FIELDS = [k for k in intake_post() if k != "document_file"] + [
    "has_personnummer",
    "receives_pd_u2",
    "pd_u2_date",
    "residence_registered",
    "confirm_warnings",
    "submission_token",
    "unknown_field",
]
DATE_FIELDS = {
    "birth_date",
    "document_expiry",
    "entry_date",
    "pd_u2_date",
    "decision_date",
}


@st.composite
def spoiled_intake(draw):
    """A valid intake for a new person with up to four fields spoiled or left out."""
    data = intake_post(
        surname="Fuzz"
        + "".join(
            draw(
                st.lists(
                    st.sampled_from("abcdefghijklmnoprstuvwyząćęłńóśźż"), min_size=6, max_size=10
                )
            )
        ),
        document_number=uuid.uuid4().hex[:12].upper(),
    )
    data.pop("document_file")
    for _ in range(draw(st.sampled_from([0, 1, 1, 2, 2, 3, 4]))):
        name = draw(st.sampled_from(INTAKE_FIELDS))
        if draw(st.integers(0, 5)) == 0:
            data.pop(name, None)
            continue
        specific = DATE_TEXT if name in DATE_FIELDS else TEXT
        if name in ("expected_stay_months",):
            specific = NUMBER_TEXT
        if name in ("has_personnummer", "receives_pd_u2", "residence_registered"):
            specific = st.sampled_from(["on", "true", "1", "0", "false", "", "ja"])
        data[name] = draw(_anything(specific))
    return data


def _document(kind: str, content: bytes | None = None) -> SimpleUploadedFile | None:
    if kind == "png":
        return SimpleUploadedFile("id.png", png_bytes(), content_type="image/png")
    if kind == "none":
        return None
    return SimpleUploadedFile(kind, content or b"", content_type="application/octet-stream")


@pytest.mark.django_db
@fuzz
@given(
    data=spoiled_intake(),
    upload=st.one_of(
        st.just(("png", None)),
        st.just(("none", None)),
        st.tuples(
            st.sampled_from(["id.png", "id.pdf", "x", "ø.jpg", "a" * 300]), st.binary(max_size=300)
        ),
    ),
)
def test_intake_form(caseworker_client, data, upload):
    document = _document(*upload)
    if document is not None:
        data["document_file"] = document
    response = caseworker_client.post(reverse("registrations:intake"), data)
    event(f"HTTP {response.status_code}")
    assert response.status_code in (302, 400, 409, 422), response.status_code
    if response.status_code == 302:
        assert response["Location"].startswith("/registreringer/")
        if upload[0] not in ("png", "none"):
            rebuild_document(upload[1], max_bytes=10**7)  # it really was a valid file


@pytest.mark.django_db
@fuzz
@given(
    q=st.one_of(_anything(TEXT), personnummer_like(), DATE_TEXT),
)
def test_search_page(caseworker_client, q):
    response = caseworker_client.post(reverse("registrations:search"), {"q": q}, follow=True)
    assert response.status_code in (200, 400)


@pytest.fixture
def own_registration(caseworker):
    return RegistrationFactory(jobcentre=caseworker.jobcentre, created_by=caseworker)


@pytest.mark.django_db
@fuzz
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "kind": _anything(st.sampled_from(["danish", "employment", "job"])),
            "provider": _anything(TEXT),
            "starts_on": _anything(DATE_TEXT),
            "ends_on": _anything(DATE_TEXT),
            "extra": TEXT,
        },
    )
)
def test_offer_form(caseworker_client, own_registration, data):
    response = caseworker_client.post(
        reverse("registrations:offer_add", args=[own_registration.pk]), data
    )
    event(f"HTTP {response.status_code}")
    assert response.status_code in (302, 400), response.status_code


@pytest.fixture
def login_lock_behind_proxy(settings):
    """The login lock on, and the test client's address a trusted proxy.

    Set once per test: settings changed inside a hypothesis example would nest
    one override per example."""
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]


def _holds_nul(value) -> bool:
    """Whether a form value (text, several values, a file) sends a NUL byte as a field."""
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return isinstance(value, str) and "\x00" in value


def _files_in(data: dict) -> int:
    """How many files a form sends: each one counts against DATA_UPLOAD_MAX_NUMBER_FILES."""
    return sum(isinstance(value, SimpleUploadedFile) for value in data.values())


@pytest.mark.django_db
@fuzz
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "username": _anything(TEXT),
            "password": _anything(TEXT),
            "next": st.one_of(
                TEXT,
                st.sampled_from(
                    ["//evil.example/", "https://evil.example/", "/admin/", "javascript:alert(1)"]
                ),
            ),
        },
    ),
    forwarded=st.one_of(st.none(), st.ip_addresses().map(str), TEXT),
)
def test_login_form(client, login_lock_behind_proxy, data, forwarded):
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    response = client.post(reverse("login"), data, **extra)
    event(f"HTTP {response.status_code}")
    if any(_holds_nul(value) for value in data.values()):
        # A NUL byte in a form field is refused before the login (apoc.middleware).
        assert response.status_code == 400, response.status_code
    elif _files_in(data) > django_settings.DATA_UPLOAD_MAX_NUMBER_FILES:
        # More files than one request may carry: Django refuses the request before the login.
        assert response.status_code == 400, response.status_code
    else:
        assert response.status_code in (200, 429), response.status_code


# --- Uploads through the intake view -------------------------------------------------------------


def _pdf(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R " + extra + b">> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def _bomb() -> bytes:
    """A PNG claiming 100,000 × 100,000 pixels in a few kilobytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    header = (100_000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    body = zlib.compress(b"\x00" * 1_000_000, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def _oversized_png(limit: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 30)).save(buffer, format="PNG")
    return buffer.getvalue() + b"\x00" * (limit + 1 - len(buffer.getvalue()))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("renamed executable", lambda limit: b"MZ\x90\x00\x03" + b"\x00" * 4000, "hverken et JPEG"),
        ("renamed ELF", lambda limit: b"\x7fELF\x02\x01\x01" + b"\x00" * 4000, "hverken et JPEG"),
        (
            "PDF without a page, with JavaScript",
            lambda limit: _pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            "beskadiget",
        ),
        ("decompression bomb", lambda limit: _bomb(), "for stort"),
        ("0-byte file", lambda limit: b"", "tom"),
        ("oversized file", _oversized_png, "for stor"),
    ],
)
def test_bad_uploads_are_refused_through_the_intake(caseworker_client, settings, name, make, says):
    content = make(settings.DOCUMENT_MAX_BYTES)
    filename = "id.pdf" if b"%PDF" in content[:5] else "id.png"
    before = stored_files()
    response = caseworker_client.post(
        reverse("registrations:intake"),
        intake_post(document_file=SimpleUploadedFile(filename, content, content_type="image/png")),
    )
    assert response.status_code == 400, name
    errors = response.context["form"].errors["document_file"]
    assert any(says in error for error in errors), (name, errors)
    assert says in response.content.decode()
    assert not Allocation.objects.exists()
    assert not Registration.objects.exists()
    assert not JobnetAccount.objects.exists()
    assert stored_files() == before  # nothing kept, not even for the next step


def stored_files() -> set[str]:
    """Every file in the document storage (the upload folder)."""
    root = Path(Registration._meta.get_field("document_file").storage.location)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_the_oversized_upload_is_really_over_the_limit(settings):
    content = _oversized_png(settings.DOCUMENT_MAX_BYTES)
    assert len(content) == settings.DOCUMENT_MAX_BYTES + 1 == 10 * 1024 * 1024 + 1
    with pytest.raises(DocumentRejected):
        rebuild_document(content, max_bytes=settings.DOCUMENT_MAX_BYTES)
