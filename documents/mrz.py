"""Machine readable zones (ICAO Doc 9303) of passports and ID cards, read as text.

Pure Python: nothing here imports Django. A USB document reader types the MRZ
as keyboard text; a caseworker may also paste it. :func:`parse_mrz` reads TD1
(ID cards, 3 lines of 30), TD2 (2 lines of 36) and TD3 (passports, 2 lines of
44), verifies every check digit and maps the fields. Facts and sources are in
domain.md §6:

* Field positions: ICAO 9303 Parts 4-6, as confirmed against PassportEye's
  parser (``konstantint/PassportEye:passporteye/mrz/text.py``).
* Check digit: ``0-9`` count as 0-9, ``A-Z`` as 10-35 and ``<`` as 0; weights
  7, 3, 1 repeating; the sum modulo 10.
* A document number longer than 9 characters (TD1 and TD2, ICAO 9303 Part 5
  §4.2.4 and Part 6): the check digit position holds ``<``, the rest of the
  number continues in the optional data, followed by its check digit, which
  covers the whole number. Belgian ID cards use this. TD3 has no such rule
  here: a ``<`` there is a missing check digit.
* Germany is ``D<<``, not ``DEU``. Other codes are ISO 3166-1 alpha-3 plus the
  ICAO codes for organisations, stateless persons and refugees.

What the parser tolerates and what it does not:

* Surrounding whitespace, blank lines, CR/LF/CRLF line ends, and ASCII
  lowercase (uppercased: the MRZ alphabet has no lowercase, so nothing is
  lost). One line of exactly 90, 72 or 88 characters is split into the lines
  of TD1, TD2 or TD3, for a reader whose line ends were lost in a one-line
  input field.
* It never repairs a character. A letter where a digit belongs (``O`` for
  ``0``, ``I`` for ``1`` ...) or a digit where a letter belongs is an error
  that names the field, the line and the position, and suggests the look-alike.
* Nothing from a line that failed is filled in: a check digit that does not
  match, a misread character or an impossible date leaves every field of that
  line ``None``. The composite check digit covers data on line 2 (and line 1
  for TD1); when it fails, those lines count as failed.
* Two-digit years: a birth date is the latest such date on or before
  ``today``; an expiry date is the one within 50 years of ``today``.
  ``today`` is always passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from apoc.exceptions import DomainError, Msg, gettext_noop
from cpr.countries import special_nationality

__all__ = [
    "FIELD_LABELS",
    "FORMATS",
    "ICAO_SPECIAL_CODES",
    "MrzError",
    "MrzFields",
    "MrzResult",
    "check_digit",
    "country_alpha2",
    "parse_mrz",
]

#: (number of lines, characters per line) for each format.
FORMATS: dict[str, tuple[int, int]] = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}
_BY_SHAPE = {shape: name for name, shape in FORMATS.items()}
_GLUED = {lines * width: (lines, width) for lines, width in FORMATS.values()}

FILLER = "<"
_DIGITS = "0123456789"
_VALUES: dict[str, int] = {
    **{c: i for i, c in enumerate(_DIGITS)},
    **{c: 10 + i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")},
    FILLER: 0,
}
_INVALID_CHAR = re.compile(r"[^A-Z0-9<]")
_A_DIGIT = re.compile(r"[0-9]")
_A_LETTER = re.compile(r"[A-Z]")
_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")

#: Characters an OCR engine or a hurried typist confuses. Used only to suggest
#: what the document may say, never to change the input.
_DIGIT_LOOKALIKES = {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5"}
_DIGIT_LOOKALIKES |= {"G": "6", "B": "8"}
_LETTER_LOOKALIKES = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"}

#: ISO 3166-1 alpha-3 to alpha-2, all 249 officially assigned codes. Generated
#: from django-countries 9.1's ``data.ALT_CODES`` (which follows ISO 3166-1)
#: and pasted here so this module stays free of Django.
_ISO_ALPHA3_TABLE = """
ABW=AW AFG=AF AGO=AO AIA=AI ALA=AX ALB=AL AND=AD ARE=AE ARG=AR ARM=AM ASM=AS ATA=AQ ATF=TF
ATG=AG AUS=AU AUT=AT AZE=AZ BDI=BI BEL=BE BEN=BJ BES=BQ BFA=BF BGD=BD BGR=BG BHR=BH BHS=BS
BIH=BA BLM=BL BLR=BY BLZ=BZ BMU=BM BOL=BO BRA=BR BRB=BB BRN=BN BTN=BT BVT=BV BWA=BW CAF=CF
CAN=CA CCK=CC CHE=CH CHL=CL CHN=CN CIV=CI CMR=CM COD=CD COG=CG COK=CK COL=CO COM=KM CPV=CV
CRI=CR CUB=CU CUW=CW CXR=CX CYM=KY CYP=CY CZE=CZ DEU=DE DJI=DJ DMA=DM DNK=DK DOM=DO DZA=DZ
ECU=EC EGY=EG ERI=ER ESH=EH ESP=ES EST=EE ETH=ET FIN=FI FJI=FJ FLK=FK FRA=FR FRO=FO FSM=FM
GAB=GA GBR=GB GEO=GE GGY=GG GHA=GH GIB=GI GIN=GN GLP=GP GMB=GM GNB=GW GNQ=GQ GRC=GR GRD=GD
GRL=GL GTM=GT GUF=GF GUM=GU GUY=GY HKG=HK HMD=HM HND=HN HRV=HR HTI=HT HUN=HU IDN=ID IMN=IM
IND=IN IOT=IO IRL=IE IRN=IR IRQ=IQ ISL=IS ISR=IL ITA=IT JAM=JM JEY=JE JOR=JO JPN=JP KAZ=KZ
KEN=KE KGZ=KG KHM=KH KIR=KI KNA=KN KOR=KR KWT=KW LAO=LA LBN=LB LBR=LR LBY=LY LCA=LC LIE=LI
LKA=LK LSO=LS LTU=LT LUX=LU LVA=LV MAC=MO MAF=MF MAR=MA MCO=MC MDA=MD MDG=MG MDV=MV MEX=MX
MHL=MH MKD=MK MLI=ML MLT=MT MMR=MM MNE=ME MNG=MN MNP=MP MOZ=MZ MRT=MR MSR=MS MTQ=MQ MUS=MU
MWI=MW MYS=MY MYT=YT NAM=NA NCL=NC NER=NE NFK=NF NGA=NG NIC=NI NIU=NU NLD=NL NOR=NO NPL=NP
NRU=NR NZL=NZ OMN=OM PAK=PK PAN=PA PCN=PN PER=PE PHL=PH PLW=PW PNG=PG POL=PL PRI=PR PRK=KP
PRT=PT PRY=PY PSE=PS PYF=PF QAT=QA REU=RE ROU=RO RUS=RU RWA=RW SAU=SA SDN=SD SEN=SN SGP=SG
SGS=GS SHN=SH SJM=SJ SLB=SB SLE=SL SLV=SV SMR=SM SOM=SO SPM=PM SRB=RS SSD=SS STP=ST SUR=SR
SVK=SK SVN=SI SWE=SE SWZ=SZ SXM=SX SYC=SC SYR=SY TCA=TC TCD=TD TGO=TG THA=TH TJK=TJ TKL=TK
TKM=TM TLS=TL TON=TO TTO=TT TUN=TN TUR=TR TUV=TV TWN=TW TZA=TZ UGA=UG UKR=UA UMI=UM URY=UY
USA=US UZB=UZ VAT=VA VCT=VC VEN=VE VGB=VG VIR=VI VNM=VN VUT=VU WLF=WF WSM=WS YEM=YE ZAF=ZA
ZMB=ZM ZWE=ZW
"""
_ISO_ALPHA3: dict[str, str] = dict(pair.split("=") for pair in _ISO_ALPHA3_TABLE.split())

#: ICAO 9303 Part 3 codes that are not ISO 3166-1 alpha-3 codes of a country.
#: They have no alpha-2 country, except Germany's ``D``.
ICAO_SPECIAL_CODES: dict[str, str] = {
    "D": "Germany",
    "GBD": "British Overseas Territories Citizen",
    "GBN": "British National (Overseas)",
    "GBO": "British Overseas Citizen",
    "GBP": "British Protected Person",
    "GBS": "British Subject",
    "RKS": "Kosovo",
    "EUE": "European Union",
    "UNO": "United Nations Organization",
    "UNA": "Specialized agency of the United Nations",
    "UNK": "Resident of Kosovo (UNMIK travel document)",
    "XBA": "African Development Bank",
    "XIM": "African Export-Import Bank",
    "XCC": "Caribbean Community",
    "XCE": "Council of Europe",
    "XCO": "Common Market for Eastern and Southern Africa",
    "XEC": "Economic Community of West African States",
    "XPO": "International Criminal Police Organization (Interpol)",
    "XES": "Organisation of Eastern Caribbean States",
    "XMP": "Parliamentary Assembly of the Mediterranean",
    "XOM": "Sovereign Military Order of Malta",
    "XDC": "Southern African Development Community",
    "XXA": "Stateless person",
    "XXB": "Refugee (1951 Convention)",
    "XXC": "Refugee (other)",
    "XXX": "Unspecified nationality",
    "UTO": "Utopia (ICAO specimen documents)",
}

_DOCUMENT_TYPES = {"P": "passport", "I": "id_card", "A": "other", "C": "other"}

# --- Messages --------------------------------------------------------------------------

#: Danish names of the fields, rendered into the messages (translatable).
FIELD_LABELS: dict[str, str] = {
    "document_code": gettext_noop("dokumenttype"),
    "issuing_state": gettext_noop("udstedende land"),
    "document_number": gettext_noop("dokumentnummer"),
    "birth_date": gettext_noop("fødselsdato"),
    "sex": gettext_noop("køn"),
    "expiry_date": gettext_noop("udløbsdato"),
    "nationality": gettext_noop("nationalitet"),
    "personal_number": gettext_noop("personligt nummer"),
    "optional_data": gettext_noop("valgfrie data"),
    "name": gettext_noop("navn"),
    "composite": gettext_noop("de samlede data"),
}

_NOT_TEXT = gettext_noop("MRZ'en skal være tekst.")
_EMPTY = gettext_noop("Der er ingen MRZ at læse.")
_SHAPE = gettext_noop(
    "En MRZ har 3 linjer med 30 tegn (ID-kort), 2 linjer med 36 tegn eller 2 linjer med "
    "44 tegn (pas). Her er der %(count)d linje(r) med %(lengths)s tegn."
)
_LINE_LENGTH = gettext_noop("Linje %(line)d har %(length)d tegn, men skal have %(expected)d.")
_CHARACTER = gettext_noop(
    "Tegnet '%(char)s' på linje %(line)d, position %(position)d hører ikke til en MRZ. "
    "Der kan kun stå A-Z, 0-9 og <."
)
_CHECK_MISMATCH = gettext_noop(
    "Kontrolciffer for %(field)s passer ikke (linje %(line)d, position %(position)d)."
)
_CHECK_MISSING = gettext_noop(
    "Kontrolciffer for %(field)s mangler (linje %(line)d, position %(position)d)."
)
_CHECK_NOT_DIGIT = gettext_noop(
    "Kontrolciffer for %(field)s skal være et ciffer, men der står '%(char)s' "
    "(linje %(line)d, position %(position)d)."
)
_CHECK_LOOKALIKE = gettext_noop(
    "Kontrolciffer for %(field)s skal være et ciffer, men der står '%(char)s' "
    "(linje %(line)d, position %(position)d). Måske er det '%(suggestion)s' – tjek dokumentet."
)
_NOT_DIGIT = gettext_noop(
    "Der står '%(char)s' i %(field)s (linje %(line)d, position %(position)d), "
    "hvor der skal stå et ciffer."
)
_DIGIT_EXPECTED_LOOKALIKE = gettext_noop(
    "Der står '%(char)s' i %(field)s (linje %(line)d, position %(position)d), "
    "hvor der skal stå et ciffer. Måske er det '%(suggestion)s' – tjek dokumentet."
)
_NOT_LETTER = gettext_noop(
    "Der står '%(char)s' i %(field)s (linje %(line)d, position %(position)d), "
    "hvor der skal stå et bogstav."
)
_LETTER_EXPECTED_LOOKALIKE = gettext_noop(
    "Der står '%(char)s' i %(field)s (linje %(line)d, position %(position)d), "
    "hvor der skal stå et bogstav. Måske er det '%(suggestion)s' – tjek dokumentet."
)
_DATE = gettext_noop(
    "%(value)s i %(field)s er ikke en dato på formen ÅÅMMDD "
    "(linje %(line)d, position %(position)d)."
)
_SEX = gettext_noop(
    "Køn skal være M, F eller <, men der står '%(char)s' (linje %(line)d, position %(position)d)."
)
_DOCUMENT_CODE = gettext_noop(
    "Dokumenttypen '%(value)s' kendes ikke (linje %(line)d, position %(position)d). "
    "Et pas begynder med P, et ID-kort med I, A eller C."
)
_VISA = gettext_noop(
    "Dokumentet er et visum, ikke et pas eller ID-kort (linje %(line)d, position %(position)d)."
)
_COUNTRY = gettext_noop(
    "'%(value)s' i %(field)s er ikke en landekode (linje %(line)d, position %(position)d)."
)
_NUMBER_MISSING = gettext_noop("Dokumentnummeret mangler (linje %(line)d, position %(position)d).")
_SURNAME_MISSING = gettext_noop("Efternavnet mangler (linje %(line)d, position %(position)d).")
_OVERFLOW = gettext_noop(
    "Det lange dokumentnummer, der fortsætter i de valgfrie data, kan ikke læses "
    "(linje %(line)d, position %(position)d)."
)


class MrzError(DomainError):
    """One thing wrong with an MRZ: a stable ``code``, a Danish message and where.

    ``field`` is the English key of the field (``"birth_date"``, ``"composite"``
    ...) or ``None`` for the text as a whole; ``line`` and ``position`` are
    1-based, as printed on the document.
    """

    code = "mrz_invalid"
    template = gettext_noop("MRZ'en kan ikke læses.")

    def __init__(
        self,
        template: str | None = None,
        *,
        code: str | None = None,
        field: str | None = None,
        line: int | None = None,
        position: int | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.field = field
        self.line = line
        self.position = position
        merged = dict(params or {})
        if line is not None:
            merged.setdefault("line", line)
        if position is not None:
            merged.setdefault("position", position)
        if field is not None and field in FIELD_LABELS:
            merged.setdefault("field", Msg(FIELD_LABELS[field]))
        super().__init__(template, code=code, params=merged)

    def __repr__(self) -> str:
        return (
            f"MrzError(code={self.code!r}, field={self.field!r}, "
            f"line={self.line!r}, position={self.position!r})"
        )


@dataclass(frozen=True, slots=True)
class MrzFields:
    """The data of an MRZ. A field is ``None`` when its line failed.

    ``birth_date`` and ``expiry_date`` are also ``None`` when the document fills
    the date with ``<`` (unknown), which ICAO 9303 allows; the result is then
    still ``ok``. ``sex`` is ``"M"``, ``"F"`` or ``"X"`` (unspecified: ``<`` or
    ``X`` on the document). Country codes are as printed without fillers
    (``"D"``, ``"POL"``, ``"UTO"``); ``*_country`` is the ISO 3166-1 alpha-2
    code, or ``None`` for codes without a country (``UTO``, ``XXA`` ...).
    ``personal_number`` is TD3's personal number field, or for TD1 and TD2 the
    first non-empty optional data field, which is where EU ID cards put the
    national personal number (Sweden in optional data 1, Belgium in 2).
    ``optional_data`` holds every optional data field without fillers.
    """

    document_code: str | None = None
    document_type: str | None = None
    issuing_state: str | None = None
    issuing_country: str | None = None
    document_number: str | None = None
    surname: str | None = None
    given_names: str | None = None
    names_truncated: bool | None = None
    birth_date: date | None = None
    sex: str | None = None
    expiry_date: date | None = None
    expired: bool | None = None
    nationality: str | None = None
    nationality_country: str | None = None
    personal_number: str | None = None
    optional_data: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class MrzResult:
    """What :func:`parse_mrz` read.

    ``format`` is ``"TD1"``, ``"TD2"`` or ``"TD3"`` once the shape is known.
    ``fields`` is ``None`` when the text has the wrong shape or characters, and
    otherwise holds whatever the lines that passed give. ``lines`` are the
    lines as read (trimmed and uppercased).
    """

    format: str | None
    fields: MrzFields | None
    errors: tuple[MrzError, ...]
    lines: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the text is an MRZ and every check passed.

        Even then a field may be ``None``: a date the document leaves unknown
        (``<<<<<<``) or an empty personal number.
        """
        return not self.errors and self.fields is not None


