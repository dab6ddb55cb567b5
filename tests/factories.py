"""factory-boy factories for every model."""

from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from apoc.accounts.models import Jobcentre
from cpr.models import Allocation, Source
from cpr.personnummer import candidate_serials


class JobcentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jobcentre
        django_get_or_create = ("municipality_code",)

    municipality_code = "101"
    municipality = "København"
    name = factory.LazyAttribute(lambda o: f"Jobcenter {o.municipality}")
    region = Jobcentre.Region.HOVEDSTADEN
    address = "Kalvebod Brygge 43, 1560 København V"
    phone = "70 12 34 56"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"medarbejder{n}")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    jobcentre = factory.SubFactory(JobcentreFactory)
    password = factory.django.Password("korrekt-hest-batteri-klips")


class AllocationFactory(factory.django.DjangoModelFactory):
    """An allocation with a free, valid number for its birth date and sex."""

    class Meta:
        model = Allocation

    birth_date = date(1990, 5, 17)
    sex = "F"
    source = Source.ALLOCATED
    allocated_by = factory.SubFactory(UserFactory)

    @factory.lazy_attribute_sequence
    def personnummer(self, n):
        serials = candidate_serials(self.birth_date, self.sex)
        taken = set(Allocation.objects.values_list("personnummer", flat=True))
        prefix = self.birth_date.strftime("%d%m%y-")
        for i in range(len(serials)):
            candidate = prefix + serials[(n + i) % len(serials)]
            if candidate not in taken:
                return candidate
        raise RuntimeError("no free number left for the factory")


def _role(name):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=name)


class CaseworkerFactory(UserFactory):
    """A sagsbehandler at a jobcentre (København unless told otherwise)."""

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(_role("sagsbehandler"))


class SupervisorFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(_role("teamleder"))


class NationalAdminFactory(UserFactory):
    is_staff = True
    jobcentre = None

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(_role("landsadministrator"))


def png_bytes(width: int = 8, height: int = 6) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration with its allocation, as the intake would leave it."""

    class Meta:
        model = "registrations.Registration"
        skip_postgeneration_save = True

    jobcentre = factory.SubFactory(JobcentreFactory)
    created_by = factory.SubFactory(
        CaseworkerFactory, jobcentre=factory.SelfAttribute("..jobcentre")
    )
    surname = factory.Faker("last_name", locale="pl_PL")
    given_names = factory.Faker("first_name", locale="pl_PL")
    birth_date = factory.Faker(
        "date_between", start_date=date(1960, 1, 1), end_date=date(2004, 12, 31)
    )
    sex = "F"
    allocation = factory.SubFactory(
        AllocationFactory,
        birth_date=factory.SelfAttribute("..birth_date"),
        sex=factory.SelfAttribute("..sex"),
        allocated_by=factory.SelfAttribute("..created_by"),
    )
    submission_token = factory.Faker("uuid4", cast_to=None)
    name_key = factory.LazyAttribute(lambda o: _name_key(o.surname, o.given_names))
    name_search = factory.LazyAttribute(lambda o: _search_forms(f"{o.given_names} {o.surname}"))
    nationality = "PL"
    place_of_birth = "Kraków"
    country_of_birth = "PL"
    document_type = "passport"
    document_number = factory.Sequence(lambda n: f"EA{n:07d}")
    document_number_key = factory.LazyAttribute(lambda o: o.document_number.upper())
    document_country = "PL"
    document_expiry = date(2030, 1, 1)
    document_file = factory.django.FileField(
        filename="dokument.png", data=factory.LazyFunction(png_bytes)
    )
    document_content_type = "image/png"
    address_abroad = "ul. Długa 1, 00-001 Warszawa"
    stay_address = "Vesterbrogade 1, 1620 København V"
    stay_municipality = factory.LazyAttribute(lambda o: o.jobcentre.municipality_code)
    entry_date = date(2026, 10, 1)
    purpose = "jobseeking"
    expected_stay_months = 6
    category = "A"
    registered_as_jobseeker_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def name_keys(self, create, extracted, **kwargs):
        """The keys the intake stores (registrations.services.name_keys_store)."""
        if create:
            from documents.transliteration import name_keys
            from registrations.services import name_keys_store

            name_keys_store(self, name_keys(self.surname, self.given_names))

    @factory.post_generation
    def statistics(self, create, extracted, **kwargs):
        """The statistics' counters, as the intake keeps them (registrations.statistics)."""
        if create:
            from registrations.statistics import statistics_registration_created

            statistics_registration_created(self)


class IntakeRefusalFactory(factory.django.DjangoModelFactory):
    """A refused intake, counted as the intake counts it."""

    class Meta:
        model = "registrations.IntakeRefusal"
        skip_postgeneration_save = True

    jobcentre = factory.SubFactory(JobcentreFactory)
    category = "A"
    nationality = ""
    reason_codes = factory.LazyFunction(lambda: ["nationality_not_eea"])

    @factory.post_generation
    def statistics(self, create, extracted, **kwargs):
        if create:
            from registrations.statistics import statistics_refusal_recorded

            statistics_refusal_recorded(self)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.Offer"

    registration = factory.SubFactory(RegistrationFactory)
    kind = "danish"
    provider = "Sprogcenter København"
    starts_on = date(2026, 12, 1)
    created_by = factory.SelfAttribute("registration.created_by")


def _name_key(surname, given):
    from documents.names import name_key

    return name_key(surname, given)


def _search_forms(text):
    from documents.transliteration import search_forms

    return search_forms(text)
