"""Foreign personal ID numbers, checked by nationality with python-stdnum.

Pure Python: nothing here imports Django. python-stdnum (LGPL-2.1+) does the
arithmetic; this module picks the scheme by nationality (ISO 3166-1 alpha-2),
turns stdnum's exceptions into Danish domain errors, and compares the birth
date and sex that many numbers encode with what the caseworker entered.

* An invalid number is an error. A birth date or sex in the number that
  differs from the given one is a warning naming both values: the caseworker
  decides which is wrong.
* ``normalised`` is the form for the duplicate check: the scheme's compact
  form when the number is valid (Swedish numbers always with the four-digit
  year), otherwise the input without whitespace and hyphens, uppercased. A
  nationality without a scheme only gets the latter.
* stdnum 2.2 has ``get_birth_date``/``get_gender`` for PESEL, CNP (date
  only), Swedish personnummer, Norwegian fødselsnummer, Estonian isikukood
  (also used for the Lithuanian asmens kodas), EGN (date only), codice
  fiscale, the Belgian national and BIS numbers, Czech/Slovak rodné číslo
  (date only, in ``stdnum.cz.rc``) and EMŠO. Where it has none, the few
  lines here follow the published structure: HETU (century sign; odd
  individual number = man), CNP (first digit odd = man), EGN (ninth digit
  even = man, en.wikipedia.org/wiki/Unique_citizenship_number), rodné číslo
  (month + 50 for women, as stdnum's own comment says), kennitala (last digit
  9 = 1900s, 0 = 2000s) and NIR (first digit 1 = man, 2 = woman).
* ``today`` is passed in. Two schemes in stdnum read the clock themselves:
  Swedish ten-digit numbers (the century) and Norwegian numbers (rejecting a
  future birth date); here the Swedish century and every future check use
  ``today``. ``stdnum.be.nn`` also uses the clock to tell 19xx from 20xx
  numbers, which matters only for numbers with a year after the real today.
* Not mapped: countries whose only stdnum personal number is a tax or social
  security number a jobseeker does not carry on an ID document (DE IdNr,
  AT VNR, CH AHV, GR AMKA, IE PPS, LI PEID, HU), since validating something
  else against them would give false errors. DK is not needed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import ModuleType

from stdnum.be import bis as be_bis
from stdnum.be import nn as be_nn
from stdnum.bg import egn as bg_egn
from stdnum.cz import rc as cz_rc
from stdnum.ee import ik as ee_ik
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidLength,
)
from stdnum.fi import hetu as fi_hetu
from stdnum.fr import nir as fr_nir
from stdnum.hr import oib as hr_oib
from stdnum.is_ import kennitala as is_kennitala
from stdnum.it import codicefiscale as it_codicefiscale
from stdnum.lt import asmens as lt_asmens
from stdnum.lv import pvn as lv_pvn
from stdnum.nl import bsn as nl_bsn
from stdnum.no import fodselsnummer as no_fodselsnummer
from stdnum.pl import pesel as pl_pesel
from stdnum.pt import cc as pt_cc
from stdnum.ro import cnp as ro_cnp
from stdnum.se import personnummer as se_personnummer
from stdnum.si import emso as si_emso
from stdnum.sk import rc as sk_rc
from stdnum.tr import tckimlik as tr_tckimlik
from stdnum.ua import rntrc as ua_rntrc

from apoc.exceptions import DomainError, Msg, gettext_noop

__all__ = [
    "SCHEMES",
    "WARNING_CODES",
    "WARNING_LABELS",
    "WARNING_TEMPLATES",
    "ForeignIdMismatch",
    "ForeignIdResult",
    "InvalidForeignId",
    "Scheme",
    "check_foreign_id",
    "normalise",
]

_SEPARATORS = " -./+:"
_ALLOWED = re.compile(r"[A-Za-z0-9 \-./+:]*")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_SEX_LABELS = {"M": gettext_noop("mand"), "F": gettext_noop("kvinde")}


class InvalidForeignId(DomainError):
    """A foreign personal ID number that its scheme rejects."""

    code = "invalid_foreign_id"
    template = gettext_noop("Ugyldigt ID-nummer.")


class ForeignIdMismatch(DomainError):
    """The number encodes another birth date or sex than the one given (a warning)."""

    code = "foreign_id_mismatch"
    template = gettext_noop("ID-nummeret passer ikke med de øvrige oplysninger.")


_NOT_TEXT = gettext_noop("ID-nummeret skal være tekst.")
_EMPTY = gettext_noop("ID-nummeret er tomt.")
_CHARACTER = gettext_noop(
    "Ugyldigt nummer (%(scheme)s): tegnet '%(char)s' hører ikke til sådan et nummer."
)
_FORMAT = gettext_noop("Ugyldigt nummer (%(scheme)s): nummeret er ikke bygget rigtigt op.")
_LENGTH = gettext_noop("Ugyldigt nummer (%(scheme)s): nummeret har forkert længde.")
_CHECKSUM = gettext_noop("Ugyldigt nummer (%(scheme)s): kontrolcifferet passer ikke.")
_COMPONENT = gettext_noop(
    "Ugyldigt nummer (%(scheme)s): en del af nummeret, fx datoen, findes ikke."
)
_NOT_PERSONAL = gettext_noop(
    "Ugyldigt nummer (%(scheme)s): det er et nummer for en virksomhed, ikke for en person."
)
_FUTURE = gettext_noop(
    "Ugyldigt nummer (%(scheme)s): fødselsdatoen %(encoded)s i nummeret ligger efter dags dato."
)
_BIRTH_MISMATCH = gettext_noop(
    "Ifølge nummeret (%(scheme)s) er fødselsdatoen %(encoded)s, "
    "men den oplyste fødselsdato er %(given)s."
)
_SEX_MISMATCH = gettext_noop(
    "Ifølge nummeret (%(scheme)s) er kønnet %(encoded)s, men det oplyste køn er %(given)s."
)

#: The warnings a caseworker confirms and a registration keeps, by code: the message and
#: a short Danish name for lists (as :data:`cpr.eligibility.LABELS`).
WARNING_TEMPLATES = {
    "foreign_id_birth_date_mismatch": _BIRTH_MISMATCH,
    "foreign_id_sex_mismatch": _SEX_MISMATCH,
}
WARNING_LABELS = {
    "foreign_id_birth_date_mismatch": gettext_noop("fødselsdato afviger fra ID-nummeret"),
    "foreign_id_sex_mismatch": gettext_noop("køn afviger fra ID-nummeret"),
}
WARNING_CODES = frozenset(WARNING_TEMPLATES)


@dataclass(frozen=True, slots=True)
class Scheme:
    """A national personal numbering scheme and how to read it.

    ``name`` is the country's own name for the number. ``module`` is the
    stdnum module (``compact``/``validate``). The optional callables take the
    validated compact number: ``birth_date`` (also given ``today``) and
    ``sex`` (``"M"``/``"F"``) return ``None`` when the number does not say;
    ``matches`` picks among a country's schemes by shape; ``personal`` is
    false for numbers of organisations that share the scheme; ``canonical``
    gives the duplicate-check form when ``compact`` is not unique.
    """

    name: str
    module: ModuleType
    birth_date: Callable[[str, date], date | None] | None = None
    sex: Callable[[str], str | None] | None = None
    matches: Callable[[str], bool] | None = None
    personal: Callable[[str], bool] | None = None
    canonical: Callable[[str, date], str] | None = None


@dataclass(frozen=True, slots=True)
class ForeignIdResult:
    """What :func:`check_foreign_id` found.

    ``birth_date`` and ``sex`` are what a valid number encodes (``None`` when
    it encodes nothing or is invalid).
    """

    normalised: str
    scheme_name: str | None
    errors: tuple[DomainError, ...] = ()
    warnings: tuple[DomainError, ...] = ()
    birth_date: date | None = None
    sex: str | None = None

    @property
    def ok(self) -> bool:
        """True when the number has no errors (warnings may remain)."""
        return not self.errors


# --- Birth dates and sex where stdnum has no function ----------------------------------


def _past(value: date, today: date) -> date:
    """``value`` or, if that lies after ``today``, the same date a century earlier."""
    return value.replace(year=value.year - 100) if value > today else value


def _se_birth_date(number: str, today: date) -> date:
    # stdnum's compact form: YYMMDD-NNNC / YYMMDD+NNNC, or YYYYMMDD-NNNC.
    if len(number) == 13:
        return date(int(number[0:4]), int(number[4:6]), int(number[6:8]))
    yy = int(number[0:2])
    year = today.year - (today.year - yy) % 100
    if number[6] == "+":  # aged 100 or more
        year -= 100
    return _past(date(year, int(number[2:4]), int(number[4:6])), today)


def _se_canonical(number: str, today: date) -> str:
    birth = _se_birth_date(number, today)
    return f"{birth:%Y%m%d}{number[-4:]}"


_HETU_CENTURIES = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
_HETU_CENTURIES |= dict.fromkeys("ABCDEF", 2000)


def _fi_birth_date(number: str, today: date) -> date:
    year = _HETU_CENTURIES[number[6]] + int(number[4:6])
    return date(year, int(number[2:4]), int(number[0:2]))


def _fi_sex(number: str) -> str:
    return "M" if int(number[7:10]) % 2 else "F"


def _ro_birth_date(number: str, today: date) -> date | None:
    # 7, 8 and 9 are foreign residents; stdnum guesses 1900 for them.
    return ro_cnp.get_birth_date(number) if number[0] in "123456" else None


def _ro_sex(number: str) -> str | None:
    if number[0] in "1357":
        return "M"
    if number[0] in "2468":
        return "F"
    return None


def _lt_birth_date(number: str, today: date) -> date | None:
    # A first digit 9 marks a number without birth data.
    return ee_ik.get_birth_date(number) if number[0] != "9" else None


def _lt_sex(number: str) -> str | None:
    return ee_ik.get_gender(number) if number[0] in "12345678" else None


def _lv_birth_date(number: str, today: date) -> date | None:
    # Codes issued from July 2017 start with 32 and carry no birth date.
    return None if number.startswith("32") else lv_pvn.get_birth_date(number)


def _bg_sex(number: str) -> str:
    return "M" if int(number[8]) % 2 == 0 else "F"


def _it_birth_date(number: str, today: date) -> date:
    # The latest century that puts the date on or before today.
    value = it_codicefiscale.get_birth_date(number, minyear=today.year - 99)
    if value > today:
        value = it_codicefiscale.get_birth_date(number, minyear=today.year - 199)
    return value


def _be_birth_date(number: str, today: date) -> date | None:
    return be_nn.get_birth_date(number)


_FOUR_DIGITS = re.compile(r"[0-9]{4}")


def _is_bis(number: str) -> bool:
    # The month plus 20 (sex unknown) or 40 (sex known): 20-32 or 40-52.
    if _FOUR_DIGITS.match(number) is None:
        return False
    month = int(number[2:4])
    return 20 <= month <= 32 or 40 <= month <= 52


def _rc_sex(number: str) -> str:
    return "F" if int(number[2:4]) > 50 else "M"


def _is_birth_date(number: str, today: date) -> date:
    century = 1900 if number[9] == "9" else 2000
    return date(century + int(number[4:6]), int(number[2:4]), int(number[0:2]))


def _fr_sex(number: str) -> str | None:
    return {"1": "M", "2": "F"}.get(number[0])


def _stdnum_birth_date(module: ModuleType) -> Callable[[str, date], date | None]:
    def birth_date(number: str, today: date) -> date | None:
        return module.get_birth_date(number)  # type: ignore[no-any-return]

    return birth_date


#: Schemes by nationality (ISO 3166-1 alpha-2). Where a country has more than
#: one, the first whose ``matches`` accepts the number is used, else the last.
SCHEMES: dict[str, tuple[Scheme, ...]] = {
    "BE": (
        Scheme(
            "BIS-nummer",
            be_bis,
            birth_date=_be_birth_date,
            sex=be_bis.get_gender,
            matches=_is_bis,
        ),
        Scheme("rijksregisternummer", be_nn, birth_date=_be_birth_date, sex=be_nn.get_gender),
    ),
    "BG": (Scheme("EGN", bg_egn, birth_date=_stdnum_birth_date(bg_egn), sex=_bg_sex),),
    "CZ": (Scheme("rodné číslo", cz_rc, birth_date=_stdnum_birth_date(cz_rc), sex=_rc_sex),),
    "EE": (Scheme("isikukood", ee_ik, birth_date=_stdnum_birth_date(ee_ik), sex=ee_ik.get_gender),),
    "ES": (
        Scheme("NIE", es_nie, matches=lambda number: number[:1] in ("X", "Y", "Z")),
        Scheme("DNI", es_dni),
    ),
    "FI": (Scheme("henkilötunnus", fi_hetu, birth_date=_fi_birth_date, sex=_fi_sex),),
    "FR": (Scheme("NIR", fr_nir, sex=_fr_sex),),
    "HR": (Scheme("OIB", hr_oib),),
    "IS": (
        Scheme(
            "kennitala",
            is_kennitala,
            birth_date=_is_birth_date,
            personal=lambda number: int(number[0:2]) < 40,
        ),
    ),
    "IT": (
        Scheme(
            "codice fiscale",
            it_codicefiscale,
            birth_date=_it_birth_date,
            sex=it_codicefiscale.get_gender,
            personal=lambda number: len(number) == 16,
        ),
    ),
    "LT": (Scheme("asmens kodas", lt_asmens, birth_date=_lt_birth_date, sex=_lt_sex),),
    "LV": (
        Scheme(
            "personas kods",
            lv_pvn,
            birth_date=_lv_birth_date,
            personal=lambda number: number[0] <= "3",
        ),
    ),
    "NL": (Scheme("BSN", nl_bsn),),
    "NO": (
        Scheme(
            "fødselsnummer",
            no_fodselsnummer,
            birth_date=_stdnum_birth_date(no_fodselsnummer),
            sex=no_fodselsnummer.get_gender,
        ),
    ),
    "PL": (
        Scheme("PESEL", pl_pesel, birth_date=_stdnum_birth_date(pl_pesel), sex=pl_pesel.get_gender),
    ),
    "PT": (Scheme("Cartão de Cidadão", pt_cc),),
    "RO": (Scheme("CNP", ro_cnp, birth_date=_ro_birth_date, sex=_ro_sex),),
    "SE": (
        Scheme(
            "personnummer",
            se_personnummer,
            birth_date=_se_birth_date,
            sex=se_personnummer.get_gender,
            canonical=_se_canonical,
        ),
    ),
    "SI": (
        Scheme("EMŠO", si_emso, birth_date=_stdnum_birth_date(si_emso), sex=si_emso.get_gender),
    ),
    # sk.rc is cz.rc re-exported without get_birth_date; the numbers are identical.
    "SK": (Scheme("rodné číslo", sk_rc, birth_date=_stdnum_birth_date(cz_rc), sex=_rc_sex),),
    "TR": (Scheme("T.C. Kimlik No.", tr_tckimlik),),
    "UA": (Scheme("RNOKPP", ua_rntrc),),
}


# --- Checking --------------------------------------------------------------------------


def _clean(value: str) -> str:
    """Every kind of whitespace as a space and every dash as a hyphen, trimmed."""
    chars = []
    for char in value:
        if char.isspace() or unicodedata.category(char) == "Zs":
            chars.append(" ")
        elif char in _DASHES:
            chars.append("-")
        else:
            chars.append(char)
    return "".join(chars).strip()


def normalise(value: str) -> str:
    """The input without whitespace and hyphens (any dash), uppercased."""
    return "".join(char for char in _clean(value) if char not in " -").upper()


def _pick(schemes: tuple[Scheme, ...], value: str) -> Scheme:
    bare = "".join(char for char in value.upper() if char not in _SEPARATORS)
    for scheme in schemes[:-1]:
        try:
            if scheme.matches is not None and scheme.matches(bare):
                return scheme
        except Exception:  # noqa: S112 - a shape test must not break the check
            continue
    return schemes[-1]


def _invalid(template: str, code: str, scheme: Scheme, **params: object) -> InvalidForeignId:
    return InvalidForeignId(template, code=code, params={"scheme": scheme.name, **params})


def _validate(scheme: Scheme, cleaned: str) -> tuple[str | None, InvalidForeignId | None]:
    """stdnum's compact form of a valid number, or the error."""
    try:
        return scheme.module.validate(cleaned), None
    except InvalidLength:
        return None, _invalid(_LENGTH, "foreign_id_length", scheme)
    except InvalidChecksum:
        return None, _invalid(_CHECKSUM, "foreign_id_checksum", scheme)
    except InvalidComponent:
        return None, _invalid(_COMPONENT, "foreign_id_component", scheme)
    except Exception:
        # InvalidFormat, and whatever an odd input makes a stdnum module raise.
        return None, _invalid(_FORMAT, "foreign_id_format", scheme)