def check_digit(data: str) -> int:
    """The ICAO 9303 check digit of ``data`` (characters A-Z, 0-9 and ``<``).

    Raises :class:`ValueError` for any other character.
    """
    try:
        values = [_VALUES[char] for char in data]
    except KeyError as error:
        raise ValueError(f"{error.args[0]!r} is not an MRZ character") from None
    # Weights 7, 3, 1 repeating: sum each third of the positions once.
    return (7 * sum(values[0::3]) + 3 * sum(values[1::3]) + sum(values[2::3])) % 10


def country_alpha2(code: str) -> str | None:
    """The ISO 3166-1 alpha-2 code for an MRZ country code, or ``None``.

    Accepts the code with or without fillers: ``"D<<"``, ``"D"`` and
    ``"DEU"`` all give ``"DE"``. The codes for stateless persons, refugees and
    unknown nationality give APOC's codes for them (``"XXA"`` gives ``"XA"``,
    :data:`cpr.countries.SPECIAL_NATIONALITIES`); ``"UTO"`` gives ``None``.
    """
    code = code.rstrip(FILLER)
    if code == "D":
        return "DE"
    special = special_nationality(code)
    if special is not None:
        return special.alpha2
    return _ISO_ALPHA3.get(code)


# --- Reading ---------------------------------------------------------------------------


