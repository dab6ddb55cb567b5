"""Data migrations, demo data and the project's commands."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum

from apoc.accounts.models import Jobcentre
from apoc.accounts.roles import ROLE_PERMISSIONS
from registrations.models import Registration, StatisticsCount
from registrations.statistics import statistics_differences

pytestmark = pytest.mark.django_db


def test_the_98_municipalities_are_jobcentres():
    assert Jobcentre.objects.count() == 98
    assert Jobcentre.objects.get(municipality_code="101").name == "Jobcenter København"
    assert Jobcentre.objects.get(municipality_code="461").municipality == "Odense"
    assert not Jobcentre.objects.filter(municipality_code="411").exists()  # Christiansø
    regions = dict(Jobcentre.objects.values_list("region").annotate(n=Count("id")))
    assert regions == {"1084": 29, "1085": 17, "1083": 22, "1082": 19, "1081": 11}


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_groups_have_exactly_their_permissions(role):
    group = Group.objects.get(name=role)
    got = {
        (p.content_type.app_label, p.codename)
        for p in group.permissions.select_related("content_type")
    }
    assert got == set(ROLE_PERMISSIONS[role])


def test_caseworker_cannot_review_or_see_other_jobcentres():
    caseworker = set(ROLE_PERMISSIONS["sagsbehandler"])
    assert ("registrations", "review_registration") not in caseworker
    assert ("accounts", "view_all_jobcentres") not in caseworker
    assert ("accounts", "view_all_jobcentres") not in set(ROLE_PERMISSIONS["teamleder"])


def test_seed_demo_creates_users_who_can_log_in_and_registrations(settings, client):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-password-for-test"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = get_user_model().objects.get(username="sagsbehandler")
    assert user.jobcentre.municipality_code == "101"
    assert user.groups.filter(name="sagsbehandler").exists()
    assert get_user_model().objects.get(username="teamleder").is_staff
    assert client.login(username="sagsbehandler", password="demo-password-for-test")
    assert Registration.objects.count() == 6
    # Every group is in the demo: A jobseekers, a B with its offer, a stateless C.
    assert sorted(Registration.objects.values_list("category", flat=True)) == [
        "A",
        "A",
        "A",
        "A",
        "B",
        "C",
    ]
    assert Registration.objects.get(category="C").nationality == "XA"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Registration.objects.count() == 6
    # The statistics' counters too, through the intake (registrations.statistics).
    assert statistics_differences() == {}
    assert StatisticsCount.objects.filter(kind="day").aggregate(n=Sum("n"))["n"] == 6


def seed(settings, *args: str) -> str:
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-password-for-test"
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("", "http://127.0.0.1:8000/"),
        ("8001", "http://127.0.0.1:8001/"),
        ("127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("localhost:9000", "http://localhost:9000/"),
        ("[::1]:8000", "http://[::1]:8000/"),
    ],
)
def test_seed_demo_ends_with_the_address_the_users_and_the_password(settings, address, url):
    lines = seed(settings, "--address", address).rstrip().splitlines()
    assert lines[-4:] == [
        f"APOC, training mode: {url}",
        "  caseworker:  sagsbehandler",
        f"  supervisor:  teamleder (also {url}admin/)",
        "  password:    demo-password-for-test",
    ]


@pytest.mark.parametrize("address", ["0.0.0.0:8000", "0:8000"])
def test_listening_everywhere_says_how_to_reach_it_from_elsewhere(settings, address):
    out = seed(settings, "--address", address)
    assert "APOC, training mode: http://127.0.0.1:8000/" in out
    assert "on every address of this machine" in out
    assert "DJANGO_ALLOWED_HOSTS" in out


@pytest.mark.parametrize("address", ["eighty", "127.0.0.1:", ":8000"])
def test_an_address_runserver_would_refuse_is_refused(settings, address):
    with pytest.raises(CommandError, match="not a port"):
        seed(settings, "--address", address)


def test_the_demo_jobcentre_gets_made_up_contact_details_once(settings):
    seed(settings)
    copenhagen = Jobcentre.objects.get(municipality_code="101")
    assert copenhagen.contactable
    assert copenhagen.email.endswith(".example")
    assert copenhagen.opening_hours == "man–tor 9.00–15.00; fre 9.00–13.00"
    copenhagen.phone = "33 17 33 17"  # an administrator's own details are kept
    copenhagen.save()
    seed(settings)
    copenhagen.refresh_from_db()
    assert copenhagen.phone == "33 17 33 17"


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="sagsbehandler").exists()
