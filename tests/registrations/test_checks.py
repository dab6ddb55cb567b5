"""registrations.W001: a jobcentre that sends letters but cannot say how to reach it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from registrations.checks import NAMED, jobcentres_without_contact_details
from tests.factories import JobcentreFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def warnings():
    return [m for m in jobcentres_without_contact_details() if m.id == "registrations.W001"]


def test_no_registrations_no_warning():
    JobcentreFactory(municipality_code="999", phone="", email="")
    assert warnings() == []


def test_a_jobcentre_with_registrations_and_no_contact_details_is_named(copenhagen):
    copenhagen.phone = copenhagen.email = copenhagen.address = copenhagen.opening_hours = ""
    copenhagen.save()
    RegistrationFactory(jobcentre=copenhagen)
    RegistrationFactory(jobcentre=copenhagen)
    [warning] = warnings()
    assert str(copenhagen) in warning.msg
    assert warning.msg.startswith("1 jobcentre(s) have registrations but no contact details")
    assert "er du velkommen til at kontakte os" in warning.msg
    assert "national administrator" in warning.hint


@pytest.mark.parametrize(
    ("details", "warned"),
    [
        ({"phone": "33 17 33 17"}, False),
        ({"email": "jobcenter@kk.example"}, False),
        ({"address": "Gyldenløvesgade 15, 1600 København V"}, True),
        (
            {"address": "Gyldenløvesgade 15, 1600 København V", "opening_hours": "man 9.00–15.00"},
            False,
        ),
        ({"opening_hours": "man 9.00–15.00"}, True),
    ],
)
def test_a_phone_an_e_mail_or_an_address_with_opening_hours_is_enough(copenhagen, details, warned):
    for name in ("phone", "email", "address", "opening_hours"):
        setattr(copenhagen, name, details.get(name, ""))
    copenhagen.save()
    RegistrationFactory(jobcentre=copenhagen)
    assert bool(warnings()) == warned


def test_many_jobcentres_are_counted_not_all_named():
    for i in range(NAMED + 3):
        RegistrationFactory(jobcentre=JobcentreFactory(municipality_code=f"9{i:02d}", phone=""))
    [warning] = warnings()
    assert warning.msg.startswith(f"{NAMED + 3} jobcentre(s)")
    assert "and 3 more" in warning.msg


def test_manage_py_check_warns_and_make_serve_can_leave_it_out(copenhagen):
    copenhagen.phone = copenhagen.email = ""
    copenhagen.save()
    RegistrationFactory(jobcentre=copenhagen)
    out, err = StringIO(), StringIO()
    call_command("check", stdout=out, stderr=err)
    assert "registrations.W001" in out.getvalue() + err.getvalue()
    with override_settings(SILENCED_SYSTEM_CHECKS=["registrations.W001"]):
        out, err = StringIO(), StringIO()
        call_command("check", "--fail-level", "WARNING", stdout=out, stderr=err)
    assert "registrations.W001" not in out.getvalue() + err.getvalue()


def test_a_database_it_cannot_read_makes_it_say_nothing(monkeypatch):
    """Before `migrate` there are no tables: `manage.py check` must still run."""
    from django.db import OperationalError

    from apoc.accounts.models import Jobcentre

    def no_table(*args, **kwargs):
        raise OperationalError("no such table: accounts_jobcentre")

    monkeypatch.setattr(Jobcentre.objects, "filter", no_table)
    assert jobcentres_without_contact_details() == []