class _Reader:
    """Reads the fields of validly shaped lines and collects what is wrong."""

    __slots__ = ("errors", "failed", "lines", "today")

    def __init__(self, lines: tuple[str, ...], today: date) -> None:
        self.lines = lines
        self.today = today
        self.errors: list[MrzError] = []
        self.failed: set[int] = set()

    def error(
        self,
        template: str,
        code: str,
        *,
        field: str | None,
        line: int,
        position: int | None,
        **params: Any,
    ) -> None:
        self.errors.append(
            MrzError(template, code=code, field=field, line=line, position=position, params=params)
        )
        self.failed.add(line)

    def check(self, field: str, data: str, line: int, index: int, *, code: str = "") -> bool:
        """Verify the check digit at ``index`` (0-based) of ``line`` over ``data``."""
        char = self.lines[line - 1][index]
        position = index + 1
        if char in _DIGITS:
            if ord(char) - 48 == check_digit(data):
                return True
            self.error(
                _CHECK_MISMATCH,
                code or "mrz_check_digit",
                field=field,
                line=line,
                position=position,
            )
        elif char == FILLER:
            self.error(
                _CHECK_MISSING, "mrz_check_digit_missing", field=field, line=line, position=position
            )
        elif char in _DIGIT_LOOKALIKES:
            self.error(
                _CHECK_LOOKALIKE,
                "mrz_ocr_confusion",
                field=field,
                line=line,
                position=position,
                char=char,
                suggestion=_DIGIT_LOOKALIKES[char],
            )
        else:
            self.error(
                _CHECK_NOT_DIGIT,
                "mrz_check_digit_not_digit",
                field=field,
                line=line,
                position=position,
                char=char,
            )
        return False

    def letters(self, field: str, line: int, start: int, end: int) -> str | None:
        """The slice, or ``None`` after reporting the first digit in it."""
        return self._only(
            field, line, start, end, _A_DIGIT, _LETTER_LOOKALIKES,
            (_LETTER_EXPECTED_LOOKALIKE, _NOT_LETTER, "mrz_not_letter"),
        )  # fmt: skip

    def digits(self, field: str, line: int, start: int, end: int) -> str | None:
        """The slice (digits or fillers), or ``None`` after reporting the first letter."""
        return self._only(
            field, line, start, end, _A_LETTER, _DIGIT_LOOKALIKES,
            (_DIGIT_EXPECTED_LOOKALIKE, _NOT_DIGIT, "mrz_not_digit"),
        )  # fmt: skip

    def _only(
        self,
        field: str,
        line: int,
        start: int,
        end: int,
        wrong: re.Pattern[str],
        lookalikes: dict[str, str],
        messages: tuple[str, str, str],
    ) -> str | None:
        """The slice, or ``None`` after reporting the first character ``wrong`` finds.

        A wrong character with a look-alike (O for 0, I for 1 …) is reported as a
        likely OCR confusion with a suggestion; it is never silently replaced.
        """
        text = self.lines[line - 1]
        match = wrong.search(text, start, end)
        if match is None:
            return text[start:end]
        char = match.group()
        suggestion = lookalikes.get(char)
        lookalike_template, plain_template, plain_code = messages
        self.error(
            lookalike_template if suggestion else plain_template,
            "mrz_ocr_confusion" if suggestion else plain_code,
            field=field,
            line=line,
            position=match.start() + 1,
            char=char,
            suggestion=suggestion,
        )
        return None

    def document_code(self) -> tuple[str, str] | None:
        raw = self.letters("document_code", 1, 0, 2)
        if raw is None:
            return None
        kind = _DOCUMENT_TYPES.get(raw[0])
        if kind is None:
            if raw[0] == "V":
                self.error(_VISA, "mrz_visa", field="document_code", line=1, position=1)
            else:
                self.error(
                    _DOCUMENT_CODE,
                    "mrz_document_code",
                    field="document_code",
                    line=1,
                    position=1,
                    value=raw,
                )
            return None
        return raw.rstrip(FILLER), kind

    def country(self, field: str, line: int, start: int) -> str | None:
        raw = self.letters(field, line, start, start + 3)
        if raw is None:
            return None
        code = raw.rstrip(FILLER)
        if not code or FILLER in code:
            self.error(
                _COUNTRY, "mrz_country", field=field, line=line, position=start + 1, value=raw
            )
            return None
        return code

    def sex(self, line: int, index: int) -> str | None:
        char = self.lines[line - 1][index]
        if char in "MF":
            return char
        if char in "<X":
            return "X"
        self.error(_SEX, "mrz_sex", field="sex", line=line, position=index + 1, char=char)
        return None

    def date_field(
        self, field: str, line: int, start: int, *, birth: bool
    ) -> tuple[bool, date | None]:
        """Read YYMMDD at ``start`` with its check digit right after it.

        Returns (passed, the date or ``None`` when the document fills it with ``<``).
        """
        raw = self.digits(field, line, start, start + 6)
        if raw is None:
            return False, None
        if not self.check(field, raw, line, start + 6):
            return False, None
        if FILLER in raw:
            return True, None
        value = _resolve_date(raw, self.today, birth=birth)
        if value is None:
            self.error(_DATE, "mrz_date", field=field, line=line, position=start + 1, value=raw)
            return False, None
        return True, value

    def document_number(
        self, line: int, start: int, overflow: tuple[int, int] | None
    ) -> tuple[str | None, int]:
        """The document number, with ICAO 9303's overflow into the optional data.

        ``overflow`` is the (start, end) of the optional data that may hold the
        rest of a long number. Returns the number (``None`` on failure) and how
        many characters of the optional data it used (its rest, its check digit
        and the filler after them).
        """
        text = self.lines[line - 1]
        raw = text[start : start + 9]
        check_index = start + 9
        if overflow is not None and text[check_index] == FILLER and text[overflow[0]] != FILLER:
            overflow_start, overflow_end = overflow
            rest = text[overflow_start:overflow_end].split(FILLER, 1)[0]
            if len(rest) < 2 or FILLER in raw:
                self.error(
                    _OVERFLOW,
                    "mrz_overflow",
                    field="document_number",
                    line=line,
                    position=check_index + 1,
                )
                return None, 0
            number = raw + rest[:-1]
            used = min(len(rest) + 1, overflow_end - overflow_start)
            if not self.check("document_number", number, line, overflow_start + len(rest) - 1):
                return None, used
            return number, used
        number = raw.rstrip(FILLER)
        if not number:
            self.error(
                _NUMBER_MISSING,
                "mrz_document_number_missing",
                field="document_number",
                line=line,
                position=start + 1,
            )
            return None, 0
        if not self.check("document_number", raw, line, check_index):
            return None, 0
        return number, 0

    def names(self, line: int, start: int) -> tuple[str, str, bool] | None:
        raw = self.letters("name", line, start, len(self.lines[line - 1]))
        if raw is None:
            return None
        truncated = not raw.endswith(FILLER)
        primary, _, secondary = raw.rstrip(FILLER).partition(FILLER * 2)
        surname = " ".join(part for part in primary.split(FILLER) if part)
        if not surname:
            self.error(
                _SURNAME_MISSING,
                "mrz_surname_missing",
                field="name",
                line=line,
                position=start + 1,
            )
            return None
        given = " ".join(part for part in secondary.split(FILLER) if part)
        return surname, given, truncated


