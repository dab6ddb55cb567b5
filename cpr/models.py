from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from . import statuses

#: The CPR status codes (cpr/statuses.py), as choices. NO_RESIDENCE (20) is an
#: administrative number; ANNULLED (30) is final.
CprStatus = models.TextChoices(
    "CprStatus", [(s.name, (s.code, _(s.label))) for s in statuses.STATUSES]
)


class Source(models.TextChoices):
    ALLOCATED = "allocated", _("tildelt af APOC (træning)")
    RECORDED = "recorded", _("eksisterende nummer registreret")
    ISSUED = "issued", _("udstedt i CPR")


class Allocation(models.Model):
    """One personnummer in the register. The unique constraint is the arbiter:
    a number is in the register at most once, and an annulled number stays."""

    personnummer = models.CharField(_("personnummer"), max_length=11)
    birth_date = models.DateField(_("fødselsdato"))
    sex = models.CharField(_("køn"), max_length=1, choices=[("M", _("mand")), ("F", _("kvinde"))])
    cpr_status = models.CharField(
        _("CPR-status"), max_length=2, choices=CprStatus.choices, default=CprStatus.NO_RESIDENCE
    )
    source = models.CharField(
        _("oprindelse"), max_length=10, choices=Source.choices, default=Source.ALLOCATED
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tildelt af"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    allocated_at = models.DateTimeField(_("tildelt"), db_default=Now())
    annulled_at = models.DateTimeField(_("annulleret"), null=True, blank=True)
    cpr_confirmed_at = models.DateTimeField(
        _("bekræftet i CPR"),
        null=True,
        blank=True,
        help_text=_("Hvornår et opslag i CPR sidst fandt nummeret (cpr_reconcile)."),
    )
    annulment_reason = models.TextField(_("årsag til annullering"), blank=True, default="")

    class Meta:
        verbose_name = _("personnummer")
        verbose_name_plural = _("personnumre")
        constraints = [
            models.UniqueConstraint(fields=["personnummer"], name="cpr_allocation_unique_pnr"),
            models.CheckConstraint(
                condition=models.Q(sex__in=["M", "F"]), name="cpr_allocation_sex_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(cpr_status__in=[s.code for s in statuses.STATUSES]),
                name="cpr_allocation_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.masked

    @property
    def masked(self) -> str:
        return f"{self.personnummer[:6]}-XXXX"


class StatusSource(models.TextChoices):
    CASEWORKER = "caseworker", _("oplyst til jobcentret")
    CPR_LOOKUP = "cpr_lookup", _("opslag i CPR")
    RECONCILE = "reconcile", _("natlig afstemning med CPR")
    REVIEW = "review", _("annulleret ved gennemgang")


class CprStatusChange(models.Model):
    """A change of a number's CPR status: when it took effect, who recorded it, and the source.

    Append-only; the number's current status is ``Allocation.cpr_status``.
    """

    allocation = models.ForeignKey(
        Allocation,
        verbose_name=_("personnummer"),
        on_delete=models.PROTECT,
        related_name="status_changes",
    )
    previous_status = models.CharField(
        _("tidligere status"), max_length=2, choices=CprStatus.choices
    )
    status = models.CharField(_("ny status"), max_length=2, choices=CprStatus.choices)
    effective_date = models.DateField(_("gældende fra"))
    source = models.CharField(_("kilde"), max_length=12, choices=StatusSource.choices)
    note = models.CharField(_("bemærkning"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registreret af"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("registreret"), db_default=Now())

    class Meta:
        verbose_name = _("ændring af CPR-status")
        verbose_name_plural = _("ændringer af CPR-status")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.allocation.masked}: {self.previous_status} → {self.status}"
