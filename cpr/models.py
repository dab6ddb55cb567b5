from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class CprStatus(models.TextChoices):
    NO_RESIDENCE = "20", _("20 – uden bopæl i dansk folkeregister (administrativt)")
    ANNULLED = "30", _("30 – annulleret personnummer")


class Source(models.TextChoices):
    ALLOCATED = "allocated", _("tildelt af APOC")
    RECORDED = "recorded", _("eksisterende nummer registreret")


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
                condition=models.Q(cpr_status__in=["20", "30"]), name="cpr_allocation_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["birth_date"], name="cpr_allocation_birth_idx")]

    def __str__(self) -> str:
        return self.masked

    @property
    def masked(self) -> str:
        return f"{self.personnummer[:6]}-XXXX"