def _resolve_date(raw: str, today: date, *, birth: bool) -> date | None:
    """YYMMDD with the century chosen around ``today``; ``None`` if no such date."""
    yy, month, day = int(raw[0:2]), int(raw[2:4]), int(raw[4:6])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if birth:
        # The latest date with these digits on or before today.
        year = today.year - (today.year - yy) % 100
        candidates = (year, year - 100)
    else:
        # The one year in [today.year - 50, today.year + 49] that ends in yy.
        year = today.year - 50 + (yy - (today.year - 50)) % 100
        candidates = (year,)
    for candidate in candidates:
        try:
            value = date(candidate, month, day)
        except ValueError:
            continue
        if not birth or value <= today:
            return value
    return None


def _split_lines(text: str) -> list[str]:
    lines = [line for line in (part.strip() for part in text.splitlines()) if line]
    if len(lines) == 1 and len(lines[0]) in _GLUED:
        count, width = _GLUED[len(lines[0])]
        lines = [lines[0][i * width : (i + 1) * width] for i in range(count)]
    return lines


def _shape_errors(lines: list[str]) -> list[MrzError]:
    widths = [len(line) for line in lines]
    expected = _expected_width(widths)
    if expected is None:
        return [_shape_error(widths)]
    return [
        MrzError(
            _LINE_LENGTH,
            code="mrz_line_length",
            line=number,
            params={"length": width, "expected": expected},
        )
        for number, width in enumerate(widths, start=1)
        if width != expected
    ]


