"""The supervisor's review in Django admin: list, scope, detail, actions, export, statistics."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from apoc.admin_tools import EstimatedCountPaginator
from apoc.audit.models import AuditEntry
from cpr.models import CprStatus
from registrations.admin_views import bar_chart_svg, reason_text
from registrations.models import Registration
from tests.factories import (
    IntakeRefusalFactory,
    NationalAdminFactory,
    OfferFactory,
    RegistrationFactory,
    SupervisorFactory,
    UserFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:registrations_registration_changelist")
EXPORT = reverse("admin:registrations_registration_export")
STATISTICS = reverse("admin:registrations_registration_statistics")


def change_url(registration):
    return reverse("admin:registrations_registration_change", args=[registration.pk])


def review_url(registration, action):
    return reverse("admin:registrations_registration_review", args=[registration.pk, action])


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def status_of(registration):
    return Registration.objects.get(pk=registration.pk).review_status


@pytest.fixture
def supervisor(copenhagen):
    return SupervisorFactory(username="tina", first_name="Tina", jobcentre=copenhagen)


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.fixture
def national_client(client):
    client.force_login(NationalAdminFactory(username="niels"))
    return client


# --- Access and scope ---------------------------------------------------------------------------


def test_supervisor_can_use_admin_and_sees_registrations_and_the_log(supervisor_client, supervisor):
    assert supervisor.is_staff
    assert supervisor.has_module_perms("registrations")
    assert supervisor.has_module_perms("audit")
    body = supervisor_client.get(reverse("admin:index")).content.decode()
    assert CHANGELIST in body
    assert reverse("admin:audit_auditentry_changelist") in body
    assert reverse("admin:accounts_user_changelist") not in body


def test_caseworker_is_not_let_into_admin(caseworker_client):
    response = caseworker_client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_changelist_shows_the_columns_with_the_number_masked(supervisor_client, copenhagen):
    registration = RegistrationFactory(
        jobcentre=copenhagen,
        surname="Wiśniewska",
        given_names="Łucja",
        category="B",
        warnings_confirmed=["age_over_80"],
    )
    response = supervisor_client.get(CHANGELIST)
    body = response.content.decode()
    assert response.status_code == 200
    headers = [str(h["text"]).capitalize() for h in result_headers(response.context["cl"])]
    # What the review needs first; no jobcentre column for a supervisor, who sees one.
    assert headers[1:] == [
        "Personnummer",
        "Navn",
        "Gennemgang",
        "Bekræftede advarsler",
        "Kategori",
        "Statsborgerskab",
        "Tildelt",
    ]
    for text in (
        registration.masked_personnummer,
        "Łucja Wiśniewska",
        "Polen",
        registration.created_by.get_full_name(),
        "afventer gennemgang",
        "<li>over 80 år</li>",
        # When, and by whom, in one column.
        timezone.localtime(registration.created_at).strftime("%d.%m.%Y %H:%M")
        + f'<br><span class="apoc-by">{registration.created_by.get_full_name()}</span>',
    ):
        assert text in body, text
    assert registration.personnummer not in body


def test_a_national_administrator_s_list_names_the_jobcentre(national_client, copenhagen):
    RegistrationFactory(jobcentre=copenhagen)
    response = national_client.get(CHANGELIST)
    headers = [str(h["text"]).capitalize() for h in result_headers(response.context["cl"])]
    assert headers[-1] == "Jobcenter"
    assert "København (101)" in response.content.decode()


def test_supervisor_sees_only_own_jobcentre_in_the_list(supervisor_client, copenhagen, odense):
    mine = RegistrationFactory(jobcentre=copenhagen)
    theirs = RegistrationFactory(jobcentre=odense)
    response = supervisor_client.get(CHANGELIST)
    assert [r.pk for r in response.context["cl"].result_list] == [mine.pk]
    assert theirs.masked_personnummer not in response.content.decode()
    # The jobcentre filter is only for national administrators.
    assert "jobcentre__id__exact" not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        change_url,
        lambda r: reverse("admin:registrations_registration_document", args=[r.pk]),
        lambda r: review_url(r, "approve"),
        lambda r: review_url(r, "annul"),
    ],
)
def test_another_jobcentres_registration_is_a_404_to_a_supervisor(supervisor_client, odense, url):
    registration = RegistrationFactory(jobcentre=odense)
    assert supervisor_client.get(url(registration)).status_code == 404
    assert supervisor_client.post(url(registration), {"text": "x"}).status_code == 404
    assert status_of(registration) == "pending"
    assert not AuditEntry.objects.filter(action__in=["view", "view_document"]).exists()


def test_another_jobcentres_registration_cannot_be_reached_by_a_batch_action(
    supervisor_client, odense
):
    registration = RegistrationFactory(jobcentre=odense)
    response = supervisor_client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [registration.pk]}
    )
    assert response.status_code == 302
    assert status_of(registration) == "pending"


def test_national_administrator_sees_every_jobcentre(national_client, copenhagen, odense):
    rows = [RegistrationFactory(jobcentre=copenhagen), RegistrationFactory(jobcentre=odense)]
    response = national_client.get(CHANGELIST)
    assert {r.pk for r in response.context["cl"].result_list} == {r.pk for r in rows}
    assert "jobcentre__id__exact" in response.content.decode()
    assert national_client.get(change_url(rows[1])).status_code == 200


def test_no_add_change_or_delete_in_admin(supervisor_client, national_client, copenhagen):
    registration = RegistrationFactory(jobcentre=copenhagen)
    for client in (supervisor_client, national_client):
        assert client.get(reverse("admin:registrations_registration_add")).status_code == 403
        delete = reverse("admin:registrations_registration_delete", args=[registration.pk])
        assert client.get(delete).status_code == 403
        response = client.post(change_url(registration), {"surname": "Ændret"})
        assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.surname != "Ændret"


def test_change_view_is_read_only_even_for_a_superuser(client, copenhagen):
    registration = RegistrationFactory(jobcentre=copenhagen)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(change_url(registration))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    assert "delete_selected" not in client.get(CHANGELIST).content.decode()


# --- Search and filters -------------------------------------------------------------------------


@pytest.fixture
def people(copenhagen):
    return {
        "ionescu": RegistrationFactory(
            jobcentre=copenhagen,
            surname="Ionescu",
            given_names="Ștefan",
            name_search="stefan ionescu",
            document_number="RO123456",
            document_number_key="RO123456",
            nationality="RO",
            category="B",
        ),
        "kowalski": RegistrationFactory(
            jobcentre=copenhagen,
            surname="Kowalski",
            given_names="Jan",
            name_search="jan kowalski",
            nationality="PL",
            review_status="approved",
        ),
        "asylum": RegistrationFactory(
            jobcentre=copenhagen,
            surname="Haddad",
            given_names="Omar",
            name_search="omar haddad",
            nationality="SY",
            category="C",
            review_status="flagged",
        ),
    }


def listed(client, **params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return {r.surname for r in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ionescu", {"Ionescu"}),
        ("STEFAN", {"Ionescu"}),
        ("Ștefan Ionescu", {"Ionescu"}),
        ("ionescu stefan", {"Ionescu"}),
        ("RO 123456", {"Ionescu"}),
        ("ro-123456", {"Ionescu"}),
        ("RO12345", set()),  # document numbers match exactly
        ("nobody", set()),
    ],
)
def test_search_by_name_and_exact_document_number(supervisor_client, people, query, expected):
    assert listed(supervisor_client, q=query) == expected


def test_search_by_exact_personnummer_with_or_without_hyphen(supervisor_client, people):
    number = people["kowalski"].personnummer
    assert listed(supervisor_client, q=number) == {"Kowalski"}
    assert listed(supervisor_client, q=number.replace("-", "")) == {"Kowalski"}
    assert listed(supervisor_client, q=number[:6]) == set()


def test_search_does_not_reach_another_jobcentre(supervisor_client, people, odense):
    other = RegistrationFactory(jobcentre=odense, surname="Ionescu", name_search="ana ionescu")
    assert listed(supervisor_client, q="ionescu") == {"Ionescu"}
    assert listed(supervisor_client, q=other.personnummer) == set()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"review_status__exact": "approved"}, {"Kowalski"}),
        ({"review_status__exact": "flagged"}, {"Haddad"}),
        ({"category__exact": "B"}, {"Ionescu"}),
        ({"nationality": "PL"}, {"Kowalski"}),
        ({"nationality": "other"}, {"Haddad"}),
        ({"review_status__exact": "pending", "nationality": "RO"}, {"Ionescu"}),
    ],
)
def test_filters(supervisor_client, people, params, expected):
    assert listed(supervisor_client, **params) == expected


def test_date_hierarchy_finds_todays_allocations(supervisor_client, people):
    old = people["kowalski"]
    Registration.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    today = timezone.localdate()
    got = listed(
        supervisor_client,
        created_at__year=today.year,
        created_at__month=today.month,
        created_at__day=today.day,
    )
    assert got == {"Ionescu", "Haddad"}
    body = supervisor_client.get(CHANGELIST).content.decode()
    assert "Dagens tildelinger" in body
    assert f"created_at__day={today.day}" in body


def test_jobcentre_filter_for_national_administrator(national_client, people, odense):
    RegistrationFactory(jobcentre=odense, surname="Nagy")
    assert listed(national_client, jobcentre__id__exact=odense.pk) == {"Nagy"}


def test_every_list_and_search_is_logged_with_its_criteria(supervisor_client, supervisor, people):
    number = people["kowalski"].personnummer
    supervisor_client.get(CHANGELIST, {"q": number.replace("-", ""), "category__exact": "A"})
    entry = AuditEntry.objects.get(action="search")
    assert entry.user == supervisor
    assert entry.jobcentre == supervisor.jobcentre
    assert entry.ip_address == "127.0.0.1"
    assert entry.subject_id is None
    assert entry.criteria == {
        "q": number.replace("-", ""),
        "filters": {"category__exact": "A"},
        "personnummer": number,
        "shown": [people["kowalski"].pk],
    }
    assert entry.subject_type == "registrations.registration"
    supervisor_client.get(CHANGELIST)
    assert AuditEntry.objects.filter(action="search").count() == 2
    shown = sorted(r.pk for r in people.values() if r.jobcentre_id == supervisor.jobcentre_id)
    assert AuditEntry.objects.filter(action="search").first().criteria == {
        "q": "",
        "filters": {},
        "shown": shown,
    }


def test_changelist_query_count_does_not_grow_with_rows(
    supervisor_client, copenhagen, django_assert_max_num_queries
):
    for registration in RegistrationFactory.create_batch(30, jobcentre=copenhagen):
        OfferFactory(registration=registration)
    with django_assert_max_num_queries(12):
        response = supervisor_client.get(CHANGELIST, {"review_status__exact": "pending"})
    assert len(response.context["cl"].result_list) == 30


# --- The change view ----------------------------------------------------------------------------


def test_change_view_shows_the_full_number_and_logs_a_view(supervisor_client, supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    response = supervisor_client.get(change_url(registration))
    assert response.status_code == 200
    assert registration.personnummer in response.content.decode()
    entry = AuditEntry.objects.get(action="view")
    assert (entry.subject_type, entry.subject_id) == ("registrations.registration", registration.pk)
    assert entry.user == supervisor
    assert entry.ip_address == "127.0.0.1"


def test_change_view_shows_document_warnings_offers_jobnet_place_and_trail(
    supervisor_client, supervisor
):
    registration = RegistrationFactory(
        jobcentre=supervisor.jobcentre,
        nationality="SE",
        warnings_confirmed=["nordic_citizen", "age_over_80"],
    )
    OfferFactory(registration=registration, provider="Sprogskolen Vest")
    RegistrationFactory(jobcentre=supervisor.jobcentre)  # someone else's trail
    AuditEntry.objects.create(
        action="create",
        subject_type="registrations.registration",
        subject_id=registration.pk,
        username="sara",
    )
    body = supervisor_client.get(change_url(registration)).content.decode()
    document = reverse("admin:registrations_registration_document", args=[registration.pk])
    assert f'<img src="{document}"' in body
    assert "Statsborgere fra Sverige er nordiske" in body
    assert "Personen er … år (født …), altså over 80 år." in body
    assert "Sprogskolen Vest" in body
    assert 'id="jobnet-history"' in body
    trail = body[body.index('id="audit-trail"') :]
    assert "oprettelse" in trail and "sara" in trail and "visning" in trail


def test_change_view_trail_shows_letter_prints(supervisor_client, supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    AuditEntry.objects.create(
        action="print_letter",
        subject_type="registrations.registration",
        subject_id=registration.pk,
        username="sara",
    )
    body = supervisor_client.get(change_url(registration)).content.decode()
    assert "udskrift af Jobnet-brev" in body[body.index('id="audit-trail"') :]


def test_change_view_offers_only_the_legal_review_actions(supervisor_client, supervisor):
    pending = RegistrationFactory(jobcentre=supervisor.jobcentre)
    approved = RegistrationFactory(jobcentre=supervisor.jobcentre, review_status="approved")
    annulled = RegistrationFactory(jobcentre=supervisor.jobcentre, review_status="annulled")

    def offered(registration):
        links = supervisor_client.get(change_url(registration)).context["review_links"]
        return [action for action, _label, _url in links]

    assert offered(pending) == ["approve", "flag", "annul"]
    assert offered(approved) == ["flag", "annul"]
    assert offered(annulled) == []


def test_document_view_serves_the_image_and_logs_it(supervisor_client, supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    url = reverse("admin:registrations_registration_document", args=[registration.pk])
    response = supervisor_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.get(action="view_document").subject_id == registration.pk


# --- Review: one registration -------------------------------------------------------------------


def test_review_form_page_is_a_keyboard_friendly_form(supervisor_client, supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    response = supervisor_client.get(review_url(registration, "annul"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "autofocus" in body and 'type="submit"' in body
    assert registration.masked_personnummer in body
    assert "CPR-status 30" in body
    assert status_of(registration) == "pending"


def test_approve_one_from_its_page(supervisor_client, supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    response = supervisor_client.post(review_url(registration, "approve"), {"text": ""})
    assert response.status_code == 302
    assert response["Location"] == change_url(registration)
    assert status_of(registration) == "approved"
    assert texts(response) == ["1 registrering er godkendt."]
    assert AuditEntry.objects.get(action="review").criteria["to"] == "approved"


def test_annul_one_with_a_reason(supervisor_client, supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    response = supervisor_client.post(
        review_url(registration, "annul"),
        {"text": "Personen havde et personnummer", "cause": "mistake"},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.review_status == "annulled"
    assert registration.allocation.cpr_status == CprStatus.ANNULLED
    assert registration.allocation.annulment_reason == "Personen havde et personnummer"
    assert texts(response) == ["1 personnummer er annulleret (CPR-status 30)."]
    assert AuditEntry.objects.get(action="annul").subject_id == registration.pk


@pytest.mark.parametrize("action", ["flag", "annul"])
def test_flag_or_annul_without_text_shows_the_form_again_and_changes_nothing(
    supervisor_client, supervisor, action
):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    response = supervisor_client.post(review_url(registration, action), {"text": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["text"]
    registration.refresh_from_db()
    assert registration.review_status == "pending"
    assert registration.allocation.cpr_status == CprStatus.NO_RESIDENCE
    assert not AuditEntry.objects.filter(action__in=["review", "annul"]).exists()


def test_illegal_transition_gives_a_clear_message_and_changes_nothing(
    supervisor_client, supervisor
):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre, review_status="annulled")
    response = supervisor_client.post(review_url(registration, "approve"), {"text": ""})
    assert response.status_code == 302
    assert texts(response) == [
        f"{registration.masked_personnummer} kan ikke blive godkendt, fordi registreringen "
        "er annulleret."
    ]
    assert status_of(registration) == "annulled"
    assert not AuditEntry.objects.filter(action="review").exists()


def test_unknown_review_action_is_a_404(supervisor_client, supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    assert supervisor_client.post(review_url(registration, "delete")).status_code == 404


def test_staff_without_review_permission_cannot_review(client, copenhagen):
    viewer = UserFactory(is_staff=True, jobcentre=copenhagen)
    viewer.user_permissions.add(Permission.objects.get(codename="view_registration"))
    client.force_login(viewer)
    registration = RegistrationFactory(jobcentre=copenhagen)
    assert client.post(review_url(registration, "approve")).status_code == 403
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert "approve_selected" not in response.content.decode()
    client.post(CHANGELIST, {"action": "approve_selected", "_selected_action": [registration.pk]})
    assert status_of(registration) == "pending"
    assert client.get(STATISTICS).status_code == 403
    assert client.get(EXPORT).status_code == 403


# --- Review: batches ----------------------------------------------------------------------------


def test_approve_a_batch_reports_per_registration(supervisor_client, supervisor):
    good = RegistrationFactory.create_batch(3, jobcentre=supervisor.jobcentre)
    annulled = RegistrationFactory(jobcentre=supervisor.jobcentre, review_status="annulled")
    response = supervisor_client.post(
        CHANGELIST,
        {"action": "approve_selected", "_selected_action": [r.pk for r in [*good, annulled]]},
    )
    assert response.status_code == 302
    assert [status_of(r) for r in good] == ["approved"] * 3
    assert status_of(annulled) == "annulled"
    assert texts(response) == [
        "3 registreringer er godkendt.",
        f"{annulled.masked_personnummer} kan ikke blive godkendt, fordi registreringen er "
        "annulleret.",
    ]
    assert AuditEntry.objects.filter(action="review").count() == 3


def test_flag_a_batch_goes_through_a_comment_page(supervisor_client, supervisor):
    rows = RegistrationFactory.create_batch(2, jobcentre=supervisor.jobcentre)
    selected = [r.pk for r in rows]
    page = supervisor_client.post(
        CHANGELIST, {"action": "flag_selected", "_selected_action": selected}
    )
    assert page.status_code == 200
    assert page.template_name == "admin/registrations/registration/review.html"
    assert [status_of(r) for r in rows] == ["pending", "pending"]

    missing = supervisor_client.post(
        CHANGELIST,
        {"action": "flag_selected", "_selected_action": selected, "confirm": "yes", "text": ""},
    )
    assert missing.status_code == 400
    assert [status_of(r) for r in rows] == ["pending", "pending"]

    done = supervisor_client.post(
        CHANGELIST,
        {
            "action": "flag_selected",
            "_selected_action": selected,
            "confirm": "yes",
            "text": "Indrejsedato ser forkert ud",
        },
    )
    assert done.status_code == 302
    assert [status_of(r) for r in rows] == ["flagged", "flagged"]
    assert texts(done) == ["2 registreringer er markeret til opfølgning."]
    reviews = AuditEntry.objects.filter(action="review")
    assert set(reviews.values_list("criteria__comment", flat=True)) == {
        "Indrejsedato ser forkert ud"
    }
    # The comment pages named both registrations: each showing is logged as a list.
    pages = AuditEntry.objects.filter(action="list", criteria__page="flag")
    assert [e.criteria["shown"] for e in pages] == [sorted(selected)] * 2


def test_annul_a_batch_needs_a_reason_and_sets_cpr_status_30(supervisor_client, supervisor):
    rows = RegistrationFactory.create_batch(2, jobcentre=supervisor.jobcentre)
    response = supervisor_client.post(
        CHANGELIST,
        {
            "action": "annul_selected",
            "_selected_action": [r.pk for r in rows],
            "confirm": "yes",
            "text": "Dobbeltregistrering",
            "cause": "mistake",
        },
    )
    assert response.status_code == 302
    for registration in rows:
        registration.refresh_from_db()
        assert registration.review_status == "annulled"
        assert registration.allocation.cpr_status == CprStatus.ANNULLED
    assert AuditEntry.objects.filter(action="annul").count() == 2


def test_batch_over_the_limit_is_refused_whole(supervisor_client, supervisor, monkeypatch):
    from registrations import review

    monkeypatch.setattr(review, "BATCH_LIMIT", 2)
    rows = RegistrationFactory.create_batch(3, jobcentre=supervisor.jobcentre)
    response = supervisor_client.post(
        CHANGELIST,
        {"action": "annul_selected", "select_across": "1", "_selected_action": [rows[0].pk]},
    )
    assert response.status_code == 302
    assert texts(response) == [
        "Vælg højst 2 registreringer ad gangen. Du valgte 3. Afgræns listen med filtrene først."
    ]
    assert {status_of(r) for r in rows} == {"pending"}


# --- Export -------------------------------------------------------------------------------------


def exported(response):
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_export_is_the_filtered_list_with_masked_numbers_and_is_logged(
    supervisor_client, supervisor, people, odense
):
    RegistrationFactory(jobcentre=odense, category="B")
    response = supervisor_client.get(EXPORT, {"category__exact": "B"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="registreringer-')
    rows = exported(response)
    assert rows[0][:3] == ["personnummer", "efternavn", "fornavne"]
    assert len(rows) == 2
    ionescu = people["ionescu"]
    assert rows[1][0] == ionescu.masked_personnummer
    assert rows[1][1:3] == ["Ionescu", "Ștefan"]
    assert "afventer gennemgang" in rows[1]
    assert ionescu.personnummer not in str(rows)
    entry = AuditEntry.objects.get(action="export")
    assert entry.user == supervisor
    assert entry.criteria == {
        "q": "",
        "filters": {"category__exact": "B"},
        "rows": 1,
        "full_personnummer": False,
        "format": "csv",
        "shown": [ionescu.pk],
    }


def test_export_shows_full_numbers_only_with_the_permission(national_client, people):
    rows = exported(national_client.get(EXPORT, {"q": "kowalski"}))
    assert rows[1][0] == people["kowalski"].personnummer
    assert AuditEntry.objects.get(action="export").criteria["full_personnummer"] is True


def test_export_needs_the_export_permission(client, copenhagen):
    viewer = UserFactory(is_staff=True, jobcentre=copenhagen)
    viewer.user_permissions.add(Permission.objects.get(codename="view_registration"))
    client.force_login(viewer)
    assert client.get(EXPORT).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()
    assert "Eksportér CSV" not in client.get(CHANGELIST).content.decode()


def test_export_with_a_filter_it_cannot_apply_goes_back_to_the_list(supervisor_client):
    response = supervisor_client.get(EXPORT, {"no_such_field__exact": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?e=1"
    assert not AuditEntry.objects.filter(action="export").exists()


def test_export_quotes_cells_a_spreadsheet_would_run(supervisor_client, copenhagen):
    RegistrationFactory(jobcentre=copenhagen, surname="=HYPERLINK(1)", given_names="+cmd")
    rows = exported(supervisor_client.get(EXPORT))
    assert rows[1][1:3] == ["'=HYPERLINK(1)", "'+cmd"]


# --- Statistics ---------------------------------------------------------------------------------


def test_statistics_are_scoped_and_drawn_as_svg(supervisor_client, copenhagen, odense, people):
    RegistrationFactory.create_batch(4, jobcentre=odense, nationality="HU")
    IntakeRefusalFactory(
        jobcentre=copenhagen, category="A", reason_codes=["nationality_not_eea", "document_expired"]
    )
    IntakeRefusalFactory(jobcentre=copenhagen, category="A", reason_codes=["document_expired"])
    IntakeRefusalFactory(jobcentre=odense, category="A", reason_codes=["has_personnummer"])
    response = supervisor_client.get(STATISTICS)
    assert response.status_code == 200
    context = response.context
    assert sum(n for _, n in context["per_month"]) == 3
    assert sum(n for _, n in context["per_week"]) == 3
    assert dict(context["by_nationality"]) == {"Rumænien": 1, "Polen": 1, "Syrien": 1}
    assert [n for _, n in context["by_jobcentre"]] == [3]
    assert dict(context["backlog"])["afventer gennemgang"] == 1
    assert dict(context["backlog"])["godkendt"] == 1
    assert [(code, n) for code, _label, _text, n in context["by_reason"]] == [
        ("document_expired", 2),
        ("nationality_not_eea", 1),
    ]
    assert context["refusal_count"] == 2
    body = response.content.decode()
    assert body.count('<svg xmlns="http://www.w3.org/2000/svg" class="apoc-chart"') == 2
    assert "<script" not in body[body.index("apoc-stats") :]


def test_statistics_for_national_administrator_cover_every_jobcentre(national_client, odense):
    RegistrationFactory.create_batch(2, jobcentre=odense)
    context = national_client.get(STATISTICS).context
    assert dict(context["by_jobcentre"]) == {"Jobcenter Odense": 2}


def test_bar_chart_escapes_its_labels():
    svg = bar_chart_svg([("<b>", 2), ("uge 1", 0)], title="A & B")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "A &amp; B" in svg
    assert svg.count("<rect") == 2


def test_reason_text_fills_what_it_knows_and_marks_the_rest():
    assert reason_text("nordic_citizen", country="Norge").startswith("Statsborgere fra Norge")
    assert "%(" not in reason_text("registration_certificate")
    assert reason_text("no_such_code") == "no_such_code"


# --- Counting a million rows --------------------------------------------------------------------


def test_paginator_counts_exactly_below_the_cap(copenhagen):
    RegistrationFactory.create_batch(3, jobcentre=copenhagen)
    paginator = EstimatedCountPaginator(Registration.objects.order_by("pk"), 2)
    assert paginator.count == 3
    assert paginator.num_pages == 2


def test_paginator_beyond_the_cap_is_exact_on_sqlite_and_estimated_on_postgresql(
    copenhagen, monkeypatch
):
    from django.db import connection

    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", 2)
    RegistrationFactory.create_batch(5, jobcentre=copenhagen)
    count = EstimatedCountPaginator(Registration.objects.order_by("pk"), 2).count
    if connection.vendor == "postgresql":
        assert count >= 3  # at least the capped count, the planner's estimate when larger
    else:
        assert count == 5


def test_postgresql_estimate_comes_from_the_planner(postgresql_only, copenhagen):
    RegistrationFactory.create_batch(3, jobcentre=copenhagen)
    estimate = EstimatedCountPaginator.estimate(Registration.objects.all())
    assert isinstance(estimate, int) and estimate >= 1


# --- Done when ----------------------------------------------------------------------------------


def test_a_supervisors_day_review_in_admin(client, copenhagen, odense):
    """Log in, find today's allocations of the jobcentre, approve a batch, flag one, annul one,
    and see each step in the trail."""
    SupervisorFactory(username="torben", jobcentre=copenhagen, password="korrekt-hest-1234")
    today = RegistrationFactory.create_batch(5, jobcentre=copenhagen)
    yesterday = RegistrationFactory(jobcentre=copenhagen)
    Registration.objects.filter(pk=yesterday.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    RegistrationFactory(jobcentre=odense)

    response = client.post(
        reverse("admin:login"),
        {"username": "torben", "password": "korrekt-hest-1234", "next": CHANGELIST},
    )
    assert response.status_code == 302

    day = timezone.localdate()
    body = client.get(CHANGELIST).content.decode()
    assert "Dagens tildelinger" in body
    assert f"?created_at__year={day.year}&amp;created_at__month={day.month}" in body
    listing = client.get(
        CHANGELIST,
        {"created_at__year": day.year, "created_at__month": day.month, "created_at__day": day.day},
    )
    found = [r.pk for r in listing.context["cl"].result_list]
    assert sorted(found) == sorted(r.pk for r in today)

    batch, flag, annul = today[:3], today[3], today[4]
    client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [r.pk for r in batch]}
    )
    client.post(review_url(flag, "flag"), {"text": "Tjek indrejsedatoen"})
    client.post(
        review_url(annul, "annul"), {"text": "Havde allerede et personnummer", "cause": "mistake"}
    )

    assert [status_of(r) for r in batch] == ["approved"] * 3
    assert status_of(flag) == "flagged"
    assert status_of(annul) == "annulled"
    annul.allocation.refresh_from_db()
    assert annul.allocation.cpr_status == CprStatus.ANNULLED

    for registration, expected in [
        (batch[0], "til: godkendt"),
        (flag, "Tjek indrejsedatoen"),
        (annul, "Havde allerede et personnummer"),
    ]:
        page = client.get(change_url(registration)).content.decode()
        trail = page[page.index('id="audit-trail"') :]
        assert expected in trail
        assert "torben" in trail
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions.count("review") == 4 and actions.count("annul") == 1
    assert actions.count("search") >= 2


def test_the_export_holds_only_the_rows_its_log_entry_names(people):
    """Rows added after the ids were read (and logged) stay out of the file."""
    from array import array

    from registrations.admin_views import csv_rows
    from registrations.models import Registration

    logged = array("q", sorted([people["ionescu"].pk, people["asylum"].pk]))
    RegistrationFactory(jobcentre=people["ionescu"].jobcentre, surname="Senere")
    lines = list(csv_rows(Registration.objects.all(), full_personnummer=True, only=logged))
    body = "".join(lines)
    assert len(lines) == 3
    assert people["ionescu"].personnummer in body and people["asylum"].personnummer in body
    assert people["kowalski"].personnummer not in body and "Senere" not in body


# --- The registration's page ------------------------------------------------------------------


def test_the_registration_s_page_shows_words_not_python_values(supervisor_client, copenhagen):
    registration = RegistrationFactory(
        jobcentre=copenhagen, document_withheld=True, receives_pd_u2=False, letter_language="ro"
    )
    OfferFactory(registration=registration)
    body = supervisor_client.get(change_url(registration)).content.decode()
    content = body[body.index('id="content-main"') :]
    for leak in ('alt="True"', 'alt="False"', "None", "[&#x27;", "{&#x27;"):
        assert leak not in content, leak
    assert re.search(
        r"Pas inddraget eller tilbageholdt:</label>\s*<div class=\"readonly\">ja", content
    )
    assert re.search(r"PD U2\):</label>\s*<div class=\"readonly\">nej", content)
    assert "rumænsk" in content
    # One sign for an empty value, everywhere on the page.
    assert re.search(r">\s*–\s*<", content)
    assert not re.search(r">\s*-\s*<", content)


def test_the_offers_table_has_a_heading_for_every_column(supervisor_client, copenhagen):
    registration = RegistrationFactory(jobcentre=copenhagen)
    OfferFactory(registration=registration, provider="Sprogcenter København")
    body = supervisor_client.get(change_url(registration)).content.decode()
    offers = body[body.index('id="offers-group"') :]
    offers = offers[: offers.index("</table>")]
    headings = re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", offers, re.S)
    assert [h.strip() for h in headings] == [
        "Type",
        "Udbyder",
        "Start",
        "Slut",
        "Oprettet af",
        "Oprettet",
    ]
    row = re.findall(r"<td[^>]*>", offers)
    assert len(row) == len(headings)
    assert "Sprogcenter København" in offers


def test_a_registration_without_offers_says_so(supervisor_client, copenhagen):
    registration = RegistrationFactory(jobcentre=copenhagen)
    body = supervisor_client.get(change_url(registration)).content.decode()
    offers = body[body.index('id="offers-group"') :]
    assert "Ingen tilbud registreret." in offers[: offers.index("</fieldset>")]


def test_the_admin_login_page_has_a_level_one_heading(client):
    body = client.get(reverse("admin:login")).content.decode()
    assert re.search(r"<h1>\s*Log ind\s*</h1>", body)