def _read(reader: Callable[..., object] | None, *args: object) -> object:
    """What ``reader`` says about a validated number, or ``None`` if it cannot say."""
    if reader is None:
        return None
    try:
        return reader(*args)
    except Exception:
        # A number stdnum accepts always has readable data; be safe anyway.
        return None


def check_foreign_id(
    nationality: str,
    value: str,
    *,
    birth_date: date | None = None,
    sex: str | None = None,
    today: date,
) -> ForeignIdResult:
    """Check a foreign personal ID number against the scheme of ``nationality``.

    ``nationality`` is an ISO 3166-1 alpha-2 code (any case). ``birth_date``
    and ``sex`` (``"M"``/``"F"``) are what the person states; a number that
    encodes something else gets a warning. Never raises.
    """
    if not isinstance(value, str):
        return ForeignIdResult("", None, (InvalidForeignId(_NOT_TEXT, code="foreign_id_type"),))
    generic = normalise(value)
    scheme = _scheme_for(nationality, value)
    if not generic:
        empty = InvalidForeignId(_EMPTY, code="foreign_id_empty")
        return ForeignIdResult("", scheme.name if scheme else None, (empty,))
    if scheme is None:
        return ForeignIdResult(generic, None)

    number, errors = _checked_number(scheme, value)
    if number is None:
        return ForeignIdResult(generic, scheme.name, errors)
    encoded_birth, encoded_sex = _encoded(scheme, number, today)
    if encoded_birth is not None and encoded_birth > today:
        error = _invalid(
            _FUTURE, "foreign_id_future_birth_date", scheme, encoded=_format_date(encoded_birth)
        )
        return ForeignIdResult(generic, scheme.name, (error,))

    warnings = _mismatches(scheme, encoded_birth, encoded_sex, birth_date=birth_date, sex=sex)
    return ForeignIdResult(
        normalised=_canonical(scheme, number, today),
        scheme_name=scheme.name,
        warnings=warnings,
        birth_date=encoded_birth,
        sex=encoded_sex,
    )