def _expected_width(widths: list[int]) -> int | None:
    """The first of ``widths`` that a format with this many lines has, if any."""
    allowed = {width for count, width in FORMATS.values() if count == len(widths)}
    return next((width for width in widths if width in allowed), None)


def _shape_error(widths: list[int]) -> MrzError:
    """The error for lines that fit no format: how many, and (the first five of) their lengths."""
    shown = ", ".join(str(width) for width in widths[:5]) + (", …" if len(widths) > 5 else "")
    return MrzError(_SHAPE, code="mrz_shape", params={"count": len(widths), "lengths": shown})


def _character_errors(lines: tuple[str, ...]) -> list[MrzError]:
    errors = []
    for number, line in enumerate(lines, start=1):
        match = _INVALID_CHAR.search(line)
        if match is not None:
            char = match.group()
            errors.append(
                MrzError(
                    _CHARACTER,
                    code="mrz_character",
                    line=number,
                    position=match.start() + 1,
                    params={"char": char if char.isprintable() else f"U+{ord(char):04X}"},
                )
            )
    return errors


def parse_mrz(text: str, *, today: date) -> MrzResult:
    """Read an MRZ (TD1, TD2 or TD3) typed by a document reader or pasted.

    Never raises for bad input: everything wrong is in ``errors`` (see the
    module docstring for what is tolerated). ``today`` decides the centuries
    and whether the document has ``expired``.
    """
    if not isinstance(text, str):
        return MrzResult(None, None, (MrzError(_NOT_TEXT, code="mrz_type"),))
    split = _split_lines(text.translate(_UPPER))
    if not split:
        return MrzResult(None, None, (MrzError(_EMPTY, code="mrz_empty"),))
    lines = tuple(split)
    layout = _BY_SHAPE.get((len(lines), len(lines[0])))
    if layout is None or any(len(line) != len(lines[0]) for line in lines):
        return MrzResult(None, None, tuple(_shape_errors(split)), lines)
    errors = _character_errors(lines)
    if errors:
        return MrzResult(layout, None, tuple(errors), lines)
    reader = _Reader(lines, today)
    if layout == "TD1":
        fields = _read_td1(reader)
    else:
        fields = _read_td2_td3(reader, passport=layout == "TD3")
    return MrzResult(layout, fields, tuple(reader.errors), lines)


