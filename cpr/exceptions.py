"""Domain errors of the CPR core. Danish messages; English in the catalogue."""

from apoc.exceptions import DomainError, gettext_noop

from .personnummer import InvalidPersonnummer

__all__ = [
    "AlreadyRegistered",
    "BirthDateOutOfRange",
    "InvalidPersonnummer",
    "InvalidSex",
    "NumberNotUsable",
    "SeriesExhausted",
]


class SeriesExhausted(DomainError):
    """No free personnummer is left for a birth date and sex."""

    code = "series_exhausted"
    template = gettext_noop(
        "Der er ikke flere ledige personnumre for fødselsdatoen %(date)s og køn %(sex)s. "
        "Kontakt CPR-kontoret."
    )


class BirthDateOutOfRange(DomainError):
    code = "birth_date_out_of_range"
    template = gettext_noop(
        "Fødselsdatoen %(date)s kan ikke få et personnummer. Den skal ligge mellem "
        "01.01.1858 og dags dato."
    )


class InvalidSex(DomainError):
    code = "invalid_sex"
    template = gettext_noop("Køn skal være mand (M) eller kvinde (F), som CPR registrerer det.")


class AlreadyRegistered(DomainError):
    """The personnummer is already in the register."""

    code = "already_registered"
    template = gettext_noop("Personnummeret %(masked)s findes allerede i registret.")


class NumberNotUsable(DomainError):
    """The number's CPR status has ended for good: nobody can use it."""

    code = "number_not_usable"
    template = gettext_noop(
        "Personnummeret %(masked)s kan ikke bruges: det har CPR-status %(status)s. Find "
        "personens gældende personnummer i CPR."
    )
