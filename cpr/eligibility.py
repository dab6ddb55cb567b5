"""Who may get an administrative personnummer: the rules over the intake's facts.

Pure Python: nothing here imports Django, and the date is always passed in.
:func:`check_eligibility` never raises; it returns the *blocks* (the person
cannot get a number, and the message says why and what to do instead) and the
*warnings* (the caseworker must confirm each one before allocating). Every
reason has a stable code, a Danish message (a gettext msgid) and the intake
field it belongs to. The messages live in :data:`TEMPLATES`, their short names in
:data:`LABELS`.

Facts and sources (domain.md §0, §1):

* Eligible are EU/EEA and Swiss citizens staying without bopælsregistrering
  (categories A and B), and asylum seekers without a CPR number who receive
  personlig assistance under lov om kompensation til handicappede i erhverv
  m.v. (category C). The number is a real personnummer and a person only ever
  has one (cpr.dk, "Administrative personnumre", June 2014; workindenmark.dk,
  "Administrativt personnummer").
* Nordic citizens (FI, IS, NO, SE) need no residence document; staying more
  than 3 months they are registered directly in CPR at Borgerservice
  (cpr.dk, "Flytning fra udlandet"; CPR-loven §§ 16-17).
* Union citizens may stay 3 months, jobseekers 6 months and then as long as
  they can document continued job search with a genuine chance of being
  employed (nyidanmark.dk, "EU- og EØS-statsborgere"), counted from entry.
  Others expecting to stay over 3 months must apply to SIRI for a
  registreringsbevis within 3 months of entry; jobseekers need not
  (EU-opholdsbekendtgørelsen § 22).
* A personnummer that fails modulus 11 on a date not on the CPR office's list
  is handled manually, never simply refused (cpr.dk, "Personnumre uden
  kontrolciffer"), see :mod:`cpr.personnummer`.

Decisions where the sources leave room (each has a test):

* Category C is decided by the asylum case, not by nationality: asylum seekers
  are by definition not EU/EEA citizens, and may be stateless. Only Danish
  citizens are refused by nationality. The Nordic and EU residence warnings do
  not apply to category C either, because the asylum case governs the stay.
* Nordic citizens always get a warning, since the app should steer them to
  Borgerservice: ``nordic_long_stay`` when the expected stay is over 3 months,
  otherwise ``nordic_citizen``. They get neither the registreringsbevis nor the
  6-month jobseeker warning: those are EU rules, and Nordic citizens stay
  freely under udlændingelovens § 1.
* "Over 3 months" is an expected stay of 4 months or more. A registreringsbevis
  warning needs a known purpose other than job search; without a purpose or
  an expected stay there is none.
* A jobseeker is someone with purpose job search, or in category A. Months are
  calendar months: entry on 31 August plus 6 months is the last day of
  February (the rule of Regulation (EEC, Euratom) No 1182/71, art. 3(2)(c)).
  The warning starts the day after that date.
* Ages are whole years, and a year is completed on the birthday; someone born
  on 29 February completes it on 1 March in other years. "Under 15" is up to
  the day before the 15th birthday; "over 80" starts on the 81st birthday.
* An identity document is valid on its expiry date. A missing expiry date is no
  block: birth certificates and some ID cards have none.
* A personnummer typed in the intake counts as having one even without the tick,
  unless it is a replacement number (erstatningspersonnummer), which is no CPR
  number and only draws a warning.
* Dates after ``today`` (birth, entry, decision) are typing errors and block.
  So do birth dates the century table cannot express (before 1858 or after 2057).
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from apoc.accounts.municipalities import MUNICIPALITIES
from apoc.exceptions import DomainError, Msg, gettext_noop, render_message

from .countries import (
    DANISH,
    DANISH_REALM,
    danish_name,
    is_eea_or_swiss,
    is_nordic,
    special_nationality,
)
from .personnummer import FIRST_DATE, LAST_DATE, InvalidPersonnummer, Personnummer, parse

__all__ = [
    "BLOCK_CODES",
    "CATEGORY_LABELS",
    "LABELS",
    "PURPOSE_LABELS",
    "TEMPLATES",
    "WARNING_CODES",
    "Category",
    "EligibilityResult",
    "IntakeFacts",
    "NotEligible",
    "Purpose",
    "Reason",
    "add_months",
    "age_on",
    "check_eligibility",
]

#: Residence rules in months (domain.md §1.4).
FREE_STAY_MONTHS = 3
JOBSEEKER_MONTHS = 6
#: The ages outside which the birth date needs a second look.
MIN_AGE = 15
MAX_AGE = 80


class Category(StrEnum):
    JOBSEEKER = "A"
    OFFER = "B"
    ASYLUM_ASSISTANCE = "C"


class Purpose(StrEnum):
    JOBSEEKING = "jobseeking"
    EMPLOYED = "employed"
    SELF_EMPLOYED = "self_employed"
    STUDENT = "student"
    OWN_MEANS = "own_means"
    OTHER = "other"


#: How the form and admin name each category and purpose (Danish msgids). The
#: model's choices are built from these and the enums: one source for each list.
CATEGORY_LABELS: Mapping[Category, str] = {
    Category.JOBSEEKER: gettext_noop("A – EU/EØS-borger, der vil tilmelde sig som jobsøgende"),
    Category.OFFER: gettext_noop(
        "B – EU/EØS-borger, der skal have et beskæftigelsesrettet tilbud eller danskundervisning"
    ),
    Category.ASYLUM_ASSISTANCE: gettext_noop(
        "C – asylansøger uden personnummer, der tilbydes personlig assistance"
    ),
}
PURPOSE_LABELS: Mapping[Purpose, str] = {
    Purpose.JOBSEEKING: gettext_noop("jobsøgning"),
    Purpose.EMPLOYED: gettext_noop("arbejde som lønmodtager"),
    Purpose.SELF_EMPLOYED: gettext_noop("selvstændig virksomhed"),
    Purpose.STUDENT: gettext_noop("studier"),
    Purpose.OWN_MEANS: gettext_noop("ophold for egne midler"),
    Purpose.OTHER: gettext_noop("andet"),
}


@dataclass(frozen=True)
class IntakeFacts:
    """What the intake form knows about the person."""

    nationality: str  # ISO 3166-1 alpha-2, e.g. "PL"
    category: Category
    birth_date: date | None
    document_expiry: date | None
    entry_date: date | None
    purpose: Purpose | None
    expected_stay_months: int | None  # expected length of stay in months
    has_personnummer: bool  # has or ever had a Danish personnummer
    existing_personnummer: str = ""  # as typed, if known
    residence_registered: bool = False  # bopælsregistreret in Denmark
    asylum_case_id: str = ""  # Udlændingestyrelsen ID or case number (category C)
    decision_date: date | None = None  # date of the personal-assistance decision (C)
    decision_reference: str = ""  # reference of the decision (C)
    decision_by: str = ""  # who made the personal-assistance decision (C)
    document_type: str = ""  # "passport", "id_card", "asylum_card" or "other"
    document_withheld: bool = False  # the passport is held by an authority
    sex: str = ""  # the sex the number encodes, "M" or "F"
    document_sex: str = ""  # the document's: "M", "F", "X" (unspecified) or "" (not given)
    offer_kind: str = ""  # category B
    offer_provider: str = ""  # category B
    offer_starts_on: date | None = None  # category B
    stay_municipality: str = ""  # kommunekode of the municipality where the person stays
    jobcentre_municipality: str = ""  # kommunekode of the caseworker's jobcentre


# --- The messages ---------------------------------------------------------------------

#: The Danish message of every reason, by code.
TEMPLATES: Mapping[str, str] = {
    # Blocks
    "nationality_missing": gettext_noop(
        "Statsborgerskab mangler. Vælg personens statsborgerskab, som det står i pas eller ID-kort."
    ),
    "nationality_invalid": gettext_noop(
        "'%(value)s' er ingen landekode. Vælg statsborgerskabet som en landekode på to "
        "bogstaver (ISO 3166-1), f.eks. PL for Polen."
    ),
    "nationality_danish": gettext_noop(
        "Danske statsborgere kan ikke få et administrativt personnummer. Find personens "
        "personnummer i CPR, eller henvis personen til Borgerservice."
    ),
    "nationality_not_eea": gettext_noop(
        "Statsborgere fra %(country)s kan ikke få et administrativt personnummer: kun "
        "EU/EØS-borgere og schweizere."
    ),
    "asylum_case_id_missing": gettext_noop(
        "Kategori C kræver asylsagens ID eller sagsnummer hos Udlændingestyrelsen. Skriv det ind."
    ),
    "decision_date_missing": gettext_noop(
        "Kategori C kræver datoen for afgørelsen om personlig assistance. Skriv den ind."
    ),
    "decision_date_future": gettext_noop(
        "Afgørelsen om personlig assistance er dateret %(date)s, efter dags dato. Ret datoen."
    ),
    "decision_reference_missing": gettext_noop(
        "Kategori C kræver referencen på afgørelsen om personlig assistance. Skriv den ind."
    ),
    "nationality_special": gettext_noop(
        "%(country)s: personen har intet statsborgerskab i et EU/EØS-land eller Schweiz. Et "
        "administrativt personnummer kan kun gives i kategori C (asylansøger med personlig "
        "assistance)."
    ),
    "nationality_danish_realm": gettext_noop(
        "Personer fra %(country)s er danske statsborgere og kan ikke få et administrativt "
        "personnummer. Find personens personnummer i CPR, eller henvis personen til "
        "Borgerservice."
    ),
    "existing_personnummer_missing": gettext_noop(
        "Personen har eller har haft et dansk personnummer og skal bruge det: ingen får et "
        "personnummer mere end én gang. Skriv nummeret, eller find det i CPR, hvis personen "
        "ikke kender det."
    ),
    "existing_personnummer_replacement": gettext_noop(
        "%(masked)s er et erstatningspersonnummer (dagen plus 60), som et andet system har "
        "dannet, og intet personnummer fra CPR. Spørg personen efter et rigtigt dansk "
        "personnummer, eller fjern markeringen, hvis personen aldrig har haft et."
    ),
    "document_expiry_missing": gettext_noop(
        "Udløbsdato mangler. Skriv udløbsdatoen fra pas eller ID-kort."
    ),
    "document_withheld": gettext_noop(
        "Personens pas er inddraget eller tilbageholdt. Kategori A og B kræver et gyldigt pas "
        "eller ID-kort, som personen kan vise."
    ),
    "offer_kind_missing": gettext_noop(
        "Kategori B: vælg om det er et beskæftigelsesrettet tilbud eller danskundervisning."
    ),
    "offer_provider_missing": gettext_noop(
        "Kategori B: skriv hvem der giver tilbuddet eller undervisningen."
    ),
    "offer_start_missing": gettext_noop("Kategori B: skriv hvornår tilbuddet begynder."),
    "decision_by_missing": gettext_noop(
        "Kategori C kræver, hvem der traf afgørelsen om personlig assistance. Skriv det ind."
    ),
    # The message is the parse error's; this is only its generic form.
    "existing_personnummer_invalid": InvalidPersonnummer.template,
    "residence_registered": gettext_noop(
        "Personen er bopælsregistreret i Danmark og har dermed et almindeligt personnummer. "
        "Brug det: administrative personnumre er kun for personer uden bopælsregistrering."
    ),
    "birth_date_missing": gettext_noop(
        "Fødselsdato mangler. Skriv fødselsdatoen, som den står i pas eller ID-kort."
    ),
    "birth_date_future": gettext_noop(
        "Fødselsdatoen %(date)s ligger efter dags dato. Ret fødselsdatoen."
    ),
    "birth_date_out_of_range": gettext_noop(
        "Fødselsdatoen %(date)s kan ikke indgå i et personnummer, som kun kan udtrykke "
        "datoer fra 01.01.1858 til 31.12.2057. Ret fødselsdatoen."
    ),
    "document_expired": gettext_noop(
        "Identitetsdokumentet udløb %(date)s. Bed om et gyldigt pas eller ID-kort."
    ),
    # Warnings of category C, where the asylum case governs the stay.
    "document_expired_asylum": gettext_noop(
        "Identitetsdokumentet udløb %(date)s. For en asylansøger er det ingen hindring, men "
        "notér hvilket dokument identiteten er vurderet på."
    ),
    "document_withheld_asylum": gettext_noop(
        "Personens pas er inddraget eller tilbageholdt. For en asylansøger er det ingen "
        "hindring: vurdér identiteten på asylansøgerkortet eller andre dokumenter."
    ),
    "entry_date_future": gettext_noop(
        "Indrejsedatoen %(date)s ligger efter dags dato. Ret indrejsedatoen."
    ),
    # Warnings
    "nordic_citizen": gettext_noop(
        "Statsborgere fra %(country)s er nordiske og skal ikke have opholdsdokument. Bliver "
        "opholdet længere end 3 måneder, skal personen i stedet registreres direkte i CPR hos "
        "Borgerservice og får dér et almindeligt personnummer."
    ),
    "nordic_long_stay": gettext_noop(
        "Statsborgere fra %(country)s er nordiske og skal registreres direkte i CPR hos "
        "Borgerservice, når opholdet varer mere end 3 måneder. Personen regner med "
        "%(months)d måneder: henvis til Borgerservice i stedet for at tildele et "
        "administrativt personnummer."
    ),
    "registration_certificate": gettext_noop(
        "Personen regner med at blive %(months)d måneder i Danmark med et andet formål end "
        "jobsøgning og skal søge SIRI om et registreringsbevis senest %(deadline)s og derefter "
        "bopælsregistreres hos Borgerservice. Så får personen et almindeligt personnummer, og "
        "et administrativt kan være unødvendigt."
    ),
    "jobseeker_over_six_months": gettext_noop(
        "Personen indrejste %(date)s, for mere end 6 måneder siden. En arbejdssøgende har "
        "herefter kun ret til ophold, så længe vedkommende kan dokumentere fortsat at søge "
        "arbejde og have reelle muligheder for at blive ansat. Kontrollér det, før du fortsætter."
    ),
    "age_under_15": gettext_noop(
        "Personen er %(age)d år (født %(date)s), altså under 15 år. Kontrollér fødselsdatoen "
        "i identitetsdokumentet."
    ),
    "age_over_80": gettext_noop(
        "Personen er %(age)d år (født %(date)s), altså over 80 år. Kontrollér fødselsdatoen "
        "i identitetsdokumentet."
    ),
    "existing_personnummer_mod11": gettext_noop(
        "Personnummeret %(masked)s opfylder ikke modulus 11, og fødselsdatoen er ikke på "
        "CPR-kontorets liste over datoer med numre uden kontrolciffer. Nummeret kan alligevel "
        "være gyldigt: slå det op i CPR til manuel behandling, og afvis det ikke."
    ),
    "existing_personnummer_birth_date_mismatch": gettext_noop(
        "Personnummeret %(masked)s har fødselsdatoen %(encoded)s, men personen er oplyst født "
        "%(given)s. Kontrollér nummeret og fødselsdatoen i dokumentet."
    ),
    "existing_personnummer_sex_mismatch": gettext_noop(
        "Personnummeret %(masked)s er et nummer for en %(encoded)s, men personen er oplyst "
        "som %(given)s. Kontrollér nummeret og kønnet."
    ),
    "sex_document_mismatch": gettext_noop(
        "Dokumentet angiver køn %(document)s, men personnummeret skal have køn %(chosen)s. "
        "Kontrollér valget: kønnet indgår i personnummerets sidste ciffer."
    ),
    "stay_municipality_other": gettext_noop(
        "Personen opholder sig i %(municipality)s, ikke i dit jobcenters kommune. Et "
        "administrativt personnummer tildeles hos jobcentret i opholdskommunen."
    ),
}

#: Said in place of a date when the entry date is unknown.
_THREE_MONTHS_AFTER_ENTRY = gettext_noop("3 måneder efter indrejsen")

BLOCK_CODES: frozenset[str] = frozenset(
    {
        "nationality_missing",
        "nationality_invalid",
        "nationality_danish",
        "nationality_not_eea",
        "asylum_case_id_missing",
        "decision_date_missing",
        "decision_date_future",
        "decision_reference_missing",
        "decision_by_missing",
        "nationality_danish_realm",
        "nationality_special",
        "existing_personnummer_missing",
        "existing_personnummer_invalid",
        "existing_personnummer_replacement",
        "document_expiry_missing",
        "document_withheld",
        "offer_kind_missing",
        "offer_provider_missing",
        "offer_start_missing",
        "residence_registered",
        "birth_date_missing",
        "birth_date_future",
        "birth_date_out_of_range",
        "document_expired",
        "entry_date_future",
    }
)
WARNING_CODES: frozenset[str] = frozenset(TEMPLATES) - BLOCK_CODES

#: A short Danish name of every reason, by code: what a list or a table shows where the
#: whole message is too long, e.g. the confirmed warnings of a registration.
LABELS: Mapping[str, str] = {
    # Blocks
    "nationality_missing": gettext_noop("statsborgerskab mangler"),
    "nationality_invalid": gettext_noop("ugyldig landekode"),
    "nationality_danish": gettext_noop("dansk statsborger"),
    "nationality_not_eea": gettext_noop("statsborger uden for EU/EØS og Schweiz"),
    "asylum_case_id_missing": gettext_noop("asylsagens ID mangler"),
    "decision_date_missing": gettext_noop("afgørelsens dato mangler"),
    "decision_date_future": gettext_noop("afgørelsens dato ligger efter dags dato"),
    "decision_reference_missing": gettext_noop("afgørelsens reference mangler"),
    "nationality_danish_realm": gettext_noop("færøsk eller grønlandsk: dansk statsborger"),
    "nationality_special": gettext_noop("uden statsborgerskab i EU/EØS eller Schweiz"),
    "decision_by_missing": gettext_noop("hvem der traf afgørelsen mangler"),
    "existing_personnummer_missing": gettext_noop("personnummeret mangler"),
    "document_expiry_missing": gettext_noop("udløbsdato mangler"),
    "document_withheld": gettext_noop("passet er inddraget eller tilbageholdt"),
    "offer_kind_missing": gettext_noop("tilbuddets art mangler"),
    "offer_provider_missing": gettext_noop("tilbuddets udbyder mangler"),
    "offer_start_missing": gettext_noop("tilbuddets start mangler"),
    "existing_personnummer_invalid": gettext_noop("ugyldigt eksisterende personnummer"),
    "residence_registered": gettext_noop("bopælsregistreret i Danmark"),
    "birth_date_missing": gettext_noop("fødselsdato mangler"),
    "birth_date_future": gettext_noop("fødselsdato efter dags dato"),
    "birth_date_out_of_range": gettext_noop("fødselsdato uden for personnummerets datoer"),
    "document_expired": gettext_noop("identitetsdokumentet er udløbet"),
    "entry_date_future": gettext_noop("indrejsedato efter dags dato"),
    # Warnings
    "nordic_citizen": gettext_noop("nordisk statsborger"),
    "nordic_long_stay": gettext_noop("nordisk statsborger med ophold over 3 måneder"),
    "registration_certificate": gettext_noop("skal søge registreringsbevis"),
    "jobseeker_over_six_months": gettext_noop("indrejst for over 6 måneder siden"),
    "age_under_15": gettext_noop("under 15 år"),
    "age_over_80": gettext_noop("over 80 år"),
    "existing_personnummer_mod11": gettext_noop("personnummer opfylder ikke modulus 11"),
    "existing_personnummer_replacement": gettext_noop("erstatningspersonnummer"),
    "existing_personnummer_birth_date_mismatch": gettext_noop(
        "personnummerets fødselsdato afviger"
    ),
    "existing_personnummer_sex_mismatch": gettext_noop("personnummerets køn afviger"),
    "document_expired_asylum": gettext_noop("asylansøgers dokument er udløbet"),
    "document_withheld_asylum": gettext_noop("asylansøgers pas er inddraget"),
    "sex_document_mismatch": gettext_noop("køn afviger fra dokumentet"),
    "stay_municipality_other": gettext_noop("opholder sig i en anden kommune"),
}


# --- Results --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a person is refused, or what the caseworker must confirm."""

    code: str  # stable, e.g. "nationality_not_eea"
    template: str  # Danish msgid
    field: str | None = None  # the IntakeFacts field the message belongs next to
    params: Mapping[str, object] = dataclasses.field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # A private copy, so that the caller's dict cannot change the reason.
        object.__setattr__(self, "params", dict(self.params))

    def message_in(self, gettext: Callable[[str], str]) -> str:
        """The message rendered with ``gettext``; :class:`Msg` parameters are translated too."""
        return render_message(self.template, self.params, gettext)

    @property
    def message(self) -> str:
        """The message in Danish."""
        return self.message_in(lambda s: s)


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    blocks: tuple[Reason, ...] = ()
    warnings: tuple[Reason, ...] = ()

    @property
    def eligible(self) -> bool:
        """No blocks. Warnings still need the caseworker's confirmation."""
        return not self.blocks

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.blocks + self.warnings

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of all reasons, blocks first."""
        return tuple(r.code for r in self.reasons)

    @property
    def block_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.blocks)

    @property
    def warning_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.warnings)

    def for_field(self, name: str | None) -> tuple[Reason, ...]:
        """The reasons to show next to one form field (None: for the whole form)."""
        return tuple(r for r in self.reasons if r.field == name)


class NotEligible(DomainError):
    """Raised by services that must refuse: carries the result with its blocks."""

    code = "not_eligible"
    template = gettext_noop("Personen kan ikke få et administrativt personnummer. %(reasons)s")

    def __init__(self, result: EligibilityResult) -> None:
        if result.eligible:
            raise ValueError("NotEligible needs a result with at least one block")
        self.result = result
        super().__init__()

    def message_in(self, gettext: Callable[[str], str]) -> str:
        reasons = " ".join(r.message_in(gettext) for r in self.result.blocks)
        return gettext(self.template) % {"reasons": reasons}

    def __reduce__(self) -> tuple[type[NotEligible], tuple[EligibilityResult]]:
        return (self.__class__, (self.result,))


# --- Dates ----------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """``start`` plus whole calendar months.

    When the target month is too short the result is its last day (31 August
    plus 6 months is 28 or 29 February). Past the last representable date the
    result is :data:`date.max`.
    """
    index = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(index, 12)
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    month = month0 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def age_on(birth_date: date, today: date) -> int:
    """Completed years on ``today``. A year is completed on the birthday; for
    someone born on 29 February, on 1 March in other years."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def _fmt(day: date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