_T = TypeVar("_T")


def _kept(value: _T, passed: bool) -> _T | None:
    """``value`` if the line it was read from passed, else ``None``."""
    return value if passed else None


def _read_td1(r: _Reader) -> MrzFields:
    # Line 1: code 1-2, issuing state 3-5, document number 6-14, check 15, optional data 16-30.
    code = r.document_code()
    issuing = r.country("issuing_state", 1, 2)
    number, used = r.document_number(1, 5, (15, 30))
    optional_1 = r.lines[0][15 + used : 30].strip(FILLER)
    # Line 2: birth 1-6, check 7, sex 8, expiry 9-14, check 15, nationality 16-18,
    # optional data 19-29, composite 30.
    birth_ok, birth = r.date_field("birth_date", 2, 0, birth=True)
    sex = r.sex(2, 7)
    expiry_ok, expiry = r.date_field("expiry_date", 2, 8, birth=False)
    nationality = r.country("nationality", 2, 15)
    optional_2 = r.lines[1][18:29].strip(FILLER)
    # Line 3: the name.
    names = r.names(3, 0)
    _check_td1_composite(r)
    line1 = 1 not in r.failed
    line2 = 2 not in r.failed
    optional = tuple(data for data in (optional_1, optional_2) if data)
    return _fields(
        r,
        code=_kept(code, line1),
        issuing=_kept(issuing, line1),
        number=_kept(number, line1),
        names=_kept(names, 3 not in r.failed),
        birth=_kept(birth, line2 and birth_ok),
        sex=_kept(sex, line2),
        expiry=_kept(expiry, line2 and expiry_ok),
        nationality=_kept(nationality, line2),
        personal_number=_kept(optional[0] if optional else None, line1 and line2),
        optional=_kept(optional, line1 and line2),
    )


