"""The EU/EEA member states and Switzerland: the nationalities APOC serves.

Pure Python: nothing here imports Django. Facts and sources (domain.md §1.2):

* The member states: nyidanmark.dk, "EU- og EØS-statsborgere"
  (https://www.nyidanmark.dk/da-dk/Ophold/borgere_fra_eu_og_norden/eu_og_eos-statsborgere/)
  and GLS-A, "Statsborgere fra EU- og EØS-lande samt Schweiz"
  (https://www.gls-a.dk/services/udenlandsk-arbejdskraft/statsborgere-fra-eu-og-eoes-lande-samt-schweiz/),
  read for APOC in 2026. The United Kingdom left the EU on 31 January 2020 and
  is not in the table; nyidanmark.dk still listed it, GLS-A says it is out.
* Switzerland is no EEA member, but EEA and Swiss citizens are treated as
  union citizens: EU-opholdsbekendtgørelsen (BEK nr. 1457 af 6/10/2020) § 1,
  stk. 2, and § 2, stk. 2 (https://elov.dk/eu-opholdsbekendtgorelsen/kapitel/1/).
* The Nordic countries are Denmark, Finland, Iceland, Norway and Sweden
  (udlændingelovens § 1; siri.dk, "Ophold efter EU-reglerne").
* Alpha-2 and alpha-3 are ISO 3166-1, cross-checked with
  navikt/sif-brukerdialog ``eøsCountries.ts``. The EU itself writes Greece as
  "EL"; ISO, and so this table, says "GR".
* The MRZ code is the nationality and issuing-state code of ICAO Doc 9303: the
  alpha-3 code, except Germany, which is ``D<<`` on the document (jmrtd
  ``ICAOCountry.DE``; tsenger/vdstools ``Doc9303CountryCodes``). The table
  holds it without the filler characters, so ``D``.

Nationality, not the state that issued the document, decides eligibility: a
Latvian or Estonian alien's passport makes nobody an EU citizen (GLS-A).

The Danish names are msgids (:func:`gettext_noop`): messages pass them as
:class:`~apoc.exceptions.Msg` parameters, and the English catalogue translates
them to the English names in the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from apoc.exceptions import gettext_noop

__all__ = [
    "COUNTRIES",
    "DANISH",
    "DANISH_REALM",
    "NORDIC",
    "OTHER_COUNTRY_NAMES",
    "SPECIAL_NATIONALITIES",
    "Country",
    "Group",
    "by_alpha2",
    "by_code",
    "danish_name",
    "is_eea_or_swiss",
    "is_nordic",
    "language_of",
    "special_nationality",
]

#: Danish citizens are in the table (Denmark is an EU member) but never get an
#: administrative personnummer.
DANISH = "DK"

#: The Faroe Islands and Greenland: their people are Danish citizens (the Danish
#: Realm, rigsfællesskabet), so they never get an administrative personnummer either.
DANISH_REALM = frozenset({"FO", "GL"})


class Group(StrEnum):
    EU = "EU"
    EEA = "EEA"  # EEA but not EU: Iceland, Liechtenstein, Norway
    CH = "CH"  # Switzerland, treated as EU/EEA


@dataclass(frozen=True, slots=True)
class Country:
    """One row of the table."""

    alpha2: str
    alpha3: str
    mrz: str  # ICAO 9303 code without "<" fillers: the alpha-3 code, but "D" for Germany
    name_da: str  # msgid
    name_en: str
    group: Group
    nordic: bool = False


_EU, _EEA, _CH = Group.EU, Group.EEA, Group.CH

#: In the order of domain.md §1.2 (the Danish alphabetical order of nyidanmark.dk).
COUNTRIES: tuple[Country, ...] = (
    Country("BE", "BEL", "BEL", gettext_noop("Belgien"), "Belgium", _EU),
    Country("BG", "BGR", "BGR", gettext_noop("Bulgarien"), "Bulgaria", _EU),
    # The EU acquis applies only in the area the Republic of Cyprus controls.
    Country("CY", "CYP", "CYP", gettext_noop("Cypern"), "Cyprus", _EU),
    Country("DK", "DNK", "DNK", gettext_noop("Danmark"), "Denmark", _EU, nordic=True),
    Country("EE", "EST", "EST", gettext_noop("Estland"), "Estonia", _EU),
    Country("FI", "FIN", "FIN", gettext_noop("Finland"), "Finland", _EU, nordic=True),
    Country("FR", "FRA", "FRA", gettext_noop("Frankrig"), "France", _EU),
    Country("GR", "GRC", "GRC", gettext_noop("Grækenland"), "Greece", _EU),
    Country("NL", "NLD", "NLD", gettext_noop("Nederlandene"), "Netherlands", _EU),
    Country("IE", "IRL", "IRL", gettext_noop("Irland"), "Ireland", _EU),
    Country("IT", "ITA", "ITA", gettext_noop("Italien"), "Italy", _EU),
    Country("HR", "HRV", "HRV", gettext_noop("Kroatien"), "Croatia", _EU),
    Country("LV", "LVA", "LVA", gettext_noop("Letland"), "Latvia", _EU),
    Country("LT", "LTU", "LTU", gettext_noop("Litauen"), "Lithuania", _EU),
    Country("LU", "LUX", "LUX", gettext_noop("Luxembourg"), "Luxembourg", _EU),
    Country("MT", "MLT", "MLT", gettext_noop("Malta"), "Malta", _EU),
    Country("PL", "POL", "POL", gettext_noop("Polen"), "Poland", _EU),
    Country("PT", "PRT", "PRT", gettext_noop("Portugal"), "Portugal", _EU),
    Country("RO", "ROU", "ROU", gettext_noop("Rumænien"), "Romania", _EU),
    Country("SK", "SVK", "SVK", gettext_noop("Slovakiet"), "Slovakia", _EU),
    Country("SI", "SVN", "SVN", gettext_noop("Slovenien"), "Slovenia", _EU),
    Country("ES", "ESP", "ESP", gettext_noop("Spanien"), "Spain", _EU),
    Country("SE", "SWE", "SWE", gettext_noop("Sverige"), "Sweden", _EU, nordic=True),
    Country("CZ", "CZE", "CZE", gettext_noop("Tjekkiet"), "Czechia", _EU),
    Country("DE", "DEU", "D", gettext_noop("Tyskland"), "Germany", _EU),
    Country("HU", "HUN", "HUN", gettext_noop("Ungarn"), "Hungary", _EU),
    Country("AT", "AUT", "AUT", gettext_noop("Østrig"), "Austria", _EU),
    Country("IS", "ISL", "ISL", gettext_noop("Island"), "Iceland", _EEA, nordic=True),
    Country("LI", "LIE", "LIE", gettext_noop("Liechtenstein"), "Liechtenstein", _EEA),
    Country("NO", "NOR", "NOR", gettext_noop("Norge"), "Norway", _EEA, nordic=True),
    Country("CH", "CHE", "CHE", gettext_noop("Schweiz"), "Switzerland", _CH),
)

#: Danish names, for messages, of some nationalities outside the table that a
#: caseworker may well meet: the United Kingdom (an EU member until 31 January
#: 2020), the United States, and the European microstates that are in neither
#: the EU nor the EEA. Every other nationality is shown by its alpha-2 code.
#: (alpha-2, Danish msgid, English)
OTHER_COUNTRY_NAMES: tuple[tuple[str, str, str], ...] = (
    ("GB", gettext_noop("Storbritannien"), "United Kingdom"),
    ("US", gettext_noop("USA"), "United States"),
    ("AD", gettext_noop("Andorra"), "Andorra"),
    ("MC", gettext_noop("Monaco"), "Monaco"),
    ("SM", gettext_noop("San Marino"), "San Marino"),
    ("VA", gettext_noop("Vatikanstaten"), "Vatican City"),
    ("FO", gettext_noop("Færøerne"), "the Faroe Islands"),
    ("GL", gettext_noop("Grønland"), "Greenland"),
)


@dataclass(frozen=True, slots=True)
class SpecialNationality:
    """A nationality that is no state's: ICAO's code and the code APOC stores."""

    alpha2: str  # ISO 3166-1 user-assigned code (ISO leaves XA-XZ to its users)
    icao: str  # ICAO Doc 9303 Part 3, as in an MRZ
    name_da: str  # msgid
    name_en: str


#: Stateless persons, refugees and unknown nationality (ICAO Doc 9303 Part 3,
#: "Codes for persons without a defined nationality"). Asylum seekers of
#: category C may have any of them; categories A and B need an EU/EEA/Swiss one.
SPECIAL_NATIONALITIES: tuple[SpecialNationality, ...] = (
    SpecialNationality("XA", "XXA", gettext_noop("Statsløs"), "Stateless person"),
    SpecialNationality(
        "XB",
        "XXB",
        gettext_noop("Flygtning efter FN's flygtningekonvention"),
        "Refugee (1951 Convention)",
    ),
    SpecialNationality(
        "XC", "XXC", gettext_noop("Flygtning, anden beskyttelse"), "Refugee (other)"
    ),
    SpecialNationality(
        "XX", "XXX", gettext_noop("Ukendt statsborgerskab"), "Unspecified nationality"
    ),
)
#: The language (ISO 639-1) a citizen of each member state reads, where the state has
#: one official language or one that nearly all its citizens read; the intake offers
#: it for the Jobnet letter. Belgium (Dutch, French, German), Luxembourg (Luxembourgish,
#: French, German) and Switzerland (German, French, Italian, Romansh) have several of
#: equal standing, so the caseworker asks. Finland: Finnish (Swedish for 5 %). Ireland:
#: English (the letter's English page; Irish is the first official language, but few
#: read it daily). Malta: Maltese (English is printed anyway). Norway: Bokmål.
LANGUAGES: dict[str, str] = {
    "AT": "de", "BG": "bg", "CY": "el", "CZ": "cs", "DE": "de", "DK": "da", "EE": "et",
    "ES": "es", "FI": "fi", "FR": "fr", "GR": "el", "HR": "hr", "HU": "hu", "IE": "en",
    "IS": "is", "IT": "it", "LI": "de", "LT": "lt", "LV": "lv", "MT": "mt", "NL": "nl",
    "NO": "nb", "PL": "pl", "PT": "pt", "RO": "ro", "SE": "sv", "SI": "sl", "SK": "sk",
}  # fmt: skip

_SPECIAL_BY_ICAO = {n.icao: n for n in SPECIAL_NATIONALITIES}
_SPECIAL_BY_ALPHA2 = {n.alpha2: n for n in SPECIAL_NATIONALITIES}

_BY_ALPHA2: dict[str, Country] = {c.alpha2: c for c in COUNTRIES}
_BY_CODE: dict[str, Country] = {c.alpha3: c for c in COUNTRIES} | {c.mrz: c for c in COUNTRIES}
_NAMES_DA: dict[str, str] = (
    {c.alpha2: c.name_da for c in COUNTRIES}
    | {alpha2: name_da for alpha2, name_da, _ in OTHER_COUNTRY_NAMES}
    | {n.alpha2: n.name_da for n in SPECIAL_NATIONALITIES}
)

#: The Nordic countries' alpha-2 codes, Denmark included.
NORDIC: frozenset[str] = frozenset(c.alpha2 for c in COUNTRIES if c.nordic)


def _normal(code: str) -> str:
    return code.strip().upper()


def by_alpha2(alpha2: str) -> Country | None:
    """The row for an ISO alpha-2 code (any case, surrounding space ignored), or None."""
    return _BY_ALPHA2.get(_normal(alpha2))


def by_code(code: str) -> Country | None:
    """The row for an ISO alpha-3 code or an MRZ code, or None.

    MRZ fillers are ignored, so ``"D<<"``, ``"D"`` and ``"DEU"`` all give Germany.
    """
    return _BY_CODE.get(_normal(code).rstrip("<"))


def danish_name(alpha2: str) -> str | None:
    """The Danish name (a msgid) of a table member or of a country in
    :data:`OTHER_COUNTRY_NAMES`, or None."""
    return _NAMES_DA.get(_normal(alpha2))


def is_eea_or_swiss(alpha2: str) -> bool:
    """Whether the nationality is EU, EEA or Swiss. True for Denmark too: the
    eligibility rules refuse Danish citizens separately."""
    return _normal(alpha2) in _BY_ALPHA2


def is_nordic(alpha2: str) -> bool:
    """Whether the nationality is Danish, Finnish, Icelandic, Norwegian or Swedish."""
    return _normal(alpha2) in NORDIC


def language_of(alpha2: str) -> str:
    """The language (ISO 639-1) of a nationality's letters, or "" when the nationality
    gives none: a state with several languages of equal standing, or outside the table."""
    return LANGUAGES.get(_normal(alpha2), "")


def special_nationality(code: str) -> SpecialNationality | None:
    """The special nationality for an ICAO code (``XXA``) or its stored code (``XA``)."""
    normal = _normal(code).rstrip("<")
    return _SPECIAL_BY_ICAO.get(normal) or _SPECIAL_BY_ALPHA2.get(normal)