# --- The rules ------------------------------------------------------------------------

_ALPHA2 = re.compile(r"[A-Za-z]{2}")

#: The sexes a number encodes, as the messages name them (msgids).
_SEX_NAMES = {"M": gettext_noop("mand"), "F": gettext_noop("kvinde")}

#: The documents that always carry an expiry date; an asylum seeker's card may not.
DOCUMENTS_WITH_EXPIRY = frozenset({"passport", "id_card"})

_MUNICIPALITY_NAMES = {m.code: f"{m.name} Kommune" for m in MUNICIPALITIES}


def _reason(code: str, field: str | None, **params: object) -> Reason:
    return Reason(code=code, template=TEMPLATES[code], field=field, params=params)


def _country(alpha2: str) -> object:
    """The Danish name to show, translated with the message, or else the code."""
    name = danish_name(alpha2)
    return Msg(name) if name is not None else alpha2


class _Check:
    """One run of the rules over one set of facts."""

    def __init__(self, data: IntakeFacts, today: date) -> None:
        self.data = data
        self.today = today
        self.blocks: list[Reason] = []
        self.warnings: list[Reason] = []

    def block(self, code: str, field: str | None, **params: object) -> None:
        self.blocks.append(_reason(code, field, **params))

    def warn(self, code: str, field: str | None, **params: object) -> None:
        self.warnings.append(_reason(code, field, **params))

    def run(self) -> EligibilityResult:
        nationality = self.nationality()
        self.asylum_case()
        self.offer()
        self.personnummer()
        self.birth_date()
        self.sex()
        self.document()
        self.entry_date()
        self.stay_municipality()
        if nationality is not None and self.data.category != Category.ASYLUM_ASSISTANCE:
            self.residence(nationality)
        return EligibilityResult(blocks=tuple(self.blocks), warnings=tuple(self.warnings))

    def nationality(self) -> str | None:
        """Checks the nationality; returns its code when it is an EU/EEA/Swiss one
        other than Danish (or any but Danish in category C)."""
        value = self.data.nationality.strip()
        if not value:
            self.block("nationality_missing", "nationality")
            return None
        if not _ALPHA2.fullmatch(value):
            self.block("nationality_invalid", "nationality", value=value)
            return None
        code = value.upper()
        if code == DANISH:
            self.block("nationality_danish", "nationality")
            return None
        if code in DANISH_REALM:
            self.block("nationality_danish_realm", "nationality", country=_country(code))
            return None
        if self.data.category == Category.ASYLUM_ASSISTANCE:
            return code
        if special_nationality(code) is not None:
            self.block("nationality_special", "nationality", country=_country(code))
            return None
        if not is_eea_or_swiss(code):
            self.block("nationality_not_eea", "nationality", country=_country(code))
            return None
        return code

    def asylum_case(self) -> None:
        data = self.data
        if data.category != Category.ASYLUM_ASSISTANCE:
            return
        if not data.asylum_case_id.strip():
            self.block("asylum_case_id_missing", "asylum_case_id")
        if data.decision_date is None:
            self.block("decision_date_missing", "decision_date")
        elif data.decision_date > self.today:
            self.block("decision_date_future", "decision_date", date=_fmt(data.decision_date))
        if not data.decision_reference.strip():
            self.block("decision_reference_missing", "decision_reference")
        if not data.decision_by.strip():
            self.block("decision_by_missing", "decision_by")

    def offer(self) -> None:
        """Category B records the offer at the intake: what, by whom, from when."""
        data = self.data
        if data.category != Category.OFFER:
            return
        if not data.offer_kind:
            self.block("offer_kind_missing", "offer_kind")
        if not data.offer_provider.strip():
            self.block("offer_provider_missing", "offer_provider")
        if data.offer_starts_on is None:
            self.block("offer_start_missing", "offer_starts_on")

    def personnummer(self) -> None:
        """A number the person has is used, never a new one: it must be a real one."""
        data = self.data
        if data.residence_registered:
            self.block("residence_registered", "residence_registered")
        typed = data.existing_personnummer.strip()
        if not typed:
            if data.has_personnummer:
                self.block("existing_personnummer_missing", "existing_personnummer")
            return
        number = self._parsed(typed)
        if number is None:
            return
        if number.is_replacement:
            self.block(
                "existing_personnummer_replacement", "existing_personnummer", masked=number.masked
            )
            return
        if not number.mod11_ok and not number.mod11_exempt:
            self.warn("existing_personnummer_mod11", "existing_personnummer", masked=number.masked)
        self._number_matches_person(number)

    def _parsed(self, typed: str) -> Personnummer | None:
        try:
            return parse(typed, self.today)
        except InvalidPersonnummer as error:
            self.blocks.append(
                Reason(
                    code="existing_personnummer_invalid",
                    template=error.template,
                    field="existing_personnummer",
                    params=error.params,
                )
            )
            return None

    def _number_matches_person(self, number: Personnummer) -> None:
        data = self.data
        if data.birth_date is not None and number.birth_date != data.birth_date:
            self.warn(
                "existing_personnummer_birth_date_mismatch",
                "existing_personnummer",
                masked=number.masked,
                encoded=_fmt(number.birth_date),
                given=_fmt(data.birth_date),
            )
        if data.sex in _SEX_NAMES and number.sex != data.sex:
            self.warn(
                "existing_personnummer_sex_mismatch",
                "existing_personnummer",
                masked=number.masked,
                encoded=Msg(_SEX_NAMES[number.sex]),
                given=Msg(_SEX_NAMES[data.sex]),
            )

    def birth_date(self) -> None:
        birth_date = self.data.birth_date
        if birth_date is None:
            self.block("birth_date_missing", "birth_date")
        elif birth_date > self.today:
            self.block("birth_date_future", "birth_date", date=_fmt(birth_date))
        elif not FIRST_DATE <= birth_date <= LAST_DATE:
            self.block("birth_date_out_of_range", "birth_date", date=_fmt(birth_date))
        else:
            age = age_on(birth_date, self.today)
            if age < MIN_AGE:
                self.warn("age_under_15", "birth_date", age=age, date=_fmt(birth_date))
            elif age > MAX_AGE:
                self.warn("age_over_80", "birth_date", age=age, date=_fmt(birth_date))

    def sex(self) -> None:
        data = self.data
        document, chosen = data.document_sex, data.sex
        if document in _SEX_NAMES and chosen in _SEX_NAMES and document != chosen:
            self.warn(
                "sex_document_mismatch",
                "sex",
                document=Msg(_SEX_NAMES[document]),
                chosen=Msg(_SEX_NAMES[chosen]),
            )

    def document(self) -> None:
        """A valid document for A and B; for an asylum seeker (C) only a warning."""
        data = self.data
        asylum = data.category == Category.ASYLUM_ASSISTANCE
        expiry = data.document_expiry
        if expiry is None and data.document_type in DOCUMENTS_WITH_EXPIRY:
            self.block("document_expiry_missing", "document_expiry")
        elif expiry is not None and expiry < self.today:
            code = "document_expired_asylum" if asylum else "document_expired"
            (self.warn if asylum else self.block)(code, "document_expiry", date=_fmt(expiry))
        if data.document_withheld:
            code = "document_withheld_asylum" if asylum else "document_withheld"
            (self.warn if asylum else self.block)(code, "document_withheld")

    def entry_date(self) -> None:
        entry = self.data.entry_date
        if entry is not None and entry > self.today:
            self.block("entry_date_future", "entry_date", date=_fmt(entry))

    def stay_municipality(self) -> None:
        data = self.data
        stay, own = data.stay_municipality, data.jobcentre_municipality
        if stay and own and stay != own:
            self.warn(
                "stay_municipality_other",
                "stay_municipality",
                municipality=_MUNICIPALITY_NAMES.get(stay, stay),
            )

    def residence(self, nationality: str) -> None:
        """The Nordic and EU residence warnings (categories A and B)."""
        data = self.data
        months = data.expected_stay_months
        long_stay = months is not None and months > FREE_STAY_MONTHS
        if is_nordic(nationality):
            if long_stay:
                self.warn(
                    "nordic_long_stay", "nationality", country=_country(nationality), months=months
                )
            else:
                self.warn("nordic_citizen", "nationality", country=_country(nationality))
            return
        entry = (
            data.entry_date
            if data.entry_date is not None and data.entry_date <= self.today
            else None
        )
        if long_stay and data.purpose is not None and data.purpose != Purpose.JOBSEEKING:
            deadline: object = (
                _fmt(add_months(entry, FREE_STAY_MONTHS))
                if entry is not None
                else Msg(_THREE_MONTHS_AFTER_ENTRY)
            )
            self.warn("registration_certificate", "purpose", months=months, deadline=deadline)
        jobseeker = data.purpose == Purpose.JOBSEEKING or data.category == Category.JOBSEEKER
        if jobseeker and entry is not None and self.today > add_months(entry, JOBSEEKER_MONTHS):
            self.warn("jobseeker_over_six_months", "entry_date", date=_fmt(entry))


def check_eligibility(data: IntakeFacts, *, today: date) -> EligibilityResult:
    """Every block and warning for these facts on ``today``. Never raises."""
    return _Check(data, today).run()