def _scheme_for(nationality: str, value: str) -> Scheme | None:
    """The scheme of ``nationality`` that fits ``value``, or ``None`` if the country has none."""
    country = nationality.strip().upper() if isinstance(nationality, str) else ""
    schemes = SCHEMES.get(country)
    return _pick(schemes, value) if schemes else None


def _character_error(scheme: Scheme, cleaned: str) -> InvalidForeignId | None:
    """The error naming the first character that no number of this kind holds, if any."""
    if _ALLOWED.fullmatch(cleaned) is not None:
        return None
    char = next(c for c in cleaned if _ALLOWED.fullmatch(c) is None)
    shown = char if char.isprintable() else f"U+{ord(char):04X}"
    return _invalid(_CHARACTER, "foreign_id_character", scheme, char=shown)


def _checked_number(scheme: Scheme, value: str) -> tuple[str | None, tuple[DomainError, ...]]:
    """The validated compact number, or ``None`` and the errors that reject ``value``."""
    cleaned = _clean(value)
    error = _character_error(scheme, cleaned)
    if error is not None:
        return None, (error,)
    number, error = _validate(scheme, cleaned)
    if error is not None or number is None:
        return None, (error,) if error else ()
    if scheme.personal is not None and _read(scheme.personal, number) is False:
        return None, (_invalid(_NOT_PERSONAL, "foreign_id_not_personal", scheme),)
    return number, ()


