"""A number taken out in the CPR office's own client: does it fit the person? Pure Python.

Where no allocation API exists, the caseworker takes the administrative
personnummer out in CPR's client and types it into APOC
(:class:`cpr.registry.IssuedInCprRegistry`). Before it is recorded, APOC checks
that it is well-formed and agrees with the person: the birth date (the first
six digits), the century that digit 7 gives together with the year, and the
sex that the last digit gives. Modulus 11 is never required: the CPR office has
issued numbers without it since 1 October 2007 (domain.md, appendix §2).
"""

from __future__ import annotations

from datetime import date

from apoc.exceptions import DomainError, Msg, gettext_noop

from .personnummer import InvalidPersonnummer, Personnummer, parse

__all__ = ["IssuedNumberMismatch", "IssuedNumberRequired", "check_issued_number"]

_SEX = {"M": gettext_noop("en mand"), "F": gettext_noop("en kvinde")}


class IssuedNumberRequired(DomainError):
    """Everything else was checked: now the number from CPR's client is needed."""

    code = "issued_number_required"
    template = gettext_noop(
        "Personen er kontrolleret og kan få et administrativt personnummer. Tag nummeret ud i "
        "CPR-kontorets klient, og skriv det i feltet »Personnummer udstedt i CPR«."
    )


class IssuedNumberMismatch(DomainError):
    code = "issued_number_mismatch"
    template = gettext_noop("Personnummeret passer ikke til personen.")


def _mismatch(code: str, template: str, **params: object) -> IssuedNumberMismatch:
    return IssuedNumberMismatch(template, code=code, params=params)


def check_issued_number(text: str, *, birth_date: date, sex: str, today: date) -> Personnummer:
    """The number typed, if it fits the person; else the error that names what disagrees.

    Raises ``IssuedNumberRequired`` for an empty field and ``IssuedNumberMismatch``
    for a number that does not parse (with the parse error's code and message)
    or does not fit (codes ``issued_replacement``, ``issued_century``,
    ``issued_birth_date`` and ``issued_sex``).
    """
    if not text or not text.strip():
        raise IssuedNumberRequired()
    try:
        number = parse(text, today)
    except InvalidPersonnummer as error:
        raise IssuedNumberMismatch(error.template, code=error.code, params=error.params) from None
    if number.is_replacement:
        raise _mismatch(
            "issued_replacement",
            gettext_noop(
                "%(masked)s er et erstatningspersonnummer (dagen plus 60), ikke et nummer fra "
                "CPR. Skriv det personnummer, CPR-kontorets klient udstedte."
            ),
            masked=number.masked,
        )
    if number.birth_date != birth_date:
        raise _birth_date_mismatch(number, birth_date)
    if number.sex != sex:
        raise _mismatch(
            "issued_sex",
            gettext_noop(
                "Personnummerets sidste ciffer (%(digit)s) giver %(encoded)s, men personen er "
                "%(given)s. Kontrollér kønnet i CPR-klienten og her."
            ),
            digit=number.serial[-1],
            encoded=Msg(_SEX[number.sex]),
            given=Msg(_SEX[sex]),
        )
    return number


def _birth_date_mismatch(number: Personnummer, birth_date: date) -> IssuedNumberMismatch:
    if number.digits[:6] == birth_date.strftime("%d%m%y"):
        # The same day, month and two-digit year: digit 7 gives another century.
        return _mismatch(
            "issued_century",
            gettext_noop(
                "Personnummerets 7. ciffer (%(digit)s) giver fødselsåret %(encoded)s, men "
                "personen er født i %(given)s. Århundredet passer ikke: kontrollér nummeret."
            ),
            digit=number.serial[0],
            encoded=number.birth_date.year,
            given=birth_date.year,
        )
    return _mismatch(
        "issued_birth_date",
        gettext_noop(
            "Personnummeret begynder med fødselsdatoen %(encoded)s, men personen er født "
            "%(given)s. Kontrollér fødselsdatoen i CPR-klienten og her."
        ),
        encoded=number.birth_date.strftime("%d.%m.%Y"),
        given=birth_date.strftime("%d.%m.%Y"),
    )
