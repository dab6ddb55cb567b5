"""Jobnet accounts and the history of their letters.

The registration that an account belongs to points here (a one-to-one field in
``registrations``); nothing in ``jobnet`` points back.
"""

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from . import credentials
from .hashers import OneTimePasswordHasher


class JobnetAccount(models.Model):
    """A jobseeker's Jobnet login as far as APOC knows it, and its letters.

    Where the login comes from is its ``source`` (:mod:`jobnet.accounts`):

    * ``local``: APOC made it up (training only). The row holds the username
      and the hash of the current one-time password. The password itself is
      never stored: it is drawn, printed and hashed while a letter is made
      (``jobnet.services.letter_print``). Until the first letter the account
      has an unusable password.
    * ``case_system``: the caseworker created it in the jobcentre's case system
      and typed it into the letter's form. The row holds neither the username
      nor the password nor a hash of it, only the letters printed
      (``jobnet.services.case_system_letter_print``). A check constraint keeps
      it so.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("aktiv")
        DISABLED = "disabled", _("spærret")

    class Source(models.TextChoices):
        LOCAL = "local", _("dannet af APOC (kun til træning)")
        CASE_SYSTEM = "case_system", _("oprettet i fagsystemet")

    source = models.CharField(
        _("login"), max_length=12, choices=Source.choices, default=Source.LOCAL
    )
    # NULL, not "", for a login from the case system: the unique constraint lets
    # any number of NULLs be, and APOC knows no username to store.
    username = models.CharField(  # noqa: DJ001
        _("brugernavn"),
        max_length=32,
        null=True,
        blank=True,
        help_text=_(
            "Tilfældigt dannet, uden sammenhæng med navn, fødselsdato og personnummer. "
            "Tomt for et login fra fagsystemet: det gemmer APOC ikke."
        ),
    )
    password = models.CharField(_("adgangskode (hash)"), max_length=128, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    issued_at = models.DateTimeField(_("oprettet"), db_default=Now())
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("oprettet af"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    password_set_at = models.DateTimeField(_("adgangskode dannet"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("spærret"), null=True, blank=True)

    class Meta:
        verbose_name = _("Jobnet-konto")
        verbose_name_plural = _("Jobnet-konti")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["username"], name="jobnet_account_unique_username"),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "disabled"]),
                name="jobnet_account_status_valid",
            ),
            # APOC's own logins have a username; for a login from the case system
            # APOC keeps no username, no password hash and no time of a password.
            models.CheckConstraint(
                condition=models.Q(source="local", username__isnull=False)
                | models.Q(
                    source="case_system",
                    username__isnull=True,
                    password__startswith="!",  # noqa: S106 - Django's unusable password
                    password_set_at__isnull=True,
                ),
                name="jobnet_account_source_keeps",
            ),
        ]

    def __str__(self) -> str:
        if self.username is None:
            return str(_("login fra fagsystemet"))
        return self.username

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_from_case_system(self) -> bool:
        return self.source == self.Source.CASE_SYSTEM

    def set_password(self, raw_password: str | None) -> None:
        """Store the hash of ``raw_password`` (``None``: an unusable password).

        Unlike Django's user model this keeps no copy of the plaintext.
        """
        self.password = make_password(
            credentials.normalise(raw_password) if raw_password is not None else None,
            hasher=OneTimePasswordHasher(),
        )

    def check_password(self, raw_password: str) -> bool:
        """Whether ``raw_password``, as a person would type it, is the current one."""
        if not self.is_active:
            return False
        return check_password(
            credentials.normalise(raw_password), self.password, preferred=OneTimePasswordHasher()
        )


class LetterPrint(models.Model):
    """One printed letter: when, by whom and in which languages. Never its password."""

    account = models.ForeignKey(
        JobnetAccount,
        verbose_name=_("Jobnet-konto"),
        on_delete=models.PROTECT,
        related_name="prints",
    )
    printed_at = models.DateTimeField(_("udskrevet"), db_default=Now())
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("udskrevet af"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    languages = models.CharField(
        _("sprog"),
        max_length=40,
        validators=[RegexValidator(r"^[a-z]{2}(,[a-z]{2})*$")],
        help_text=_("Brevets sprog i rækkefølge, fx »da,en,pl«."),
    )

    class Meta:
        verbose_name = _("udskrift af Jobnet-brev")
        verbose_name_plural = _("udskrifter af Jobnet-breve")
        ordering = ["-printed_at", "-id"]
        indexes = [models.Index(fields=["account", "printed_at"], name="jobnet_print_account_idx")]

    def __str__(self) -> str:
        return f"{self.account} {self.printed_at:%Y-%m-%d %H:%M}"

    @property
    def language_list(self) -> list[str]:
        return self.languages.split(",") if self.languages else []
