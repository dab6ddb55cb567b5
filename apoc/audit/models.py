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

    Append-only, enforced by the database (migration 0008, decision 30): it
    refuses every UPDATE and every DELETE except the retention purge's
    (``purge_audit``), which writes a signed checkpoint and logs that it ran.
    ``seq``, ``prev_hash`` and ``hash`` chain the entries (apoc.audit.chain); the
    database sets them when the row is inserted, so an entry just created in
    Python does not know them until it is read again.
    """

    at = models.DateTimeField(_("tidspunkt"), default=timezone.now, db_index=True)
    # PROTECT: staff are deactivated, not deleted, and an entry is never changed,
    # not even to forget whom it named.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("medarbejder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("brugernavn"), max_length=150, blank=True)
    jobcentre = models.ForeignKey(
        "accounts.Jobcentre",
        verbose_name=_("jobcenter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("handling"), max_length=20, choices=Action.choices)
    subject_type = models.CharField(_("type"), max_length=40, blank=True)
    subject_id = models.BigIntegerField(_("id"), null=True, blank=True)
    criteria = models.JSONField(_("søgekriterier/detaljer"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adresse"), null=True, blank=True)
    # Set by the database on insert (trigger audit_chain_entry), never by Python.
    seq = models.BigIntegerField(_("nummer i kæden"), null=True, unique=True, editable=False)
    prev_hash = models.CharField(
        _("forrige posts kontrolsum"), max_length=64, blank=True, default="", editable=False
    )
    hash = models.CharField(_("kontrolsum"), max_length=64, blank=True, default="", editable=False)

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


class AuditChainHead(models.Model):
    """The chain's head: the last entry's number and hash, in one row (id 1).

    The insert trigger locks this row (FOR UPDATE) to chain each new entry, so
    concurrent writers queue in the database, and the chain stays linear.
    ``verify_audit`` checks that the newest entry is still the head, so that
    removing the newest entries shows. ``purge_through`` is SQLite's permit for
    the purge (PostgreSQL uses a function; see migration 0008).
    """

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    purge_through = models.BigIntegerField(default=0)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.seq} {self.hash}"


class AuditCheckpoint(models.Model):
    """A retention purge's signed record of the last entry it removed.

    The remaining chain starts after this entry; the signature (HMAC-SHA256 with
    ``settings.AUDIT_CHECKPOINT_KEY``, apoc.audit.chain) shows that the purge
    wrote it, and not someone who removed entries with database access alone.
    Append-only like the entries.
    """

    at = models.DateTimeField(default=timezone.now)
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    removed = models.BigIntegerField()
    cutoff = models.DateTimeField()
    signature = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.seq}"
