"""factory-boy factories for every model."""

from datetime import date

import factory
from django.contrib.auth import get_user_model

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