def _encoded(scheme: Scheme, number: str, today: date) -> tuple[date | None, str | None]:
    """The birth date and sex (``"M"``/``"F"``) a validated number encodes, where it does."""
    raw_birth = _read(scheme.birth_date, number, today)
    raw_sex = _read(scheme.sex, number)
    encoded_birth = raw_birth if isinstance(raw_birth, date) else None
    encoded_sex = raw_sex if isinstance(raw_sex, str) and raw_sex in _SEX_LABELS else None
    return encoded_birth, encoded_sex


def _mismatch(
    template: str, code: str, scheme: Scheme, encoded: object, given: object
) -> ForeignIdMismatch:
    return ForeignIdMismatch(
        template,
        code=code,
        params={"scheme": scheme.name, "encoded": encoded, "given": given},
    )


def _mismatches(
    scheme: Scheme,
    encoded_birth: date | None,
    encoded_sex: str | None,
    *,
    birth_date: date | None,
    sex: str | None,
) -> tuple[DomainError, ...]:
    """A warning for each of birth date and sex where the number says otherwise than given."""
    warnings: list[DomainError] = []
    if birth_date is not None and encoded_birth is not None and encoded_birth != birth_date:
        warnings.append(
            _mismatch(
                _BIRTH_MISMATCH,
                "foreign_id_birth_date_mismatch",
                scheme,
                _format_date(encoded_birth),
                _format_date(birth_date),
            )
        )
    given_sex = sex.strip().upper() if isinstance(sex, str) else None
    if given_sex in _SEX_LABELS and encoded_sex is not None and encoded_sex != given_sex:
        warnings.append(
            _mismatch(
                _SEX_MISMATCH,
                "foreign_id_sex_mismatch",
                scheme,
                Msg(_SEX_LABELS[encoded_sex]),
                Msg(_SEX_LABELS[given_sex]),
            )
        )
    return tuple(warnings)


def _canonical(scheme: Scheme, number: str, today: date) -> str:
    """The form of a validated number for the duplicate check."""
    if scheme.canonical is None:
        return number
    return str(_read(scheme.canonical, number, today) or number)


def _format_date(value: date) -> str:
    return value.strftime("%d.%m.%Y")