def _check_td1_composite(r: _Reader) -> None:
    """TD1's composite check digit over lines 1 and 2; when it fails, both lines failed."""
    if r.failed & {1, 2}:
        return
    composite = r.lines[0][5:30] + r.lines[1][0:7] + r.lines[1][8:15] + r.lines[1][18:29]
    if not r.check("composite", composite, 2, 29, code="mrz_composite"):
        r.failed.add(1)


def _read_td2_td3(r: _Reader, *, passport: bool) -> MrzFields:
    # Line 1: code 1-2, issuing state 3-5, name 6-end.
    code = r.document_code()
    issuing = r.country("issuing_state", 1, 2)
    names = r.names(1, 5)
    # Line 2: document number 1-9, check 10, nationality 11-13, birth 14-19, check 20,
    # sex 21, expiry 22-27, check 28; then TD3: personal number 29-42, check 43,
    # composite 44; TD2: optional data 29-35, composite 36.
    optional_end = 42 if passport else 35
    number, used = r.document_number(2, 0, None if passport else (28, optional_end))
    nationality = r.country("nationality", 2, 10)
    birth_ok, birth = r.date_field("birth_date", 2, 13, birth=True)
    sex = r.sex(2, 20)
    expiry_ok, expiry = r.date_field("expiry_date", 2, 21, birth=False)
    optional = r.lines[1][28 + used : optional_end].strip(FILLER)
    if passport:
        _check_td3_personal_number(r)
    _check_td2_td3_composite(r)
    line1 = 1 not in r.failed
    line2 = 2 not in r.failed
    return _fields(
        r,
        code=_kept(code, line1),
        issuing=_kept(issuing, line1),
        number=_kept(number, line2),
        names=_kept(names, line1),
        birth=_kept(birth, line2 and birth_ok),
        sex=_kept(sex, line2),
        expiry=_kept(expiry, line2 and expiry_ok),
        nationality=_kept(nationality, line2),
        personal_number=_kept(optional or None, line2),
        optional=_kept((optional,) if optional else (), line2),
    )


