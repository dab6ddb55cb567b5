"""factory-boy factories for jobnet: accounts, prints and letter details."""

from datetime import date

import factory

from jobnet import credentials
from jobnet.letters import LetterData
from jobnet.models import JobnetAccount, LetterPrint
from tests.factories import UserFactory


class JobnetAccountFactory(factory.django.DjangoModelFactory):
    """An active account without a usable password, as ``jobnet_account_create`` makes it."""

    class Meta:
        model = JobnetAccount

    username = factory.LazyFunction(credentials.new_username)
    password = factory.django.Password(None)
    issued_by = factory.SubFactory(UserFactory)


class LetterPrintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LetterPrint

    account = factory.SubFactory(JobnetAccountFactory)
    printed_by = factory.SubFactory(UserFactory)
    languages = "da,en"


class LetterDataFactory(factory.Factory):
    """What a registration hands to the letter.

    The personnummer is an erstatningspersonnummer (day + 60), so that test
    data can never be a real person's number.
    """

    class Meta:
        model = LetterData

    name = "Małgorzata Wiśniewska"
    address_lines = ("c/o Hansen", "Nørrebrogade 12, 3. tv.", "2200 København N")
    personnummer = "770590-1234"
    jobcentre_name = "Jobcenter København"
    jobcentre_address_lines = ("Kalvebod Brygge 43", "1560 København V")
    jobcentre_phone = "70 12 34 56"
    jobcentre_email = "jobcenter@kk.dk"
    letter_date = date(2026, 11, 29)
    language = "pl"
