"""Demo data for training and trying APOC: two users at Jobcenter København."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apoc.accounts.models import Jobcentre

DEMO_USERS = (
    ("sagsbehandler", "Sara", "Sagsbehandler", False),
    ("teamleder", "Torben", "Teamleder", True),
)


class Command(BaseCommand):
    help = "Create the demo users sagsbehandler and teamleder at Jobcenter København."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DEBUG off: it is for demo machines.")
        password = settings.DEMO_PASSWORD or secrets.token_urlsafe(12)
        jobcentre = Jobcentre.objects.get(municipality_code="101")
        User = get_user_model()
        for username, first, last, is_staff in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "jobcentre": jobcentre},
            )
            user.is_staff = is_staff
            user.set_password(password)
            user.save()
            self.stdout.write(f"{'Created' if created else 'Updated'} {username}")
        self.stdout.write(f"Log in at http://127.0.0.1:8000/ with password: {password}")
