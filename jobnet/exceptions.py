"""Domain errors of the Jobnet accounts. Danish messages; English in the catalogue."""

from apoc.exceptions import DomainError, gettext_noop

from .letters import InvalidLetterData

__all__ = ["AccountDisabled", "InvalidLetterData", "UsernameUnavailable"]


class AccountDisabled(DomainError):
    """A disabled account gets no new password, so no letter."""

    code = "jobnet_account_disabled"
    template = gettext_noop(
        "Jobnet-kontoen %(username)s er spærret. Der kan ikke udskrives et brev med ny adgangskode."
    )


class UsernameUnavailable(DomainError):
    """No free username was found in a few draws: practically impossible, but bounded."""

    code = "jobnet_username_unavailable"
    template = gettext_noop("Der kunne ikke dannes et ledigt Jobnet-brugernavn. Prøv igen.")