def _check_td3_personal_number(r: _Reader) -> None:
    """The check digit of TD3's personal number, unless the field is empty (check ``<`` or 0)."""
    raw = r.lines[1][28:42]
    check = r.lines[1][42]
    if not (raw == FILLER * 14 and check in "<0"):
        r.check("personal_number", raw, 2, 42)


def _check_td2_td3_composite(r: _Reader) -> None:
    """The composite check digit at the end of line 2, if the line passed so far."""
    if 2 in r.failed:
        return
    width = len(r.lines[1])
    composite = r.lines[1][0:10] + r.lines[1][13:20] + r.lines[1][21 : width - 1]
    r.check("composite", composite, 2, width - 1, code="mrz_composite")


def _fields(
    r: _Reader,
    *,
    code: tuple[str, str] | None,
    issuing: str | None,
    number: str | None,
    names: tuple[str, str, bool] | None,
    birth: date | None,
    sex: str | None,
    expiry: date | None,
    nationality: str | None,
    personal_number: str | None,
    optional: tuple[str, ...] | None,
) -> MrzFields:
    return MrzFields(
        document_code=code[0] if code else None,
        document_type=code[1] if code else None,
        issuing_state=issuing,
        issuing_country=country_alpha2(issuing) if issuing else None,
        document_number=number,
        surname=names[0] if names else None,
        given_names=names[1] if names else None,
        names_truncated=names[2] if names else None,
        birth_date=birth,
        sex=sex,
        expiry_date=expiry,
        expired=(expiry < r.today) if expiry is not None else None,
        nationality=nationality,
        nationality_country=country_alpha2(nationality) if nationality else None,
        personal_number=personal_number,
        optional_data=optional,
    )
