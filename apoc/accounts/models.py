from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import roles
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
    #: The provider that made and keeps this account, and the account's ``sub`` there.
    #: Such an account signs in only through its provider and never with a password.
    identity_provider = models.ForeignKey(
        "IdentityProvider",
        verbose_name=_("identitetsudbyder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    external_id = models.CharField(_("id hos udbyderen"), max_length=255, blank=True)
    #: May sign in with a local password even where a provider serves the jobcentre.
    break_glass = models.BooleanField(
        _("nødadgang med adgangskode"),
        default=False,
        help_text=_(
            "Må logge ind med adgangskode, også når kommunens identitetsudbyder er sat op. "
            "Kun til en eller to administratorer, når udbyderen er nede."
        ),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("medarbejder")
        verbose_name_plural = _("medarbejdere")
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                fields=["identity_provider", "external_id"],
                condition=Q(identity_provider__isnull=False),
                name="accounts_user_one_account_per_sub",
            ),
        ]


class IdentityProvider(models.Model):
    """A municipality's OpenID Connect provider, and the jobcentres it may sign staff in to.

    The client secret is never stored here: ``client_secret_env`` names the
    environment variable that holds it. Which claim values give which role is
    data (:class:`RoleMapping`); no provider grants ``landsadministrator``
    unless ``may_grant_national_admin`` says so.
    """

    name = models.CharField(_("navn"), max_length=100, unique=True)
    slug = models.SlugField(
        _("kort navn"),
        max_length=50,
        unique=True,
        help_text=_("Bruges i adressen, som udbyderen sender brugeren tilbage til."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    issuer = models.URLField(
        _("udsteder (issuer)"),
        max_length=300,
        help_text=_("Udbyderens issuer, fx https://login.microsoftonline.com/<tenant>/v2.0"),
    )
    client_id = models.CharField(_("klient-id"), max_length=255)
    client_secret_env = models.CharField(
        _("miljøvariabel med klienthemmelighed"),
        max_length=100,
        blank=True,
        help_text=_(
            "Navnet på miljøvariablen, der holder klienthemmeligheden, fx "
            "APOC_OIDC_KOBENHAVN_SECRET. Hemmeligheden selv gemmes aldrig i databasen. "
            "Tom: en offentlig klient med PKCE alene."
        ),
    )
    scopes = models.CharField(_("scopes"), max_length=200, default="openid profile email")
    use_pkce = models.BooleanField(
        _("PKCE"),
        default=True,
        help_text=_("Proof Key for Code Exchange (S256). Slå det kun fra for en udbyder uden."),
    )
    #: The jobcentres it may sign staff in to; each jobcentre has one provider at most.
    jobcentres = models.ManyToManyField(
        Jobcentre,
        verbose_name=_("jobcentre"),
        through="ProviderJobcentre",
        related_name="identity_providers",
    )
    claim_username = models.CharField(
        _("claim med brugernavn"), max_length=100, default="preferred_username"
    )
    claim_first_name = models.CharField(
        _("claim med fornavn"), max_length=100, default="given_name"
    )
    claim_last_name = models.CharField(
        _("claim med efternavn"), max_length=100, default="family_name"
    )
    claim_email = models.CharField(_("claim med e-mail"), max_length=100, default="email")
    claim_groups = models.CharField(_("claim med grupper/roller"), max_length=100, default="groups")
    claim_municipality = models.CharField(
        _("claim med kommunekode"),
        max_length=100,
        blank=True,
        help_text=_(
            "Det claim, der siger, hvilket jobcenter (kommunekode) medarbejderen hører til. "
            "Tomt: udbyderen skal betjene netop ét jobcenter, og det er medarbejderens."
        ),
    )
    may_grant_national_admin = models.BooleanField(
        _("må give rollen landsadministrator"),
        default=False,
        help_text=_(
            "Kun for en udbyder, der er betroet at udpege landsadministratorer. "
            "Ellers giver ingen gruppe hos udbyderen den rolle."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("identitetsudbyder")
        verbose_name_plural = _("identitetsudbydere")

    def __str__(self) -> str:
        return self.name


class ProviderJobcentre(models.Model):
    """A jobcentre whose staff a provider signs in. The database holds one per jobcentre,
    so the login page knows where to send a municipality's staff."""

    provider = models.ForeignKey(
        IdentityProvider,
        verbose_name=_("identitetsudbyder"),
        on_delete=models.CASCADE,
        related_name="served",
    )
    jobcentre = models.ForeignKey(
        Jobcentre,
        verbose_name=_("jobcenter"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("jobcenter for udbyderen")
        verbose_name_plural = _("jobcentre, udbyderen logger ind i")
        constraints = [
            models.UniqueConstraint(
                fields=["jobcentre"], name="accounts_providerjobcentre_one_per_jobcentre"
            ),
        ]

    def __str__(self) -> str:
        return str(self.jobcentre)


class RoleMapping(models.Model):
    """One value of a provider's group claim, and the APOC role it gives."""

    class Role(models.TextChoices):
        CASEWORKER = roles.CASEWORKER, _("sagsbehandler")
        SUPERVISOR = roles.SUPERVISOR, _("teamleder")
        NATIONAL_ADMIN = roles.NATIONAL_ADMIN, _("landsadministrator")

    provider = models.ForeignKey(
        IdentityProvider,
        verbose_name=_("identitetsudbyder"),
        on_delete=models.CASCADE,
        related_name="role_mappings",
    )
    claim_value = models.CharField(
        _("gruppe hos udbyderen"),
        max_length=255,
        help_text=_("Værdien i gruppe-claimet, fx gruppens id i Entra ID."),
    )
    role = models.CharField(_("rolle i APOC"), max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["provider", "claim_value"]
        verbose_name = _("gruppe og rolle")
        verbose_name_plural = _("grupper og roller")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "claim_value"], name="accounts_rolemapping_unique_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_value} → {self.role}"
