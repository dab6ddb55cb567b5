"""The review services: transitions, rights, annulment, batches and the access log."""

from unittest import mock

import pytest

from apoc.audit.models import AuditEntry
from apoc.audit.services import AuditContext
from cpr.models import Allocation, CprStatus
from registrations import review
from registrations.models import Registration, ReviewStatus
from tests.factories import (
    NationalAdminFactory,
    RegistrationFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db

STATUSES = [s.value for s in ReviewStatus]
LEGAL = {
    ("pending", "approved"),
    ("pending", "flagged"),
    ("pending", "annulled"),
    ("flagged", "approved"),
    ("flagged", "annulled"),
    ("approved", "flagged"),
    ("approved", "annulled"),
}
ACTION_FOR = {"approved": "approve", "flagged": "flag", "annulled": "annul"}


@pytest.fixture
def supervisor(copenhagen):
    return SupervisorFactory(username="tina", jobcentre=copenhagen)


def run(action, registration, user, text="Tjek dokumentet"):
    if action == "approve":
        return review.registration_approve(
            registration=registration, by=AuditContext.of(user), comment=text
        )
    if action == "flag":
        return review.registration_flag(
            registration=registration, by=AuditContext.of(user), comment=text
        )
    return review.registration_annul(
        registration=registration, by=AuditContext.of(user), reason=text
    )


def test_transitions_are_one_dict_with_exactly_the_legal_moves():
    got = {(src, dst) for src, targets in review.TRANSITIONS.items() for dst in targets}
    assert got == LEGAL
    assert set(review.TRANSITIONS) == set(STATUSES)
    assert review.allowed_targets("annulled") == frozenset()


@pytest.mark.parametrize(("source", "target"), sorted(LEGAL))
def test_every_legal_transition_changes_status_reviewer_and_logs(supervisor, source, target):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre, review_status=source)
    run(ACTION_FOR[target], registration, supervisor, text="Begrundelse")
    registration.refresh_from_db()
    assert registration.review_status == target
    assert registration.reviewed_by == supervisor
    assert registration.reviewed_at is not None
    assert registration.review_comment == "Begrundelse"
    entry = AuditEntry.objects.get(subject_id=registration.pk)
    assert entry.action == ("annul" if target == "annulled" else "review")
    assert entry.user == supervisor
    assert entry.jobcentre == supervisor.jobcentre
    assert entry.criteria["from"] == source and entry.criteria["to"] == target


@pytest.mark.parametrize(
    ("source", "target"),
    sorted((s, t) for s in STATUSES for t in ACTION_FOR if (s, t) not in LEGAL),
)
def test_every_illegal_transition_raises_and_changes_nothing(supervisor, source, target):
    registration = RegistrationFactory(
        jobcentre=supervisor.jobcentre, review_status=source, review_comment="før"
    )
    with pytest.raises(review.InvalidTransition) as raised:
        run(ACTION_FOR[target], registration, supervisor)
    registration.refresh_from_db()
    assert registration.review_status == source
    assert registration.review_comment == "før"
    assert registration.reviewed_by is None
    assert registration.allocation.cpr_status == CprStatus.NO_RESIDENCE
    assert not AuditEntry.objects.exists()
    assert raised.value.code == "invalid_transition"
    assert registration.masked_personnummer in raised.value.message


def test_illegal_transition_message_names_both_statuses(supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre, review_status="annulled")
    with pytest.raises(review.InvalidTransition) as raised:
        review.registration_approve(registration=registration, by=AuditContext.of(supervisor))
    assert raised.value.message == (
        f"{registration.masked_personnummer} kan ikke blive godkendt, fordi registreringen "
        "er annulleret."
    )


