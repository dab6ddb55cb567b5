"""Domain errors of the Jobnet accounts. Danish messages; English in the catalogue.

None of them ever holds a password: a typed one-time password that is refused is
described, never quoted.
"""

from apoc.exceptions import DomainError, gettext_noop

from .credentials import TYPED_MAX_LENGTH, TYPED_PASSWORD_MIN_LENGTH, TYPED_USERNAME_MIN_LENGTH
from .letters import InvalidLetterData

__all__ = [
    "AccountDisabled",
    "InvalidLetterData",
    "InvalidTypedPassword",
    "InvalidTypedUsername",
    "LoginFromCaseSystem",
    "UsernameUnavailable",
]


class AccountDisabled(DomainError):
    """A disabled account gets no new password, so no letter."""

    code = "jobnet_account_disabled"
    template = gettext_noop(
        "Jobnet-kontoen %(username)s er spærret. Der kan ikke udskrives et brev med ny adgangskode."
    )


#: :class:`AccountDisabled` for a login from the case system, whose username APOC does not know.
DISABLED_FROM_CASE_SYSTEM = gettext_noop(
    "Personens Jobnet-login er spærret i APOC. Der kan ikke udskrives et brev til det."
)


class UsernameUnavailable(DomainError):
    """No free username was found in a few draws: practically impossible, but bounded."""

    code = "jobnet_username_unavailable"
    template = gettext_noop("Der kunne ikke dannes et ledigt Jobnet-brugernavn. Prøv igen.")


class LoginFromCaseSystem(DomainError):
    """APOC's own account maker cannot print for a login that came from the case system."""

    code = "jobnet_login_from_case_system"
    template = gettext_noop(
        "Personens Jobnet-login er oprettet i fagsystemet. APOC danner ikke selv en "
        "adgangskode til det."
    )


class InvalidTypedUsername(DomainError):
    """The username typed from the case system cannot be a Jobnet username."""

    code = "jobnet_invalid_username"
    template = gettext_noop(
        "Brugernavnet skal have %(min)s til %(max)s tegn: bogstaverne a-z og A-Z, tal og "
        "tegnene . _ - @ uden mellemrum. Skriv det, som fagsystemet viser det."
    )

    def __init__(self) -> None:
        super().__init__(params={"min": TYPED_USERNAME_MIN_LENGTH, "max": TYPED_MAX_LENGTH})


class InvalidTypedPassword(DomainError):
    """The one-time password typed from the case system cannot be one. Never quotes it."""

    code = "jobnet_invalid_password"
    template = gettext_noop(
        "Engangsadgangskoden skal have %(min)s til %(max)s tegn: bogstaver uden accenter, tal "
        "og tegn, uden mellemrum. Skriv den igen, som fagsystemet viser den."
    )

    def __init__(self) -> None:
        super().__init__(params={"min": TYPED_PASSWORD_MIN_LENGTH, "max": TYPED_MAX_LENGTH})
