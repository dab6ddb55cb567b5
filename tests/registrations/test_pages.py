"""Start page, registration page, document, search, offers: scoping and logging."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from apoc.audit.models import AuditEntry
from registrations.models import Offer
from tests.factories import (
    CaseworkerFactory,
    NationalAdminFactory,
    OfferFactory,
    RegistrationFactory,
    SupervisorFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db


def test_start_page_lists_todays_registrations_of_my_jobcentre_masked(
    caseworker_client, caseworker, odense
):
    mine = RegistrationFactory(jobcentre=caseworker.jobcentre, surname="Ionescu")
    theirs = RegistrationFactory(jobcentre=odense, surname="Horvath")
    body = caseworker_client.get(reverse("registrations:home")).content.decode()
    assert "Ionescu" in body and mine.masked_personnummer in body
    assert mine.personnummer not in body
    assert "Horvath" not in body and theirs.masked_personnummer not in body


def test_registration_page_shows_the_full_number_and_logs_the_view(caseworker_client, caseworker):
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre)
    response = caseworker_client.get(reverse("registrations:detail", args=[registration.pk]))
    assert response.status_code == 200
    assert registration.personnummer in response.content.decode()
    entry = AuditEntry.objects.get(action="view")
    assert entry.user == caseworker
    assert entry.jobcentre == caseworker.jobcentre
    assert (entry.subject_type, entry.subject_id) == ("registrations.registration", registration.pk)
    assert entry.ip_address == "127.0.0.1"


def test_caseworker_of_101_gets_404_for_a_registration_of_461(caseworker_client, odense):
    registration = RegistrationFactory(jobcentre=odense)
    for name in ("registrations:detail", "registrations:document"):
        assert caseworker_client.get(reverse(name, args=[registration.pk])).status_code == 404
    response = caseworker_client.post(
        reverse("registrations:offer_add", args=[registration.pk]),
        {"kind": "danish", "provider": "X", "starts_on": "2026-12-01"},
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="view").exists()


def test_national_administrator_sees_every_jobcentre(client, odense):
    registration = RegistrationFactory(jobcentre=odense)
    client.force_login(NationalAdminFactory())
    assert client.get(reverse("registrations:detail", args=[registration.pk])).status_code == 200


def test_supervisor_sees_own_jobcentre_only(client, copenhagen, odense):
    mine = RegistrationFactory(jobcentre=copenhagen)
    theirs = RegistrationFactory(jobcentre=odense)
    client.force_login(SupervisorFactory(jobcentre=copenhagen))
    assert client.get(reverse("registrations:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("registrations:detail", args=[theirs.pk])).status_code == 404


def test_document_is_served_privately_and_logged(caseworker_client, caseworker):
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre)
    response = caseworker_client.get(reverse("registrations:document", args=[registration.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="view_document", subject_id=registration.pk).exists()


def test_document_has_no_public_url(caseworker):
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre)
    with pytest.raises(NotImplementedError):
        _ = registration.document_file.url


def search(client, q):
    """The search as the browser makes it: a POST, then the redirect to ``?s=<key>``."""
    return client.post(reverse("registrations:search"), {"q": q}, follow=True)


@pytest.fixture
def stefan(caseworker):
    return RegistrationFactory(
        jobcentre=caseworker.jobcentre,
        surname="Țăranu",
        given_names="Ștefan",
        birth_date=date(1988, 3, 9),
        document_number="RO778899",
        document_number_key="RO778899",
        nationality="RO",
    )


@pytest.mark.parametrize(
    "query",
    [
        "Ștefan Țăranu",
        "stefan taranu",
        "TARANU",
        "Taranu Stefan",
        "Stefan Tarnu",
        "Stefn Taranu",
        "09.03.1988",
        "1988-03-09",
        "RO 778899",
    ],
)
def test_search_finds_the_person_tolerantly_and_masks_the_number(caseworker_client, stefan, query):
    RegistrationFactory(
        jobcentre=stefan.jobcentre,
        surname="Kowalski",
        given_names="Jan",
        birth_date=date(1970, 1, 1),
    )
    response = search(caseworker_client, query)
    body = response.content.decode()
    assert response.status_code == 200
    assert [r.pk for r in response.context["results"]] == [stefan.pk]
    assert stefan.masked_personnummer in body
    assert stefan.personnummer not in body


def test_search_by_personnummer_is_exact_and_logged_with_its_criteria(
    caseworker_client, caseworker, stefan
):
    response = search(caseworker_client, stefan.personnummer.replace("-", ""))
    assert [r.pk for r in response.context["results"]] == [stefan.pk]
    entry = AuditEntry.objects.get(action="search")
    assert entry.criteria == {
        "kind": "personnummer",
        "value": stefan.personnummer,
        "results": 1,
        "shown": [stefan.pk],
    }
    assert (entry.subject_type, entry.subject_id) == ("registrations.registration", None)
    assert entry.user == caseworker


def test_search_does_not_reach_other_jobcentres(caseworker_client, odense):
    RegistrationFactory(jobcentre=odense, surname="Țăranu", given_names="Ștefan")
    response = search(caseworker_client, "Taranu")
    assert response.context["results"] == []


@pytest.mark.parametrize(
    "query", ["<script>alert(1)</script>", "\x00", "a" * 500, "' OR 1=1 --", "%", "_"]
)
def test_odd_searches_never_fail(caseworker_client, stefan, query):
    response = search(caseworker_client, query)
    # A NUL byte is refused before the view (400), an overlong text is a form error (400).
    assert response.status_code == (400 if query in ("\x00", "a" * 500) else 200)
    assert "<script>alert" not in response.content.decode()


# --- The search never puts what was searched for into a URL -------------------------------------


def test_a_search_is_posted_and_redirected_to_a_key_without_the_number(caseworker_client, stefan):
    number = stefan.personnummer
    response = caseworker_client.post(reverse("registrations:search"), {"q": number})
    assert response.status_code == 303
    location = response["Location"]
    assert location.startswith(reverse("registrations:search") + "?s=")
    for part in (number, number.replace("-", ""), number[:6], "q="):
        assert part not in location
    results = caseworker_client.get(location)
    assert [r.pk for r in results.context["results"]] == [stefan.pk]
    assert f'value="{number}"' in results.content.decode()  # the box shows what was searched
    assert results["Cache-Control"].startswith("max-age=0")
    assert "no-store" in results["Cache-Control"]


def test_reload_and_back_show_the_results_again_and_log_each_showing(caseworker_client, stefan):
    first = caseworker_client.post(reverse("registrations:search"), {"q": "Taranu"})
    second = caseworker_client.post(reverse("registrations:search"), {"q": "Kowalski"})
    assert first["Location"] != second["Location"]
    for location in (first["Location"], second["Location"], first["Location"]):
        assert caseworker_client.get(location).status_code == 200
    shown = list(AuditEntry.objects.filter(action="search").order_by("id"))
    assert [e.criteria["value"] for e in shown] == ["Taranu", "Kowalski", "Taranu"]
    assert shown[0].criteria["shown"] == [stefan.pk]


def test_a_search_key_is_only_good_in_its_own_session(caseworker_client, caseworker, stefan):
    location = caseworker_client.post(reverse("registrations:search"), {"q": "Taranu"})["Location"]
    other = Client()
    other.force_login(caseworker)  # the same caseworker, another browser
    response = other.get(location)
    assert response.status_code == 404
    assert "Søgningen er ikke gemt længere" in response.content.decode()
    assert response.context.get("results") is None
    assert not AuditEntry.objects.filter(action="search").exists()
    assert caseworker_client.get(reverse("registrations:search") + "?s=nonsense").status_code == 404


def test_a_session_keeps_only_its_newest_searches(caseworker_client, stefan):
    from registrations.views import SEARCHES_KEPT

    locations = [
        caseworker_client.post(reverse("registrations:search"), {"q": f"navn {i}"})["Location"]
        for i in range(SEARCHES_KEPT + 3)
    ]
    assert len(caseworker_client.session["searches"]) == SEARCHES_KEPT
    assert caseworker_client.get(locations[0]).status_code == 404
    assert caseworker_client.get(locations[-1]).status_code == 200


def test_the_search_boxes_post_with_a_csrf_token(caseworker_client):
    for page in (reverse("registrations:home"), reverse("registrations:search")):
        body = caseworker_client.get(page).content.decode()
        form = body[body.index('role="search"') - 200 : body.index('role="search"')]
        assert 'method="post"' in form, page
        assert 'action="/registreringer/soeg/"' in form, page
        assert "csrfmiddlewaretoken" in body, page


def test_offer_is_recorded_and_logged(caseworker_client, caseworker):
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre)
    response = caseworker_client.post(
        reverse("registrations:offer_add", args=[registration.pk]),
        {
            "kind": "danish",
            "provider": "Sprogcenter Vest",
            "starts_on": "2026-12-01",
            "ends_on": "2027-06-30",
        },
    )
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert (offer.kind, offer.provider, offer.created_by) == (
        "danish",
        "Sprogcenter Vest",
        caseworker,
    )
    assert AuditEntry.objects.filter(action="update", subject_id=registration.pk).exists()
    assert "Sprogcenter Vest" in caseworker_client.get(response.url).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "danish", "provider": "X", "starts_on": "2027-01-01", "ends_on": "2026-01-01"},
        {"kind": "cooking", "provider": "X", "starts_on": "2027-01-01"},
        {"kind": "danish", "provider": "", "starts_on": "2027-01-01"},
        {"kind": "danish", "provider": "X", "starts_on": "tomorrow"},
    ],
)
def test_bad_offers_are_form_errors(caseworker_client, caseworker, data):
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre)
    response = caseworker_client.post(
        reverse("registrations:offer_add", args=[registration.pk]), data
    )
    assert response.status_code == 400
    assert not Offer.objects.exists()


def test_offer_factory_makes_an_offer():
    offer = OfferFactory()
    assert offer.registration.offers.get() == offer


def test_language_switch_to_english(caseworker_client):
    response = caseworker_client.post(
        reverse("set_language"), {"language": "en", "next": "/"}, follow=True
    )
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_other_caseworker_in_same_jobcentre_sees_the_registration(client, caseworker):
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre)
    client.force_login(CaseworkerFactory(jobcentre=caseworker.jobcentre))
    assert client.get(reverse("registrations:detail", args=[registration.pk])).status_code == 200


def test_the_ui_is_danish_whatever_the_browser_prefers(caseworker_client):
    response = caseworker_client.get(
        reverse("registrations:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )
    assert '<html lang="da">' in response.content.decode()
