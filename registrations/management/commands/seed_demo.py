"""Demo data for training and trying APOC at Jobcenter København.

Creates the users ``sagsbehandler`` (caseworker) and ``teamleder`` (supervisor)
with the password from ``DEMO_PASSWORD`` or a printed random one, and a few
registrations made through the real intake service, and gives Jobcenter
København demo contact details when it has none. Refuses to run with DEBUG
off, so it never touches a production database.

It ends with where to log in. The server is started after it, so it cannot see
the address: ``--address`` is what ``runserver`` is given (``make run`` passes
its ``HOST`` and ``PORT``), read the way ``runserver`` reads it.
"""

import dataclasses
import io
import re
import secrets
import socket
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands.runserver import Command as Runserver
from django.core.management.commands.runserver import naiveip_re
from django.utils import timezone
from PIL import Image, ImageDraw

from apoc.accounts.models import Jobcentre
from apoc.accounts.roles import CASEWORKER, SUPERVISOR
from apoc.audit.services import AuditContext
from registrations.files import SubmittedDocument
from registrations.intake import IntakeData
from registrations.models import Registration
from registrations.services import registration_submit

DEMO_USERS = (
    ("sagsbehandler", "Sara", "Sagsbehandler", CASEWORKER, False),
    ("teamleder", "Torben", "Teamleder", SUPERVISOR, True),
)

DEMO_PEOPLE = (
    ("Kowalski", "Jan Piotr", date(1990, 5, 12), "M", "PL", "Kraków", "pl"),
    ("Țăranu", "Ștefan", date(1987, 9, 3), "M", "RO", "Cluj-Napoca", "ro"),
    ("Jonaitytė", "Rūta", date(1995, 1, 21), "F", "LT", "Kaunas", "lt"),
    ("Müller", "Anna-Lena", date(1999, 11, 30), "F", "DE", "Köln", "de"),
    ("Papadopoulou", "Eleni", date(1993, 6, 2), "F", "GR", "Thessaloniki", "el"),
    ("Haddad", "Rami", date(1984, 2, 14), "M", "XA", "Aleppo", "en"),
)

#: The category of each demo person that is not a plain jobseeker (A), and what it adds.
DEMO_GROUPS = {
    "Papadopoulou": {
        "category": "B",
        "offer_kind": "danish",
        "offer_provider": "Sprogcenter København",
    },
    "Haddad": {
        "category": "C",
        "document_type": "asylum_card",
        "document_country": "DK",
        "country_of_birth": "SY",
        "purpose": "other",
        "asylum_case_id": "UDL-2026-123456",
        "decision_reference": "PA-2026-77",
        "decision_by": "Jobcenter København",
        "jobseeker": True,
    },
}


def _document_image(text: str) -> bytes:
    image = Image.new("RGB", (640, 400), (225, 235, 245))
    ImageDraw.Draw(image).text((30, 30), f"DEMO – {text}", fill=(20, 40, 80))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _in_group(data: IntakeData, surname: str, today: date) -> IntakeData:
    """The demo person's intake in their group (B or C), or unchanged (A)."""
    group = DEMO_GROUPS.get(surname)
    if group is None:
        return data
    changes = dict(group)
    if changes["category"] == "B":
        changes["offer_starts_on"] = today + timedelta(days=7)
    if changes["category"] == "C":
        changes["decision_date"] = today - timedelta(days=10)
        changes["document_expiry"] = None
    return dataclasses.replace(data, **changes)


#: Jobcenter København's contact details in the demo: made up, and plainly so (the
#: .example domain is reserved for examples; Danish numbers never start with 0).
DEMO_CONTACT = {
    "address": "Demovej 1, 1610 København V",
    "phone": "00 00 00 00",
    "email": "jobcenter@kk.example",
    "opening_hours": "man–tor 9.00–15.00; fre 9.00–13.00",
}


def server_urls(address: str) -> tuple[str, bool]:
    """The URL to open for ``runserver ADDRESS``, and whether it listens on every address.

    ``address`` is ``runserver``'s argument: ``PORT``, ``HOST:PORT``, ``[IPv6]:PORT`` or
    empty (127.0.0.1:8000). Raises CommandError for what ``runserver`` would refuse.
    """
    host, port = Runserver.default_addr, Runserver.default_port
    if address:
        match = re.match(naiveip_re, address)
        if match is None:
            raise CommandError(f"{address!r} is not a port or an address:port pair.")
        host = match["addr"] or host
        port = match["port"]
    everywhere = host in ("0", "0.0.0.0", "[::]")  # noqa: S104 - compared, not bound
    if everywhere:
        host = "127.0.0.1"
    return f"http://{host}:{port}/", everywhere


class Command(BaseCommand):
    help = "Create the demo users sagsbehandler and teamleder and a few registrations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="",
            help="What runserver is started with: PORT or HOST:PORT (make run passes it).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it is for demo machines only."
            )
        url, everywhere = server_urls(options["address"])
        password = settings.DEMO_PASSWORD or secrets.token_urlsafe(12)
        jobcentre = Jobcentre.objects.get(municipality_code="101")
        if not jobcentre.contactable:
            for name, value in DEMO_CONTACT.items():
                setattr(jobcentre, name, value)
            jobcentre.save()
        User = get_user_model()
        users = {}
        for username, first, last, role, is_staff in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "jobcentre": jobcentre},
            )
            user.is_staff = is_staff
            user.jobcentre = jobcentre
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
            self.stdout.write(f"{'Created' if created else 'Updated'} user {username} ({role})")

        today = timezone.localdate()
        made = 0
        for surname, given, birth, sex, country, town, language in DEMO_PEOPLE:
            if Registration.objects.filter(
                surname=surname, given_names=given, birth_date=birth
            ).exists():
                continue
            data = IntakeData(
                surname=surname,
                given_names=given,
                birth_date=birth,
                sex=sex,
                nationality=country,
                place_of_birth=town,
                country_of_birth=country,
                document_type="id_card",
                document_number=f"DEMO{secrets.randbelow(10**6):06d}",
                document_country=country,
                document_expiry=today + timedelta(days=3 * 365),
                address_abroad=f"{town}, {country}",
                stay_address="Gammel Kongevej 1\n1610 København V",
                entry_date=today - timedelta(days=20),
                purpose="jobseeking",
                expected_stay_months=3,
                category="A",
                letter_language=language,
            )
            data = _in_group(data, surname, today)
            registration_submit(
                data=data,
                document=SubmittedDocument(
                    _document_image(f"{given} {surname}"), "png", "image/png"
                ),
                confirmed_warnings=frozenset(),
                submission_token=uuid.uuid4(),
                by=AuditContext.of(users["sagsbehandler"]),
                today=today,
            )
            made += 1
        self.stdout.write(f"Created {made} demo registrations.")
        self._summary(url, everywhere, password)

    def _summary(self, url: str, everywhere: bool, password: str) -> None:
        """Where to log in, as whom, with what: the last lines before the server's own."""
        lines = ["", f"APOC, training mode: {url}"]
        if everywhere:
            lines.append(
                f"  (on every address of this machine; from another one use "
                f"http://{socket.gethostname()}:{url.rsplit(':', 1)[1]} and add that name "
                "to DJANGO_ALLOWED_HOSTS)"
            )
        lines += [
            "  caseworker:  sagsbehandler",
            f"  supervisor:  teamleder (also {url}admin/)",
            f"  password:    {password}",
            "",
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
