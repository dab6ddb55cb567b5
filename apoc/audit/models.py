from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("visning")
    LIST = "list", _("visning af liste")
    SEARCH = "search", _("søgning")
    CREATE = "create", _("oprettelse")
    UPDATE = "update", _("ændring")
    REVIEW = "review", _("gennemgang")
    ANNUL = "annul", _("annullering")
    PRINT_LETTER = "print_letter", _("udskrift af Jobnet-brev")
    EXPORT = "export", _("udtræk")
    VIEW_DOCUMENT = "view_document", _("visning af ID-dokument")
    DUPLICATE_CHECK = "duplicate_check", _("dubletkontrol")
    PURGE = "purge", _("sletning af gamle logposter")
    TRANSFER = "transfer", _("overførsel til andet jobcenter")
    DELETE = "delete", _("sletning af persondata")
    CPR_LOOKUP = "cpr_lookup", _("opslag i CPR")
    ACCOUNT_UPDATE = "account_update", _("oprettelse eller ændring af medarbejder")
    PASSWORD_LINK = "password_link", _("link til at vælge adgangskode sendt")
    PASSWORD_SET = "password_set", _("adgangskode valgt via link")
    SIGN_IN = "sign_in", _("login")
    SIGN_IN_REFUSED = "sign_in_refused", _("login afvist")
    SIGN_OUT = "sign_out", _("log ud")
    ROLE_CHANGE = "role_change", _("ændring af rolle")


class AuditEntry(models.Model):
    """One use of personal data: who, from which jobcentre, when, what and on whom.

    Append-only: the application never updates or deletes an entry, except the
    retention purge, which logs that it ran.
    """

    at = models.DateTimeField(_("tidspunkt"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("medarbejder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("brugernavn"), max_length=150, blank=True)
    jobcentre = models.ForeignKey(
        "accounts.Jobcentre",
        verbose_name=_("jobcenter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("handling"), max_length=20, choices=Action.choices)
    subject_type = models.CharField(_("type"), max_length=40, blank=True)
    subject_id = models.BigIntegerField(_("id"), null=True, blank=True)
    criteria = models.JSONField(_("søgekriterier/detaljer"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adresse"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("logpost")
        verbose_name_plural = _("adgangslog")
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "at"], name="audit_subject_idx"),
            models.Index(fields=["user", "at"], name="audit_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)