def test_annul_sets_cpr_status_30_keeps_the_number_and_calls_jobnet(supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    number = registration.personnummer
    with mock.patch.object(review, "registration_jobnet_disable") as disable:
        review.registration_annul(
            registration=registration,
            by=AuditContext.of(supervisor),
            reason="  Har allerede et nummer  ",
        )
    disable.assert_called_once()
    assert disable.call_args.kwargs["registration"].pk == registration.pk
    allocation = Allocation.objects.get(personnummer=number)
    assert allocation.cpr_status == CprStatus.ANNULLED
    assert allocation.annulment_reason == "Har allerede et nummer"
    assert allocation.annulled_at is not None
    assert registration.review_status == "annulled"  # the caller's object is updated too
    entry = AuditEntry.objects.get(action="annul")
    assert entry.criteria["reason"] == "Har allerede et nummer"


def test_annulled_number_is_never_handed_out_again(supervisor):
    from cpr.exceptions import SeriesExhausted
    from cpr.personnummer import candidate_serials
    from cpr.services import allocate_personnummer

    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    review.registration_annul(
        registration=registration, by=AuditContext.of(supervisor), reason="Fejl"
    )
    allocation = registration.allocation
    handed_out = {
        allocate_personnummer(birth_date=allocation.birth_date, sex=allocation.sex).personnummer
        for _ in range(len(candidate_serials(allocation.birth_date, allocation.sex)) - 1)
    }
    assert allocation.personnummer not in handed_out
    with pytest.raises(SeriesExhausted):
        allocate_personnummer(birth_date=allocation.birth_date, sex=allocation.sex)
    assert Allocation.objects.filter(personnummer=allocation.personnummer).count() == 1


def test_a_failing_jobnet_call_rolls_the_annulment_back(supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    boom = review.DomainError("Jobnet svarer ikke.", code="jobnet_down")
    with (
        mock.patch.object(review, "registration_jobnet_disable", side_effect=boom),
        pytest.raises(review.DomainError),
    ):
        review.registration_annul(
            registration=registration, by=AuditContext.of(supervisor), reason="Fejl"
        )
    fresh = Registration.objects.get(pk=registration.pk)
    assert fresh.review_status == "pending"
    assert fresh.allocation.cpr_status == CprStatus.NO_RESIDENCE
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("action", ["flag", "annul"])
@pytest.mark.parametrize("text", ["", "   \n "])
def test_flag_and_annul_need_a_reason(supervisor, action, text):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    with pytest.raises(review.ReasonRequired):
        run(action, registration, supervisor, text=text)
    registration.refresh_from_db()
    assert registration.review_status == "pending"
    assert registration.allocation.cpr_status == CprStatus.NO_RESIDENCE
    assert not AuditEntry.objects.exists()


def test_approve_needs_no_comment(supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    review.registration_approve(registration=registration, by=AuditContext.of(supervisor))
    registration.refresh_from_db()
    assert registration.review_status == "approved"
    assert registration.review_comment == ""


def test_supervisor_of_another_jobcentre_may_not_review(supervisor, odense):
    registration = RegistrationFactory(jobcentre=odense)
    with pytest.raises(review.ReviewNotAllowed):
        review.registration_approve(registration=registration, by=AuditContext.of(supervisor))
    registration.refresh_from_db()
    assert registration.review_status == "pending"
    assert not AuditEntry.objects.exists()


def test_caseworker_may_not_review_even_in_own_jobcentre(caseworker):
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre)
    with pytest.raises(review.ReviewNotAllowed):
        review.registration_annul(
            registration=registration, by=AuditContext.of(caseworker), reason="x"
        )
    registration.refresh_from_db()
    assert registration.review_status == "pending"


def test_national_administrator_reviews_any_jobcentre(odense):
    registration = RegistrationFactory(jobcentre=odense)
    admin = NationalAdminFactory()
    review.registration_approve(registration=registration, by=AuditContext.of(admin))
    registration.refresh_from_db()
    assert registration.review_status == "approved"
    assert AuditEntry.objects.get(action="review").jobcentre is None


def test_the_status_in_the_database_decides_not_the_callers_copy(supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    stale = Registration.objects.get(pk=registration.pk)
    review.registration_annul(
        registration=registration, by=AuditContext.of(supervisor), reason="Fejl"
    )
    with pytest.raises(review.InvalidTransition):
        review.registration_approve(registration=stale, by=AuditContext.of(supervisor))
    assert Registration.objects.get(pk=registration.pk).review_status == "annulled"


def test_batch_is_per_registration_and_reports_each_refusal(supervisor, odense):
    good = RegistrationFactory.create_batch(3, jobcentre=supervisor.jobcentre)
    annulled = RegistrationFactory(jobcentre=supervisor.jobcentre, review_status="annulled")
    foreign = RegistrationFactory(jobcentre=odense)
    result = review.registrations_review(
        registrations=[*good, annulled, foreign], action="approve", by=AuditContext.of(supervisor)
    )
    assert [r.pk for r in result.done] == [r.pk for r in good]
    assert [(r.pk, type(e)) for r, e in result.refused] == [
        (annulled.pk, review.InvalidTransition),
        (foreign.pk, review.ReviewNotAllowed),
    ]
    statuses = dict(Registration.objects.values_list("pk", "review_status"))
    assert [statuses[r.pk] for r in good] == ["approved"] * 3
    assert statuses[annulled.pk] == "annulled"
    assert statuses[foreign.pk] == "pending"
    assert AuditEntry.objects.filter(action="review").count() == 3


def test_batch_without_reason_changes_nothing(supervisor):
    rows = RegistrationFactory.create_batch(2, jobcentre=supervisor.jobcentre)
    with pytest.raises(review.ReasonRequired):
        review.registrations_review(
            registrations=rows, action="annul", by=AuditContext.of(supervisor)
        )
    assert set(Registration.objects.values_list("review_status", flat=True)) == {"pending"}


def test_batch_beyond_the_limit_changes_nothing(supervisor, monkeypatch):
    monkeypatch.setattr(review, "BATCH_LIMIT", 2)
    RegistrationFactory.create_batch(3, jobcentre=supervisor.jobcentre)
    with pytest.raises(review.BatchTooLarge) as raised:
        review.registrations_review(
            registrations=Registration.objects.all(),
            action="approve",
            by=AuditContext.of(supervisor),
        )
    assert raised.value.params == {"limit": 2, "count": 3}
    assert set(Registration.objects.values_list("review_status", flat=True)) == {"pending"}


def test_unknown_batch_action_is_a_programming_error(supervisor):
    with pytest.raises(ValueError, match="unknown review action"):
        review.registrations_review(
            registrations=[], action="delete", by=AuditContext.of(supervisor)
        )


def test_jobnet_call_point_is_a_no_op_until_jobnet_lands(supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    assert (
        review.registration_jobnet_disable(
            registration=registration, by=AuditContext.of(supervisor)
        )
        is None
    )


def test_annulment_disables_the_jobnet_account_and_stops_its_password(supervisor):
    from jobnet.models import JobnetAccount
    from tests.jobnet.factories import JobnetAccountFactory

    account = JobnetAccountFactory()
    account.set_password("kendt-adgangskode-1234")
    account.save()
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre, jobnet_account=account)
    review.registration_annul(
        registration=registration, by=AuditContext.of(supervisor), reason="dobbeltregistrering"
    )
    account = JobnetAccount.objects.get(pk=account.pk)
    assert not account.is_active
    assert not account.check_password("kendt-adgangskode-1234")
    assert AuditEntry.objects.filter(
        subject_type="jobnet.jobnetaccount", subject_id=account.pk
    ).exists()


def test_admin_detail_shows_the_letter_print_history(client, supervisor):
    from django.urls import reverse

    from tests.jobnet.factories import JobnetAccountFactory, LetterPrintFactory

    account = JobnetAccountFactory()
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre, jobnet_account=account)
    from tests.factories import CaseworkerFactory

    printer = CaseworkerFactory(
        jobcentre=supervisor.jobcentre, first_name="Pia", last_name="Printer"
    )
    LetterPrintFactory(account=account, printed_by=printer, languages="da,en,ro")
    client.force_login(supervisor)
    page = client.get(reverse("admin:registrations_registration_change", args=[registration.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Pia Printer" in body and "dansk, engelsk, rumænsk" in body
    assert account.username in body
