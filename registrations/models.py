import enum
import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import Countries
from django_countries.fields import CountryField

from apoc.accounts.municipalities import MUNICIPALITIES
from cpr import eligibility
from cpr.countries import SPECIAL_NATIONALITIES
from jobnet.letters import letter_languages

from .intake import REASON_LABELS


class DocumentStorage(FileSystemStorage):
    """Identity-document images: outside static and public folders, no URL.

    They are served only by a view that checks the user's rights.
    """

    def __init__(self) -> None:
        super().__init__(location=settings.MEDIA_ROOT, base_url=None)

    def url(self, name):  # pragma: no cover - guarded: no public URL exists
        raise NotImplementedError("Identity documents have no public URL.")


def document_path(instance: "Registration", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"documents/{uuid.uuid4().hex}.{extension}"


def _choices(name: str, members: type[enum.StrEnum], labels: Any) -> Any:
    """Django choices from a pure rule module's enum and its labels (one source)."""
    return models.TextChoices(name, [(m.name, (m.value, _(labels[m]))) for m in members])


#: The categories and purposes of the eligibility rules (:mod:`cpr.eligibility`).
Category = _choices("Category", eligibility.Category, eligibility.CATEGORY_LABELS)
Purpose = _choices("Purpose", eligibility.Purpose, eligibility.PURPOSE_LABELS)


class OfferKind(models.TextChoices):
    EMPLOYMENT = "employment", _("beskæftigelsesrettet tilbud")
    DANISH = "danish", _("danskundervisning")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("pas")
    ID_CARD = "id_card", _("nationalt ID-kort")
    ASYLUM_CARD = "asylum_card", _("asylansøgerkort fra Udlændingestyrelsen")
    OTHER = "other", _("andet")


class Sex(models.TextChoices):
    """The sex the personnummer encodes (its last digit)."""

    MALE = "M", _("mand")
    FEMALE = "F", _("kvinde")


class DocumentSex(models.TextChoices):
    """The sex as the identity document states it (ICAO 9303: M, F or X/<)."""

    MALE = "M", _("mand (M)")
    FEMALE = "F", _("kvinde (F)")
    UNSPECIFIED = "X", _("uspecificeret (X eller <)")


class JobseekerEnd(models.TextChoices):
    """Why a registration as jobseeker ended (afmelding)."""

    EMPLOYED = "employed", _("har fået arbejde")
    EDUCATION = "education", _("er begyndt på en uddannelse")
    LEFT_DENMARK = "left_denmark", _("er rejst fra Danmark")
    MOVED = "moved", _("er flyttet til en anden kommune")
    OWN_WISH = "own_wish", _("ønsker ikke længere at være tilmeldt")
    OTHER = "other", _("anden årsag")


class AnnulmentReason(models.TextChoices):
    """Why a number was annulled; it decides whether the person may get a new one."""

    WRONG_DATA = "wrong_data", _("nummeret har forkert fødselsdato eller køn")
    DUPLICATE = "duplicate", _("personen har et andet personnummer (dobbeltnummer)")
    MISTAKE = "mistake", _("registreret ved en fejl")
    NOT_ELIGIBLE = "not_eligible", _("personen var ikke berettiget")


class Nationalities(Countries):
    """Every country, and ICAO's codes for people without a state's nationality
    (stateless, refugees, unknown), stored as ISO's user-assigned XA, XB, XC, XX."""

    override = {n.alpha2: _(n.name_da) for n in SPECIAL_NATIONALITIES}


MUNICIPALITY_CHOICES = [(m.code, f"{m.name} ({m.code})") for m in MUNICIPALITIES]


class CprAttention(models.TextChoices):
    """What the comparison with CPR found that a person must look at."""

    NOT_FOUND = "not_found", _("nummeret findes ikke i CPR")
    NAME_DIFFERS = "name_differs", _("navnet afviger fra CPR")
    CANDIDATES = "candidates", _("CPR kender en person, der kan være den samme")
    ANNULLED_IN_CPR = "annulled_in_cpr", _("nummeret er annulleret i CPR")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("afventer gennemgang")
    APPROVED = "approved", _("godkendt")
    FLAGGED = "flagged", _("markeret til opfølgning")
    ANNULLED = "annulled", _("annulleret")


LETTER_LANGUAGES = [
    ("da", _("dansk")),
    ("en", _("engelsk")),
    ("de", _("tysk")),
    ("pl", _("polsk")),
    ("ro", _("rumænsk")),
    ("lt", _("litauisk")),
    ("lv", _("lettisk")),
    ("et", _("estisk")),
    ("bg", _("bulgarsk")),
    ("hu", _("ungarsk")),
    ("cs", _("tjekkisk")),
    ("sk", _("slovakisk")),
    ("sl", _("slovensk")),
    ("hr", _("kroatisk")),
    ("el", _("græsk")),
    ("it", _("italiensk")),
    ("es", _("spansk")),
    ("pt", _("portugisisk")),
    ("fr", _("fransk")),
    ("nl", _("nederlandsk")),
    ("fi", _("finsk")),
    ("sv", _("svensk")),
    ("nb", _("norsk")),
    ("is", _("islandsk")),
    ("mt", _("maltesisk")),
    ("ga", _("irsk")),
]


def letter_language_names(codes: str) -> str:
    """The languages of a printed letter, stored as "da,en,pl", by their names in the active
    language: "dansk, engelsk, polsk". A code without a name is shown as it is."""
    names = dict(LETTER_LANGUAGES)
    return ", ".join(str(names.get(code, code)) for code in codes.split(",") if code)


def reason_label(code: str) -> str:
    """The short name of a block or warning code in the active language, e.g. "over 80 år".

    A code without a name (none in use has none) is shown as it is rather than hidden.
    """
    label = REASON_LABELS.get(code)
    return gettext(label) if label is not None else code


class Registration(models.Model):
    """A person registered at the counter, with the administrative personnummer."""

    jobcentre = models.ForeignKey(
        "accounts.Jobcentre", verbose_name=_("jobcenter"), on_delete=models.PROTECT
    )
    allocation = models.OneToOneField(
        "cpr.Allocation",
        verbose_name=_("personnummer"),
        on_delete=models.PROTECT,
        related_name="registration",
    )
    submission_token = models.UUIDField(_("indsendelses-id"), unique=True, editable=False)
    jobnet_account = models.OneToOneField(
        "jobnet.JobnetAccount",
        verbose_name=_("Jobnet-konto"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registration",
    )

    # Person
    surname = models.CharField(_("efternavn"), max_length=200)
    given_names = models.CharField(_("fornavne"), max_length=200)
    name_key = models.CharField(_("navnenøgle"), max_length=400, editable=False)
    #: Every word form of the name (documents.transliteration.search_forms): the search
    #: finds the person by any spelling a document gives the name.
    name_search = models.TextField(_("søgenavn"), editable=False)
    birth_date = models.DateField(_("fødselsdato"))
    sex = models.CharField(_("køn"), max_length=1, choices=Sex.choices)
    nationality = CountryField(_("statsborgerskab"), countries=Nationalities)
    place_of_birth = models.CharField(_("fødested"), max_length=200)
    country_of_birth = CountryField(_("fødeland"))

    # Identity document
    document_type = models.CharField(_("dokumenttype"), max_length=12, choices=DocumentType.choices)
    document_number = models.CharField(_("dokumentnummer"), max_length=40)
    document_number_key = models.CharField(max_length=40, editable=False)
    document_country = CountryField(_("udstedende land"))
    document_expiry = models.DateField(_("udløbsdato"), null=True, blank=True)
    document_sex = models.CharField(
        _("køn i dokumentet"), max_length=1, choices=DocumentSex.choices, blank=True
    )
    document_withheld = models.BooleanField(_("pas inddraget eller tilbageholdt"), default=False)
    document_file = models.FileField(
        _("billede af ID-dokument"),
        storage=DocumentStorage,
        upload_to=document_path,
        max_length=200,
    )
    document_content_type = models.CharField(max_length=40, editable=False)

    # Contact and stay
    foreign_id_number = models.CharField(_("udenlandsk personnummer"), max_length=40, blank=True)
    foreign_id_key = models.CharField(max_length=40, blank=True, editable=False)
    address_abroad = models.TextField(_("adresse i udlandet"), max_length=500)
    stay_address = models.TextField(_("opholdsadresse i Danmark"), max_length=500)
    stay_co = models.CharField(_("c/o"), max_length=200, blank=True)
    stay_municipality = models.CharField(
        _("opholdskommune"), max_length=3, choices=MUNICIPALITY_CHOICES, blank=True
    )
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    letter_language = models.CharField(
        _("sprog til brevet"), max_length=5, choices=LETTER_LANGUAGES, default="en"
    )
    entry_date = models.DateField(_("indrejsedato"))
    purpose = models.CharField(_("formål med opholdet"), max_length=20, choices=Purpose.choices)
    expected_stay_months = models.PositiveSmallIntegerField(_("forventet opholdslængde (måneder)"))
    receives_pd_u2 = models.BooleanField(
        _("modtager dagpenge fra hjemlandet (PD U2)"), default=False
    )
    pd_u2_date = models.DateField(_("PD U2-dato"), null=True, blank=True)

    # Category
    category = models.CharField(_("kategori"), max_length=1, choices=Category.choices)
    offer_kind = models.CharField(_("tilbud"), max_length=12, choices=OfferKind.choices, blank=True)
    asylum_case_id = models.CharField(
        _("Udlændingestyrelsens ID/sagsnummer"), max_length=40, blank=True
    )
    decision_date = models.DateField(_("afgørelsesdato"), null=True, blank=True)
    decision_reference = models.CharField(_("afgørelsens reference"), max_length=100, blank=True)
    decision_by = models.CharField(_("afgørelsen truffet af"), max_length=200, blank=True)

    # Existing number and residence
    residence_registered = models.BooleanField(_("bopælsregistreret i Danmark"), default=False)

    # Eligibility outcome
    warnings_confirmed = models.JSONField(_("bekræftede advarsler"), default=list, blank=True)

    # Registration as jobseeker: A always, B and C when the person also seeks work
    registered_as_jobseeker_at = models.DateTimeField(
        _("tilmeldt som jobsøgende"), null=True, blank=True
    )
    jobseeker_ended_at = models.DateTimeField(_("afmeldt som jobsøgende"), null=True, blank=True)
    jobseeker_end_reason = models.CharField(
        _("årsag til afmelding"), max_length=20, choices=JobseekerEnd.choices, blank=True
    )

    # Annulment, and the registrations it links
    annulment_reason = models.CharField(
        _("årsag til annullering"), max_length=20, choices=AnnulmentReason.choices, blank=True
    )
    survivor = models.ForeignKey(
        "self",
        verbose_name=_("personens gældende registrering"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        help_text=_("Ved dobbeltnummer: den registrering, personen beholder."),
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("erstatter den annullerede registrering"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    new_number_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nyt nummer tilladt af"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    new_number_allowed_at = models.DateTimeField(_("nyt nummer tilladt"), null=True, blank=True)

    # The look-up in CPR before the number was given (registrations.cpr_check)
    cpr_pending = models.BooleanField(
        _("CPR søges igen"),
        default=False,
        help_text=_("CPR kunne ikke søges ved registreringen; den natlige afstemning søger igen."),
    )
    cpr_attention = models.CharField(
        _("kræver opmærksomhed"), max_length=20, choices=CprAttention.choices, blank=True
    )

    # Review
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sagsbehandler"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    review_status = models.CharField(
        _("gennemgang"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gennemgået af"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("gennemgået"), null=True, blank=True)
    review_comment = models.TextField(_("kommentar"), blank=True)

    # Retention (registrations.retention): when the document image was deleted,
    # and when the contact data APOC no longer needs was blanked.
    document_deleted_at = models.DateTimeField(
        _("billedet af ID-dokumentet slettet"), null=True, blank=True
    )
    minimised_at = models.DateTimeField(_("kontaktoplysninger slettet"), null=True, blank=True)

    class Meta:
        verbose_name = _("registrering")
        verbose_name_plural = _("registreringer")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("review_registration", _("Kan gennemgå registreringer")),
            ("view_full_personnummer", _("Kan se fulde personnumre i udtræk")),
            ("export_registration", _("Kan udtrække registreringer")),
            ("print_letter", _("Kan udskrive Jobnet-breve")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["document_country", "document_number_key"],
                condition=~models.Q(review_status="annulled"),
                name="registration_unique_document",
            ),
            models.UniqueConstraint(
                fields=["nationality", "foreign_id_key"],
                condition=~models.Q(review_status="annulled") & ~models.Q(foreign_id_key=""),
                name="registration_unique_foreign_id",
            ),
        ]
        indexes = [
            models.Index(fields=["name_key", "birth_date"], name="registration_name_birth_idx"),
            models.Index(fields=["birth_date"], name="registration_birth_idx"),
            models.Index(fields=["foreign_id_key"], name="registration_foreign_id_idx"),
            models.Index(fields=["jobcentre", "-created_at"], name="registration_jc_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.given_names} {self.surname} ({self.allocation.masked})"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.surname}"

    @property
    def is_jobseeker(self) -> bool:
        """Registered as jobseeker now (and not ended)."""
        return self.registered_as_jobseeker_at is not None and self.jobseeker_ended_at is None

    @property
    def is_annulled(self) -> bool:
        return self.review_status == ReviewStatus.ANNULLED

    @property
    def outcome(self) -> str:
        """What the person got, in words for the registration page, admin and export."""
        if self.is_annulled:
            return _("Annulleret")
        parts = {
            Category.JOBSEEKER: [],
            Category.OFFER: [_("Tilbud registreret")],
            Category.ASYLUM_ASSISTANCE: [_("Personlig assistance registreret")],
        }.get(self.category, [])
        if self.is_jobseeker:
            parts = [*parts, _("tilmeldt som jobsøgende")]
        elif self.jobseeker_ended_at is not None:
            parts = [*parts, _("afmeldt som jobsøgende")]
        else:
            parts = [*parts, _("ikke tilmeldt som jobsøgende")]
        text = ", ".join(str(part) for part in parts)
        return text[:1].upper() + text[1:]

    @property
    def personnummer(self) -> str:
        return self.allocation.personnummer

    @property
    def masked_personnummer(self) -> str:
        return self.allocation.masked

    @property
    def letter_languages(self) -> str:
        """The languages a Jobnet letter to the person is printed in, by name:
        "dansk, engelsk, rumænsk"."""
        return letter_language_names(",".join(letter_languages(self.letter_language)))

    @property
    def confirmed_warning_labels(self) -> list[str]:
        """The confirmed warnings by their short names, in the active language."""
        return [reason_label(code) for code in self.warnings_confirmed]


class Offer(models.Model):
    """An employment-oriented offer or Danish education given to a registered person."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registrering"),
        on_delete=models.CASCADE,
        related_name="offers",
    )
    kind = models.CharField(_("type"), max_length=12, choices=OfferKind.choices)
    provider = models.CharField(_("udbyder"), max_length=200)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("slut"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("oprettet af"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("tilbud")
        verbose_name_plural = _("tilbud")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="offer_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.provider}"


class IntakeRefusal(models.Model):
    """An intake the rules refused: no personal data, for statistics by reason."""

    jobcentre = models.ForeignKey("accounts.Jobcentre", on_delete=models.PROTECT, related_name="+")
    refused_at = models.DateTimeField(auto_now_add=True, db_index=True)
    category = models.CharField(max_length=1, choices=Category.choices)
    nationality = CountryField(blank=True)
    reason_codes = models.JSONField(default=list)

    class Meta:
        verbose_name = _("afvist ansøgning")
        verbose_name_plural = _("afviste ansøgninger")

    def __str__(self) -> str:
        return f"{self.refused_at:%Y-%m-%d} {self.category} {','.join(self.reason_codes)}"


class RegistrationTransfer(models.Model):
    """A registration moved to the jobcentre of the municipality the person moved to."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registrering"),
        on_delete=models.CASCADE,
        related_name="transfers",
    )
    from_jobcentre = models.ForeignKey(
        "accounts.Jobcentre",
        verbose_name=_("fra jobcenter"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_jobcentre = models.ForeignKey(
        "accounts.Jobcentre",
        verbose_name=_("til jobcenter"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("begrundelse"), max_length=2000)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("overført af"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    transferred_at = models.DateTimeField(_("overført"), auto_now_add=True)

    class Meta:
        verbose_name = _("overførsel")
        verbose_name_plural = _("overførsler")
        ordering = ["-transferred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_jobcentre=models.F("to_jobcentre")),
                name="transfer_to_another_jobcentre",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_jobcentre_id} → {self.to_jobcentre_id}"


class CprCheck(models.Model):
    """One look-up or search in CPR for a registration: what was found, what was chosen."""

    class Result(models.TextChoices):
        NOT_SEARCHED = "not_searched", _("ikke søgt i CPR (kun APOC's eget register)")
        NO_MATCH = "no_match", _("ingen mulige personer i CPR")
        NUMBER_FOUND = "number_found", _("nummeret findes i CPR")
        NUMBER_UNKNOWN = "number_unknown", _("nummeret findes ikke i CPR")
        PERSON_CONFIRMED = "person_confirmed", _("det er personen: eget nummer brugt")
        NOT_PERSON = "not_person", _("ikke personen")
        UNAVAILABLE = "unavailable", _("CPR kunne ikke søges")
        CANDIDATES = "candidates", _("mulige personer fundet, skal vurderes")

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registrering"),
        on_delete=models.CASCADE,
        related_name="cpr_checks",
    )
    kind = models.CharField(_("art"), max_length=10)  # number, search, none
    result = models.CharField(_("resultat"), max_length=20, choices=Result.choices)
    #: What the caseworker was shown: masked numbers, names, birth dates, statuses.
    candidates = models.JSONField(_("personer i CPR"), default=list, blank=True)
    reason = models.TextField(_("begrundelse"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("udført af"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("tidspunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("opslag i CPR")
        verbose_name_plural = _("opslag i CPR")
        ordering = ["checked_at", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.result}"


class NameKey(models.Model):
    """One key a registration's name can produce (documents.transliteration.name_keys).

    The MRZ spelling and the photo page's spelling of one name share a key, so the
    duplicate check matches any shared key with the same birth date.
    """

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="name_keys"
    )
    key = models.TextField()
    birth_date = models.DateField()

    class Meta:
        verbose_name = _("navnenøgle")
        verbose_name_plural = _("navnenøgler")
        indexes = [models.Index(fields=["key", "birth_date"], name="namekey_key_birth_idx")]
        constraints = [
            models.UniqueConstraint(fields=["registration", "key"], name="namekey_unique")
        ]

    def __str__(self) -> str:
        return self.key


class StatisticsCount(models.Model):
    """One counter of the statistics page (registrations.tally, docs/decisions.md 22).

    Kept in the same transaction as every change it counts; ``rebuild_statistics``
    recomputes them all from the tables.
    """

    kind = models.CharField(max_length=12)
    #: The local day (kind ``day``) or the first day of the local month (the others).
    period = models.DateField()
    jobcentre = models.ForeignKey(
        "accounts.Jobcentre", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    #: The category, nationality, review status or reason code counted; blank for a total.
    value = models.CharField(max_length=40, blank=True)
    n = models.IntegerField()

    class Meta:
        verbose_name = _("optælling til statistikken")
        verbose_name_plural = _("optællinger til statistikken")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "jobcentre", "value"], name="statisticscount_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["jobcentre", "kind", "period"], name="statisticscount_jobcentre_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.jobcentre_id} {self.value}: {self.n}"
