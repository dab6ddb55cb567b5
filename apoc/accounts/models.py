from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .contact import is_contactable


class Jobcentre(models.Model):
    """A municipality's jobcentre, identified by its kommunekode."""

    class Region(models.TextChoices):
        HOVEDSTADEN = "1084", _("Region Hovedstaden")
        SJAELLAND = "1085", _("Region Sjælland")
        SYDDANMARK = "1083", _("Region Syddanmark")
        MIDTJYLLAND = "1082", _("Region Midtjylland")
        NORDJYLLAND = "1081", _("Region Nordjylland")

    municipality_code = models.CharField(_("kommunekode"), max_length=3, unique=True)
    municipality = models.CharField(_("kommune"), max_length=60)
    name = models.CharField(_("navn"), max_length=100)
    region = models.CharField(_("region"), max_length=4, choices=Region.choices)
    address = models.CharField(
        _("adresse"),
        max_length=200,
        blank=True,
        help_text=_("Gade og nummer, postnummer og by, adskilt af komma."),
    )
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    #: As ``apoc.accounts.contact.format_opening_hours`` writes them: "man–tor 9.00–15.00".
    opening_hours = models.CharField(
        _("åbningstider"),
        max_length=200,
        blank=True,
        help_text=_("Fx »man-tor 9-15, fre 9-13«. Brevet skriver dem på personens sprog."),
    )

    class Meta:
        ordering = ["municipality_code"]
        verbose_name = _("jobcenter")
        verbose_name_plural = _("jobcentre")
        permissions = [
            ("view_all_jobcentres", _("Kan se alle jobcentres registreringer")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality_code})"

    @property
    def contactable(self) -> bool:
        """Whether a letter from this jobcentre can say how to reach it
        (:func:`apoc.accounts.contact.is_contactable`)."""
        return is_contactable(
            phone=self.phone,
            email=self.email,
            address=self.address,
            has_opening_hours=bool(self.opening_hours.strip()),
        )


class User(AbstractUser):
    """A member of staff. Each belongs to one jobcentre; national administrators to none."""

    jobcentre = models.ForeignKey(
        Jobcentre,
        verbose_name=_("jobcenter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("medarbejder")
        verbose_name_plural = _("medarbejdere")
        swappable = "AUTH_USER_MODEL"
