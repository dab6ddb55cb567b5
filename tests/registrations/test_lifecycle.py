"""The life of a number after the counter: jobseeker status, CPR status, moves, annulments."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from apoc.audit.models import AuditEntry
from apoc.audit.services import AuditContext
from cpr.models import CprStatus, CprStatusChange, StatusSource
from registrations import lifecycle, review
from registrations.models import Registration, RegistrationTransfer
from registrations.services import RegistrationAnnulled, offer_create
from tests.factories import CaseworkerFactory, RegistrationFactory, SupervisorFactory

from .conftest import intake_post

pytestmark = pytest.mark.django_db

INTAKE = reverse("registrations:intake")
TODAY = date.today()


@pytest.fixture
def supervisor(copenhagen):
    return SupervisorFactory(username="tina", jobcentre=copenhagen)


@pytest.fixture
def person(caseworker):
    """Małgorzata, registered in København, as the intake of intake_post() would."""
    return RegistrationFactory(
        jobcentre=caseworker.jobcentre,
        created_by=caseworker,
        surname="Wiśniewska",
        given_names="Małgorzata Anna",
        birth_date=date(1992, 4, 17),
        document_country="PL",
        document_number="ABA 123456",
        document_number_key="ABA123456",
    )


def lifecycle_url(registration, action):
    return reverse("admin:registrations_registration_lifecycle", args=[registration.pk, action])


def annul(registration, supervisor, cause, survivor=None):
    return review.registration_annul(
        registration=registration,
        by=AuditContext.of(supervisor),
        reason="Gennemgået",
        cause=cause,
        survivor=survivor,
    )


# --- Registration as jobseeker, later or ended -------------------------------------------------


def test_jobseeker_registration_can_be_ended_with_a_reason_and_added_again(
    caseworker_client, person
):
    url = reverse("registrations:jobseeker", args=[person.pk])
    refused = caseworker_client.post(url, {"action": "end"})
    assert refused.status_code == 400
    assert caseworker_client.post(url, {"action": "end", "reason": "employed"}).status_code == 302
    person.refresh_from_db()
    assert not person.is_jobseeker
    assert person.jobseeker_end_reason == "employed"
    page = caseworker_client.get(reverse("registrations:detail", args=[person.pk]))
    assert "Afmeldt" in page.content.decode() and "har fået arbejde" in page.content.decode()
    letter = caseworker_client.post(reverse("registrations:letter", args=[person.pk]))
    assert letter.status_code == 409

    assert caseworker_client.post(url, {"action": "start"}).status_code == 302
    person.refresh_from_db()
    assert person.is_jobseeker and person.jobseeker_end_reason == ""
    changes = [
        e.criteria
        for e in AuditEntry.objects.filter(subject_id=person.pk, action="update").order_by("id")
    ]
    assert changes == [{"jobseeker": "end", "reason": "employed"}, {"jobseeker": "start"}]


def test_a_caseworker_of_another_jobcentre_cannot_change_jobseeker_status(client, person, odense):
    client.force_login(CaseworkerFactory(jobcentre=odense))
    url = reverse("registrations:jobseeker", args=[person.pk])
    assert client.post(url, {"action": "end", "reason": "employed"}).status_code == 404
    person.refresh_from_db()
    assert person.is_jobseeker


# --- The CPR status ---------------------------------------------------------------------------


def test_a_residence_registration_is_recorded_and_the_number_kept(
    client, supervisor, person, caseworker_client
):
    client.force_login(supervisor)
    when = TODAY - timedelta(days=3)
    response = client.post(
        lifecycle_url(person, "cpr_status"),
        {"status": "01", "effective_date": when.isoformat(), "source": "cpr_lookup"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.allocation.cpr_status == CprStatus.RESIDENCE
    change = CprStatusChange.objects.get()
    assert (change.previous_status, change.status) == ("20", "01")
    assert (change.effective_date, change.source) == (when, StatusSource.CPR_LOOKUP)
    assert change.recorded_by == supervisor
    page = caseworker_client.get(reverse("registrations:detail", args=[person.pk]))
    assert "01 – aktiv, bopæl i dansk folkeregister" in page.content.decode()
    entry = AuditEntry.objects.get(action="update", subject_type="cpr.allocation")
    assert entry.criteria["cpr_status"] == "01"


@pytest.mark.parametrize("status", ["80", "90"])
def test_emigration_and_death_are_recorded(supervisor, person, status):
    lifecycle.registration_cpr_status(
        registration=person,
        status=status,
        effective_date=TODAY,
        source="caseworker",
        by=AuditContext.of(supervisor),
    )
    person.allocation.refresh_from_db()
    assert person.allocation.cpr_status == status


def test_a_final_status_takes_no_further_change(supervisor, person):
    by = AuditContext.of(supervisor)
    lifecycle.registration_cpr_status(
        registration=person, status="90", effective_date=TODAY, source="caseworker", by=by
    )
    with pytest.raises(lifecycle.StatusNotAllowed) as refused:
        lifecycle.registration_cpr_status(
            registration=person, status="01", effective_date=TODAY, source="caseworker", by=by
        )
    assert "90 – død" in refused.value.message
    assert CprStatusChange.objects.count() == 1


def test_annulment_records_status_30_with_the_review_as_source(supervisor, person):
    annul(person, supervisor, "mistake")
    change = CprStatusChange.objects.get()
    assert (change.status, change.source, change.recorded_by) == ("30", "review", supervisor)


# --- A move to another municipality -------------------------------------------------------------


def test_a_transfer_moves_the_registration_and_the_old_jobcentre_loses_it(
    client, supervisor, person, caseworker_client, odense
):
    client.force_login(supervisor)
    response = client.post(
        lifecycle_url(person, "transfer"),
        {"to_jobcentre": odense.pk, "reason": "Flyttet til Odense"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:registrations_registration_changelist")
    person.refresh_from_db()
    assert person.jobcentre == odense
    assert person.stay_municipality == "461"
    transfer = RegistrationTransfer.objects.get()
    assert (transfer.from_jobcentre.municipality_code, transfer.to_jobcentre) == ("101", odense)

    # The old jobcentre: nothing after the transfer.
    detail = reverse("registrations:detail", args=[person.pk])
    assert caseworker_client.get(detail).status_code == 404
    assert (
        client.get(reverse("admin:registrations_registration_change", args=[person.pk])).status_code
        == 404
    )

    # The new jobcentre has it, with the transfer in its history.
    odense_worker = CaseworkerFactory(jobcentre=odense)
    client.force_login(odense_worker)
    page = client.get(detail)
    assert page.status_code == 200
    assert "Overført fra Jobcenter København til Jobcenter Odense" in page.content.decode()

    # Both jobcentres see the transfer in the access log.
    audit = reverse("admin:audit_auditentry_changelist")
    for user in (supervisor, SupervisorFactory(jobcentre=odense)):
        client.force_login(user)
        listed = client.get(audit).context["cl"].result_list
        assert any(entry.action == "transfer" for entry in listed), user


def test_a_transfer_to_the_same_jobcentre_is_refused(client, supervisor, person, copenhagen):
    client.force_login(supervisor)
    response = client.post(
        lifecycle_url(person, "transfer"), {"to_jobcentre": copenhagen.pk, "reason": "x"}
    )
    assert response.status_code == 400
    assert "hører allerede til" in response.content.decode()
    assert not RegistrationTransfer.objects.exists()


def test_a_caseworker_cannot_transfer(caseworker_client, person, odense):
    response = caseworker_client.post(
        lifecycle_url(person, "transfer"), {"to_jobcentre": odense.pk, "reason": "x"}
    )
    assert response.status_code in (302, 403)  # admin sends non-staff to its login
    person.refresh_from_db()
    assert person.jobcentre.municipality_code == "101"


def test_the_duplicate_message_tells_how_to_ask_for_a_transfer(client, person, odense):
    client.force_login(CaseworkerFactory(jobcentre=odense))
    response = client.post(INTAKE, intake_post())
    assert response.status_code == 409
    body = response.content.decode()
    assert "bed en teamleder hos Jobcenter København om at overføre registreringen" in body


# --- An annulled registration refuses everything ----------------------------------------------


def test_an_annulled_registration_refuses_letters_offers_and_changes(
    caseworker_client, caseworker, client, supervisor, person, odense
):
    annul(person, supervisor, "mistake")
    letter = caseworker_client.post(reverse("registrations:letter", args=[person.pk]))
    assert letter.status_code == 409
    assert "annulleret" in letter.content.decode()
    with pytest.raises(RegistrationAnnulled):
        offer_create(
            registration=person,
            kind="danish",
            provider="Sprogskolen",
            starts_on=TODAY,
            ends_on=None,
            by=AuditContext.of(caseworker),
        )
    offer = caseworker_client.post(
        reverse("registrations:offer_add", args=[person.pk]),
        {"kind": "danish", "provider": "Sprogskolen", "starts_on": TODAY.isoformat()},
    )
    assert offer.status_code == 400
    assert "annulleret" in offer.content.decode()
    end = caseworker_client.post(
        reverse("registrations:jobseeker", args=[person.pk]),
        {"action": "end", "reason": "employed"},
    )
    assert end.status_code == 302  # back to the page, with the refusal as a message
    client.force_login(supervisor)
    response = client.post(
        lifecycle_url(person, "transfer"), {"to_jobcentre": odense.pk, "reason": "x"}
    )
    assert response.status_code == 400
    assert "annulleret" in response.content.decode()
    person.refresh_from_db()
    assert person.is_jobseeker and person.jobcentre.municipality_code == "101"


# --- Registering again after an annulment: the reason decides -----------------------------------


def test_a_wrong_birth_date_or_sex_gives_a_new_number_linked_to_the_annulled(
    caseworker_client, supervisor, person
):
    annul(person, supervisor, "wrong_data")
    response = caseworker_client.post(INTAKE, intake_post())
    assert response.status_code == 302
    new = Registration.objects.exclude(pk=person.pk).get()
    assert new.replaces == person
    assert new.personnummer != person.personnummer


def test_a_duplicate_leads_the_new_intake_to_the_number_kept(
    caseworker_client, caseworker, supervisor, person
):
    kept = RegistrationFactory(jobcentre=caseworker.jobcentre, document_number_key="OTHER1")
    annul(person, supervisor, "duplicate", survivor=kept)
    person.refresh_from_db()
    assert person.survivor == kept
    response = caseworker_client.post(INTAKE, intake_post())
    assert response.status_code == 409
    (match,) = response.context["duplicates"]
    assert match.registration_id == kept.pk
    assert match.reasons == ("survivor",)
    assert Registration.objects.count() == 2


def test_a_duplicate_needs_the_survivor(supervisor, person):
    with pytest.raises(review.SurvivorRequired):
        annul(person, supervisor, "duplicate")
    person.refresh_from_db()
    assert person.review_status == "pending"


@pytest.mark.parametrize("cause", ["mistake", "not_eligible"])
def test_a_mistake_needs_a_supervisor_before_a_new_number(
    caseworker_client, client, supervisor, person, cause
):
    annul(person, supervisor, cause)
    refused = caseworker_client.post(INTAKE, intake_post())
    assert refused.status_code == 409
    assert "Kun en teamleder kan tillade et nyt nummer" in refused.content.decode()
    assert Registration.objects.count() == 1

    client.force_login(supervisor)
    change = reverse("admin:registrations_registration_change", args=[person.pk])
    offered = [a for a, _label, _url in client.get(change).context["lifecycle_links"]]
    assert offered == ["new_number"]
    allowed = client.post(lifecycle_url(person, "new_number"), {"comment": "Ny vurdering"})
    assert allowed.status_code == 302
    person.refresh_from_db()
    assert person.new_number_allowed_by == supervisor

    response = caseworker_client.post(INTAKE, intake_post())
    assert response.status_code == 302
    assert Registration.objects.exclude(pk=person.pk).get().replaces == person


def test_the_annulment_cause_is_a_choice_in_admin(client, supervisor, person):
    client.force_login(supervisor)
    url = reverse("admin:registrations_registration_review", args=[person.pk, "annul"])
    missing = client.post(url, {"text": "Fejl"})
    assert missing.status_code == 400
    assert "cause" in missing.context["form"].errors
    survivorless = client.post(url, {"text": "Dobbelt", "cause": "duplicate", "survivor": ""})
    assert survivorless.status_code == 400
    assert "survivor" in survivorless.context["form"].errors
    person.refresh_from_db()
    assert person.review_status == "pending"
